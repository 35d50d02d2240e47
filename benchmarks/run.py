#!/usr/bin/env python3
"""Benchmarks of tiledesk-rpc, each figure measured beside its baseline in the same run.

    python3 benchmarks/run.py [--bin .build/release] [--only 1,2,...] [--quick] [--markdown]

Needs the release products `tiledesk-rpc` and `tiledesk-emulator` in --bin (`make bench` builds
them). Everything runs on loopback. Standard library only: the baselines that need `requests`
run in a throwaway venv under /tmp; section 5 needs nginx and wrk (installed with apt-get
when missing, skipped with a line saying so when that fails). See BENCHMARKS.md.

Sections: 1 cold start, 2 round trip, 3 bulk under every rate limiter shape, 4 connection reuse,
5 HTTP throughput, 6 sandbox throughput, 7 memory, 8 hostile upstream (endless bodies, gzip bombs),
9 parse, 10 the jobs (roster apply, a bulk job with a watch open).
"""
import argparse
import http.client
import json
import os
import re
import select
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
VENV = "/tmp/tiledesk-bench-venv"

PROJECT = "65f000000000000000000001"
ALICE = "65f0000000000000000000b3"
TOKEN = "sandbox-token-owner"
TEAMMATE_PATH = f"/{PROJECT}/project_users/{ALICE}"

QUICK = False  # --quick: fewer repetitions, for trying the script out (figures are noisier)


def log(message):
    print(message, file=sys.stderr, flush=True)


def n(full, quick):
    return quick if QUICK else full


# ---------------------------------------------------------------------------------------------
# Processes speaking lines over pipes


class LineProc:
    """A child process fed lines on stdin, answering lines on stdout (read with a timeout)."""

    def __init__(self, argv, stderr=None, env=None):
        self.argv = argv
        self.proc = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=stderr if stderr is not None else subprocess.DEVNULL, bufsize=0, env=env)
        self.inp = self.proc.stdin.fileno()
        self.out = self.proc.stdout.fileno()
        self.buf = b""

    @property
    def pid(self):
        return self.proc.pid

    def send(self, data):
        view = memoryview(data)
        while view:
            written = os.write(self.inp, view)
            view = view[written:]

    def send_in_background(self, data):
        thread = threading.Thread(target=self.send, args=(data,), daemon=True)
        thread.start()
        return thread

    def _fill(self, deadline):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"{os.path.basename(self.argv[0])}: no answer in time")
        ready, _, _ = select.select([self.out], [], [], remaining)
        if not ready:
            raise TimeoutError(f"{os.path.basename(self.argv[0])}: no answer in time")
        chunk = os.read(self.out, 1 << 20)
        if not chunk:
            raise EOFError(f"{os.path.basename(self.argv[0])} closed its stdout")
        self.buf += chunk

    def readline(self, timeout=30.0):
        deadline = time.monotonic() + timeout
        while True:
            i = self.buf.find(b"\n")
            if i >= 0:
                line = self.buf[:i]
                self.buf = self.buf[i + 1:]
                return line
            self._fill(deadline)

    def read_lines(self, count, timeout):
        """`count` lines, read in big chunks (for pipelined runs)."""
        deadline = time.monotonic() + timeout
        lines = []
        while True:
            parts = self.buf.split(b"\n")
            self.buf = parts.pop()
            lines.extend(parts)
            if len(lines) >= count:
                self.buf = b"\n".join(lines[count:] + [self.buf]) if len(lines) > count else self.buf
                return lines[:count]
            self._fill(deadline)

    def close(self, timeout=15.0):
        """Closes stdin and waits for the exit, killing the child after `timeout`."""
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()
        return self.proc.returncode


def rpc(method, ident, params=None):
    message = {"jsonrpc": "2.0", "id": ident, "method": method}
    if params is not None:
        message["params"] = params
    return (json.dumps(message, separators=(",", ":")) + "\n").encode()


def is_error(line):
    return b'"error":' in line


class Emulator:
    """tiledesk-emulator on an ephemeral loopback port, prefix /api; stopped by closing stdin."""

    def __init__(self, bindir, extra=()):
        argv = [os.path.join(bindir, "tiledesk-emulator"), "--port", "0", "--prefix", "/api", "--log-limit", "0", *extra]
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        ready, _, _ = select.select([self.proc.stdout], [], [], 15)
        if not ready:
            self.proc.kill()
            raise RuntimeError("tiledesk-emulator printed no URL")
        self.url = self.proc.stdout.readline().decode().strip()
        parsed = urllib.parse.urlsplit(self.url)
        self.host, self.port = parsed.hostname, parsed.port
        # One control connection kept open, so reading the stats adds no connection to them.
        self.control = http.client.HTTPConnection(self.host, self.port, timeout=30)

    def _control(self, method, path):
        self.control.request(method, path)
        response = self.control.getresponse()
        body = response.read()
        return json.loads(body)

    def reset(self):
        return self._control("POST", "/__emulator/reset")

    def stats(self):
        return self._control("GET", "/__emulator/stats?log=0")

    def set_faults(self, faults):
        self.control.request("POST", "/__emulator/faults", body=json.dumps(faults))
        response = self.control.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"faults refused: HTTP {response.status}")

    def stop(self):
        self.control.close()
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


# ---------------------------------------------------------------------------------------------
# Figures


def percentile(values, p):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, int(round(p / 100 * len(ordered) + 0.4999)))  # nearest rank
    return ordered[min(rank, len(ordered)) - 1]


def ms(seconds):
    return f"{seconds * 1000:.2f} ms"


def us(seconds):
    return f"{seconds * 1e6:.0f} µs"


def mb(kb):
    return f"{kb / 1024:.1f} MB"


def rate(value):
    return f"{value:,.0f} req/s"


ROWS = []
NOTES = []


def row(section, figure, baseline, ratio, target, met):
    ROWS.append({"section": section, "figure": figure, "baseline": baseline, "ratio": ratio, "target": target,
                 "met": {True: "yes", False: "NO", None: "—"}[met]})
    log(f"  => {section}: {figure} | {baseline} | {ratio} | {target} | {ROWS[-1]['met']}")


def note(text):
    NOTES.append(text)
    log(f"  .. {text}")


def skip(section, reason):
    ROWS.append({"section": section, "figure": "skipped", "baseline": "—", "ratio": "—", "target": "—", "met": "—"})
    note(f"{section}: skipped: {reason}")


# ---------------------------------------------------------------------------------------------
# Helpers for the optional tools


def venv_python():
    """A python with `requests`: a throwaway venv in /tmp (created once), else None."""
    python = os.path.join(VENV, "bin", "python")
    check = [python, "-c", "import requests"]
    if os.path.exists(python) and subprocess.run(check, capture_output=True).returncode == 0:
        return python
    log(f"creating {VENV} with requests ...")
    try:
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True, capture_output=True, timeout=120)
        subprocess.run([python, "-m", "pip", "install", "-q", "requests"], check=True, capture_output=True, timeout=300)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as error:
        log(f"cannot set up {VENV}: {error}")
        return None
    return python if subprocess.run(check, capture_output=True).returncode == 0 else None


def find_tool(name):
    return shutil.which(name) or next((p for p in (f"/usr/sbin/{name}", f"/usr/bin/{name}") if os.path.exists(p)), None)


def ensure_apt(*tools):
    """Installs the Debian packages named like `tools` when any is missing; True when all are there."""
    if all(find_tool(t) for t in tools):
        return True
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return False
    log(f"installing {' '.join(tools)} with apt-get ...")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for command in (["apt-get", "install", "-y", "-qq", *tools], ["apt-get", "update", "-qq"],
                    ["apt-get", "install", "-y", "-qq", *tools]):
        subprocess.run(command, capture_output=True, env=env, timeout=600)
        if command[1] == "install" and all(find_tool(t) for t in tools):
            return True
    return all(find_tool(t) for t in tools)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


# ---------------------------------------------------------------------------------------------
# 1. Cold start


PYTHON_ECHO = (
    "import json, sys\n"
    "line = sys.stdin.readline()\n"
    "request = json.loads(line)\n"
    "sys.stdout.write(json.dumps({'jsonrpc': '2.0', 'id': request['id'], 'result': {}}) + '\\n')\n"
    "sys.stdout.flush()\n"
)


def cold_start(bindir):
    log("1. cold start")
    rpc_bin = os.path.join(bindir, "tiledesk-rpc")
    contenders = {
        "bridge": [rpc_bin, "--api-url", "http://127.0.0.1:9/api", "--token", TOKEN, "--project-id", PROJECT],
        "bridge --sandbox": [rpc_bin, "--sandbox"],
        "python3": [sys.executable, "-c", PYTHON_ECHO],
    }
    ping = rpc("ping", 1)
    times = {name: [] for name in contenders}
    reps = n(60, 10)
    for rep in range(reps + 3):
        for name, argv in contenders.items():  # interleaved, so drift on the shared machine hits all alike
            started = time.perf_counter()
            p = LineProc(argv)
            p.send(ping)
            answer = p.readline(timeout=10)
            elapsed = time.perf_counter() - started
            p.close()
            assert b'"result"' in answer, answer
            if rep >= 3:  # the first few warm the page cache
                times[name].append(elapsed)
    bridge, sandbox, python = (statistics.median(times[k]) for k in ("bridge", "bridge --sandbox", "python3"))
    row("1 cold start (spawn → first ping answer)", f"median {ms(bridge)}", f"python3 echo {ms(python)}",
        f"{bridge / python:.2f}×", "≤ 0.4×", bridge / python <= 0.4)
    note(f"cold start: {reps} interleaved spawns each; bridge p90 {ms(percentile(times['bridge'], 90))}, "
         f"with --sandbox median {ms(sandbox)} ({sandbox / python:.2f}×), python3 ({sys.executable}) "
         f"p90 {ms(percentile(times['python3'], 90))}; Popen and pipe set-up are inside every figure")
    return times


# ---------------------------------------------------------------------------------------------
# 2. Round trip


def one_at_a_time(send_and_wait, count):
    samples = []
    for i in range(count):
        started = time.perf_counter()
        send_and_wait(i)
        samples.append(time.perf_counter() - started)
    return samples


def interleaved(contenders, blocks, per_block, warmup):
    """Runs each contender's one-at-a-time loop in alternating blocks; samples per contender."""
    samples = {name: [] for name in contenders}
    for name, fn in contenders.items():
        one_at_a_time(fn, warmup)
    for _ in range(blocks):
        for name, fn in contenders.items():
            samples[name].extend(one_at_a_time(fn, per_block))
    return samples


def round_trip(bindir):
    log("2. round trip")
    rpc_bin = os.path.join(bindir, "tiledesk-rpc")

    # ping against a pipe echo (cat: read(2) then write(2) of what it read, no buffering)
    bridge = LineProc([rpc_bin, "--sandbox"])
    cat = LineProc(["cat"])
    pings = [rpc("ping", i) for i in range(100000)]

    def bridge_ping(i):
        bridge.send(pings[i])
        bridge.readline()

    def cat_ping(i):
        cat.send(pings[i])
        cat.readline()

    s = interleaved({"bridge": bridge_ping, "cat": cat_ping}, blocks=n(25, 2), per_block=n(200, 250), warmup=200)
    bridge.close()
    cat.close()
    b50, b99 = percentile(s["bridge"], 50), percentile(s["bridge"], 99)
    c50, c99 = percentile(s["cat"], 50), percentile(s["cat"], 99)
    row("2 round trip: ping one at a time", f"p50 {us(b50)}, p99 {us(b99)}", f"cat p50 {us(c50)}, p99 {us(c99)}",
        f"{b50 / c50:.2f}× (p99 {b99 / c99:.2f}×)", "p50 ≤ 2×", b50 / c50 <= 2)
    note(f"ping: {len(s['bridge'])} round trips each, interleaved in blocks; floor = `cat` on the same pipes and "
         f"the same Python reader")

    # team.get through the bridge against the emulator vs the same URL over one keep-alive connection
    with Emulator(bindir) as emu:
        bridge = LineProc([rpc_bin, "--api-url", emu.url, "--token", TOKEN, "--project-id", PROJECT])
        conn = http.client.HTTPConnection(emu.host, emu.port, timeout=30)
        path = "/api" + TEAMMATE_PATH
        headers = {"Authorization": f"JWT {TOKEN}", "Accept": "application/json"}
        gets = [rpc("team.get", i, {"project_user_id": ALICE}) for i in range(100000)]
        failures = [0]

        def bridge_get(i):
            bridge.send(gets[i])
            if is_error(bridge.readline()):
                failures[0] += 1

        def direct_get(i):
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                failures[0] += 1

        s = interleaved({"bridge": bridge_get, "direct": direct_get}, blocks=n(20, 2), per_block=n(100, 100), warmup=100)
        bridge.close()
        conn.close()
        stats = emu.stats()
    b50, b99 = percentile(s["bridge"], 50), percentile(s["bridge"], 99)
    d50, d99 = percentile(s["direct"], 50), percentile(s["direct"], 99)
    over = b50 - d50
    row("2 round trip: team.get one at a time (emulator)", f"p50 {ms(b50)}, p99 {ms(b99)}",
        f"http.client keep-alive p50 {ms(d50)}, p99 {ms(d99)}",
        f"+{ms(over)} p50 (+{ms(b99 - d99)} p99)", "overhead ≤ 0.3 ms p50", over <= 0.0003 and failures[0] == 0)
    note(f"team.get: {len(s['bridge'])} calls each, interleaved in blocks; failures {failures[0]}; "
         f"the emulator accepted {stats['connections']} connections (the control one, http.client's, the bridge's)")
    return s


# ---------------------------------------------------------------------------------------------
# 3. Bulk under a rate limit


def bridge_bulk(bindir, emu_args, calls, timeout, extra=(), watch=False):
    """`calls` team.update written at once against the emulator; with `watch`, a team.watch
    (polling every 5 s) is open the whole time. The updates change nothing, so the watch finds
    nothing to tell and every line read is an answer."""
    rpc_bin = os.path.join(bindir, "tiledesk-rpc")
    with Emulator(bindir, emu_args) as emu:  # no reset: it would clear the rate limit too
        errlog = tempfile.TemporaryFile()
        bridge = LineProc([rpc_bin, "--api-url", emu.url, "--token", TOKEN, "--project-id", PROJECT, *extra],
                          stderr=errlog)
        if watch:
            bridge.send(rpc("team.watch", "watch", {"interval": 5}))
            bridge.readline(timeout=timeout)
        payload = b"".join(rpc("team.update", i, {"project_user_id": ALICE, "user_available": True})
                           for i in range(calls))
        started = time.perf_counter()
        bridge.send_in_background(payload)
        lines = [bridge.readline(timeout=timeout)]
        first = time.perf_counter() - started
        lines += bridge.read_lines(calls - 1, timeout=timeout)
        seconds = time.perf_counter() - started
        bridge.close()
        stats = emu.stats()
        errlog.seek(0)
        errors = [line for line in lines if is_error(line)]
        return {"seconds": seconds, "first": first, "failures": len(errors), "first_error": errors[0][:300] if errors else None,
                "upstream": stats["requests"], "rate_limited": stats["rate_limited"],
                "stderr": errlog.read().decode(errors="replace")[-500:]}


def naive_bulk(bindir, python, emu_args, calls, deadline):
    with Emulator(bindir, emu_args) as emu:
        out = subprocess.run([python, os.path.join(HERE, "baselines.py"), "naive-bulk", "--url", emu.url,
                              "--n", str(calls), "--threads", "8", "--retries", "2", "--deadline", str(deadline)],
                             capture_output=True, text=True, timeout=deadline + 120)
        if out.returncode != 0:
            raise RuntimeError(f"naive client failed: {out.stderr[-500:]}")
        result = json.loads(out.stdout)
        stats = emu.stats()
        result.update(upstream=stats["requests"], rate_limited=stats["rate_limited"])
        return result


# Every limiter shape users meet in front of Tiledesk, at 10/s and 100/s, with Retry-After in
# seconds, as an HTTP date, and missing; plus Tiledesk's 200 a minute as a fixed window, scaled
# to 200 per 6 s. (shape label, emulator flags, sustained rate, whole windows for the ideal)
def limiter_shapes():
    for rate in (10, 100):
        burst = 10
        leaky_burst = 5 if rate == 10 else 10
        yield f"token bucket {rate}/s, burst {burst}", ["--limiter", "token-bucket", "--rps", str(rate), "--burst", str(burst)], rate, None
        yield f"fixed window {rate} per 1 s", ["--limiter", "fixed-window", "--limit", str(rate), "--window", "1"], rate, (rate, 1)
        yield f"sliding window {rate} in any 1 s", ["--limiter", "sliding-window", "--limit", str(rate), "--window", "1"], rate, None
        yield (f"leaky bucket (nginx) {rate}/s, burst {leaky_burst}",
               ["--limiter", "leaky-bucket", "--rps", str(rate), "--burst", str(leaky_burst)], rate, None)
    yield "fixed window 200 per 6 s (200/min scaled)", ["--limiter", "fixed-window", "--limit", "200", "--window", "6"], 200 / 6, (200, 6)


def bulk(bindir, python):
    log("3. bulk under every rate limiter")
    for label, shape_flags, rate, window in limiter_shapes():
        seconds = n(40 if rate >= 100 else 20, 10)  # the ideal job length: long enough for the fixed cost of finding the limit
        calls = max(1, int(round(seconds * rate / 2)))  # each team.update = GET guard + PUT
        if window:
            calls = max(calls, window[0])  # at least two whole windows
            ideal = -(-2 * calls // window[0]) * window[1]
        else:
            ideal = 2 * calls / rate
        for style in ("seconds", "date", "none"):
            emu_args = [*shape_flags, "--retry-after", style]
            log(f"   {label}, Retry-After {style}: {calls} team.update ...")
            b = bridge_bulk(bindir, emu_args, calls, timeout=ideal * 6 + 60)
            ratio = b["seconds"] / ideal
            row(f"3 bulk: {label}, Retry-After {style}", f"{b['seconds']:.1f} s, {b['failures']} failed",
                f"ideal {ideal:.1f} s", f"{ratio:.2f}×", "≤ 1.10×, 0 failed", ratio <= 1.10 and b["failures"] == 0)
            note(f"bulk {label}, Retry-After {style}: {calls} team.update = {2 * calls} requests, {b['upstream']} sent, "
                 f"{b['rate_limited']} answered 429, first answer after {b['first']:.1f} s"
                 + (f"; first error {b['first_error']!r}" if b["first_error"] else ""))
    if not python:
        skip("3 bulk: naive requests client", "no python with `requests` (venv could not be created)")
        return
    # The naive client against the brief's token bucket, for reference.
    calls = n(1000, 200)
    ideal = 2 * calls / 100
    for style in ("seconds", "none"):
        emu_args = ["--limiter", "token-bucket", "--rps", "100", "--burst", "10", "--retry-after", style]
        log(f"   naive requests client, Retry-After {style} ...")
        budget = n(30, 15)
        c = naive_bulk(bindir, python, emu_args, calls, deadline=budget)
        projected = c["seconds"] * calls / max(1, c["done"])
        figure = (f"{c['done']} of {calls} in {c['seconds']:.1f} s (≈ {projected:.0f} s for all), {c['failures']} failed"
                  if c["done"] < calls else f"{c['seconds']:.1f} s, {c['failures']} failed")
        row(f"3 bulk: naive requests client (8 threads, 2 retries), token bucket 100/s, Retry-After {style}", figure,
            f"ideal {ideal:.1f} s", f"{projected / ideal:.2f}×", "(reference)", None)
        note(f"bulk naive, Retry-After {style}: {c['upstream']} upstream requests, {c['rate_limited']} answered 429, "
             f"{c['failures']} of {c['done']} updates failed; calls not started within {budget} s are skipped and the time for all projected")


# ---------------------------------------------------------------------------------------------
# 10. The jobs: roster apply, and a bulk job with a watch open


def roster_apply(bindir, rate, actions):
    """team.apply of a roster of `actions` new people (one invite each) against a token bucket of
    `rate`/s, burst 10: the wall time, what the upstream received, what reached the caller."""
    rpc_bin = os.path.join(bindir, "tiledesk-rpc")
    emu_args = ["--limiter", "token-bucket", "--rps", str(rate), "--burst", "10", "--retry-after", "seconds"]
    roster = [{"email": f"bench{i}@example.com", "role": "agent"} for i in range(actions)]
    with Emulator(bindir, emu_args) as emu:
        bridge = LineProc([rpc_bin, "--api-url", emu.url, "--token", TOKEN, "--project-id", PROJECT])
        started = time.perf_counter()
        bridge.send(rpc("team.apply", 1, {"roster": roster}))
        answer = json.loads(bridge.readline(timeout=20 * actions / rate + 120))
        seconds = time.perf_counter() - started
        bridge.close()
        stats = emu.stats()
    result = answer.get("result") or {}
    failed = result.get("failed", [answer.get("error")])
    return {"seconds": seconds, "applied": len(result.get("applied", [])), "failed": failed,
            "limited": sum(1 for f in failed if f and (f.get("error") or f).get("code") == 429),
            "upstream": stats["requests"], "rate_limited": stats["rate_limited"]}


def jobs(bindir):
    log("10. jobs")
    actions = n(500, 100)
    needed = 4 + actions  # the plan's four reads, then one request per action
    for rate in (10, 100):
        log(f"   team.apply, {actions} invites, token bucket {rate}/s ...")
        r = roster_apply(bindir, rate, actions)
        ideal = needed / rate
        ratio = r["seconds"] / ideal
        row(f"10 team.apply: {actions} actions, token bucket {rate}/s, burst 10", f"{r['seconds']:.1f} s, {len(r['failed'])} failed",
            f"ideal {ideal:.1f} s", f"{ratio:.2f}×", "≤ 1.10×, 0 failed", ratio <= 1.10 and not r["failed"])
        served = r["upstream"] - r["rate_limited"]  # a request the limiter refused (429) is sent again
        row(f"10 team.apply: requests served, {rate}/s", f"{served} of {needed} needed (+{r['rate_limited']} refused with 429 and sent again)",
            "1 read per list + 1 per action", f"{served / needed:.2f}×", "1.00×", served == needed)
        note(f"team.apply at {rate}/s: {r['applied']} applied, {r['rate_limited']} answered 429 by the upstream, "
             f"{r['limited']} 429s reached the caller")
    calls = n(100, 50)
    emu_args = ["--limiter", "token-bucket", "--rps", "10", "--burst", "10", "--retry-after", "seconds"]
    timeout = 2 * calls / 10 * 6 + 60
    log(f"   {calls} team.update at 10/s without, then with a watch open ...")
    without = bridge_bulk(bindir, emu_args, calls, timeout)
    with_watch = bridge_bulk(bindir, emu_args, calls, timeout, watch=True)
    ratio = with_watch["seconds"] / without["seconds"]
    row("10 bulk with a watch open: 100 team.update, token bucket 10/s", f"{with_watch['seconds']:.1f} s, {with_watch['failures']} failed",
        f"without a watch {without['seconds']:.1f} s", f"{ratio:.2f}×", "≤ 1.05×", ratio <= 1.05 and with_watch["failures"] == 0)
    note(f"bulk with a watch: {with_watch['upstream']} upstream requests ({without['upstream']} without): the polls' share")


# ---------------------------------------------------------------------------------------------
# 4. Connection reuse


def connections(bindir):
    log("4. connection reuse")
    rpc_bin = os.path.join(bindir, "tiledesk-rpc")
    calls, limit = 2000, 16
    payload = b"".join(rpc("team.get", i, {"project_user_id": ALICE}) for i in range(calls))
    runs = []
    for _ in range(n(3, 1)):
        with Emulator(bindir) as emu:
            emu.reset()  # the control connection was opened before the reset: not counted
            bridge = LineProc([rpc_bin, "--api-url", emu.url, "--token", TOKEN, "--project-id", PROJECT,
                               "--max-concurrency", str(limit)])
            started = time.perf_counter()
            bridge.send_in_background(payload)
            lines = bridge.read_lines(calls, timeout=120)
            seconds = time.perf_counter() - started
            bridge.close()
            stats = emu.stats()
        runs.append((stats["connections"], stats["max_in_flight"], seconds, sum(is_error(line) for line in lines)))
    conns = statistics.median(r[0] for r in runs)
    failures = sum(r[3] for r in runs)
    row(f"4 connections for {calls} team.get at --max-concurrency {limit}", f"{conns:.0f} connections (median)",
        f"{limit} slots ({calls} requests)", f"{conns / limit:.2f}×", f"≤ {limit}",
        max(r[0] for r in runs) <= limit and failures == 0)
    note(f"connections: {len(runs)} runs, fresh bridge and emulator each: "
         + "; ".join(f"{c} connections, at most {m} in flight at the emulator, {sec:.2f} s" for c, m, sec, _ in runs)
         + f"; {failures} failures")


# ---------------------------------------------------------------------------------------------
# 5. HTTP throughput against nginx


NGINX_CONF = """
daemon off;
master_process on;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    keepalive_requests 1000000;
    keepalive_timeout 60s;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    default_type application/json;
    server {{
        listen 127.0.0.1:{port};
        root {tmp}/www;
        location / {{ }}
    }}
}}
"""


def teammate_json(bindir):
    """The upstream's own body for GET /{pid}/project_users/{alice}, as the emulator sends it."""
    with Emulator(bindir) as emu:
        conn = http.client.HTTPConnection(emu.host, emu.port, timeout=10)
        conn.request("GET", "/api" + TEAMMATE_PATH, headers={"Authorization": f"JWT {TOKEN}"})
        body = conn.getresponse().read()
        conn.close()
    return body


class Nginx:
    """nginx serving the teammate JSON at /api/{pid}/project_users/{alice} on a loopback port,
    with its own configuration in a temporary directory; stopped (and the directory removed)
    on exit."""

    def __init__(self, bindir):
        self.bindir = bindir

    def __enter__(self):
        nginx = find_tool("nginx")
        self.tmp = tempfile.mkdtemp(prefix="tiledesk-bench-nginx-")
        os.chmod(self.tmp, 0o755)  # nginx workers run as nobody
        www = os.path.join(self.tmp, "www", "api", PROJECT, "project_users")
        os.makedirs(www)
        path = www
        while path != self.tmp:
            os.chmod(path, 0o755)
            path = os.path.dirname(path)
        self.body = teammate_json(self.bindir)
        with open(os.path.join(www, ALICE), "wb") as f:
            f.write(self.body)
        self.port = free_port()
        conf = os.path.join(self.tmp, "nginx.conf")
        with open(conf, "w") as f:
            f.write(NGINX_CONF.format(tmp=self.tmp, port=self.port))
        self.proc = subprocess.Popen([nginx, "-p", self.tmp, "-c", conf, "-e", os.path.join(self.tmp, "error.log")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not wait_for_port(self.port):
            self.__exit__()
            raise RuntimeError("nginx did not start")
        self.api = f"http://127.0.0.1:{self.port}/api"
        self.url = self.api + TEAMMATE_PATH
        return self

    def __exit__(self, *exc):
        self.proc.send_signal(signal.SIGQUIT)  # graceful stop of the master and its worker
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)


def pipelined(rpc_bin, api, calls, extra=()):
    """`calls` team.get written at once to a fresh bridge; (req/s, failures)."""
    payload = b"".join(rpc("team.get", i, {"project_user_id": ALICE}) for i in range(calls))
    bridge = LineProc([rpc_bin, "--api-url", api, "--token", TOKEN, "--project-id", PROJECT, *extra])
    bridge.send(rpc("ping", -1))
    bridge.readline()  # started
    started = time.perf_counter()
    bridge.send_in_background(payload)
    lines = bridge.read_lines(calls, timeout=300)
    per_second = calls / (time.perf_counter() - started)
    bridge.close()
    return per_second, sum(is_error(line) for line in lines)


def http_throughput(bindir, python):
    log("5. HTTP throughput against nginx")
    calls = n(20000, 5000)
    section = f"5 HTTP: {calls:,} pipelined team.get (nginx)"
    if not ensure_apt("nginx", "wrk"):
        skip(section, "nginx and wrk are missing and apt-get could not install them")
        return
    rpc_bin = os.path.join(bindir, "tiledesk-rpc")
    try:
        with Nginx(bindir) as server:
            bridge_rates, loop_rates, failures = [], [], 0
            for _ in range(n(2, 1)):  # interleaved
                per_second, failed = pipelined(rpc_bin, server.api, calls)
                bridge_rates.append(per_second)
                failures += failed
                if python:
                    out = subprocess.run([python, os.path.join(HERE, "baselines.py"), "session-loop", "--url", server.url,
                                          "--n", str(calls), "--seconds", "8"], capture_output=True, text=True, timeout=120)
                    result = json.loads(out.stdout)
                    loop_rates.append(result["requests"] / result["seconds"])
            out = subprocess.run([find_tool("wrk"), "-t", "2", "-c", "16", "-d", "5s", server.url],
                                 capture_output=True, text=True, timeout=60)
            match = re.search(r"Requests/sec:\s*([\d.]+)", out.stdout)
            ceiling = float(match.group(1)) if match else float("nan")
            body = server.body
    except RuntimeError as error:
        skip(section, str(error))
        return
    bridge_rate = statistics.median(bridge_rates)
    if loop_rates:
        loop_rate = statistics.median(loop_rates)
        row(section, f"{rate(bridge_rate)}, {failures} failed", f"requests.Session loop {rate(loop_rate)}",
            f"{bridge_rate / loop_rate:.2f}×", "≥ 3×", bridge_rate / loop_rate >= 3 and failures == 0)
    else:
        row(section, f"{rate(bridge_rate)}, {failures} failed", "requests loop: no venv", "—", "≥ 3×", None)
    row("5 HTTP: nginx's own ceiling (wrk -t2 -c16 -d5s)", rate(ceiling), f"bridge {rate(bridge_rate)}",
        f"bridge at {bridge_rate / ceiling:.1%}", "(reference)", None)
    note(f"HTTP: bridge at its default --max-concurrency 8, {len(bridge_rates)} runs of {calls} "
         f"({', '.join(f'{r:,.0f}' for r in bridge_rates)} req/s); requests loop "
         f"({', '.join(f'{r:,.0f}' for r in loop_rates)} req/s); body {len(body)} bytes")



# ---------------------------------------------------------------------------------------------
# 6. Sandbox throughput and 7. memory


def timed_run(argv, stdin_path, stdout_path):
    """Runs argv with files as stdin and stdout; (seconds from spawn to exit, exit code)."""
    with open(stdin_path, "rb") as fin, open(stdout_path, "wb") as fout:
        started = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=fin, stdout=fout, stderr=subprocess.DEVNULL)
        code = proc.wait()
        return time.perf_counter() - started, code


def vm_hwm_kb(pid):
    """Peak resident set of a live process (VmHWM). Not wait4's ru_maxrss: that one keeps the
    high-water mark of the Python parent the child was vforked from."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError("no VmHWM")


def sandbox_payload(calls):
    kinds = [("team.get", {"project_user_id": ALICE}), ("user.get", None), ("ping", None)]
    return b"".join(rpc(kinds[i % 3][0], i, kinds[i % 3][1]) for i in range(calls))


def sandbox_throughput(bindir):
    log("6. sandbox throughput")
    rpc_bin = os.path.join(bindir, "tiledesk-rpc")
    calls = n(100000, 20000)
    section = f"6 sandbox: {calls:,} mixed requests piped"
    jq = find_tool("jq")
    if not jq and not ensure_apt("jq"):
        skip(section, "jq is missing and apt-get could not install it")
        return
    jq = find_tool("jq")
    tmp = tempfile.mkdtemp(prefix="tiledesk-bench-sandbox-")
    try:
        requests = os.path.join(tmp, "in.jsonl")
        with open(requests, "wb") as f:
            f.write(sandbox_payload(calls))
        out = os.path.join(tmp, "out.jsonl")
        bridge_s, jq_s, answered, errors = [], [], calls, 0
        for _ in range(n(3, 1)):  # interleaved
            seconds, code = timed_run([rpc_bin, "--sandbox"], requests, out)
            bridge_s.append(seconds)
            with open(out, "rb") as f:
                lines = f.read().splitlines()
            answered = min(answered, len(lines))
            errors = max(errors, sum(is_error(line) for line in lines))
            seconds, code = timed_run([jq, "-c", '{jsonrpc:"2.0",id:.id,result:{}}'], requests, out)
            jq_s.append(seconds)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    b, j = statistics.median(bridge_s), statistics.median(jq_s)
    row(section, f"{rate(calls / b)} ({b:.2f} s)", f"jq -c {rate(calls / j)} ({j:.2f} s)", f"{j / b:.2f}×", "≥ 1.0×",
        j / b >= 1.0 and answered == calls and errors == 0)
    note(f"sandbox: team.get, user.get, ping in turn, stdin and stdout redirected to files, spawn to exit; "
         f"{len(bridge_s)} interleaved runs each, medians; {answered} answers, {errors} errors")


def memory(bindir):
    log("7. memory")
    rpc_bin = os.path.join(bindir, "tiledesk-rpc")
    calls = n(100000, 20000)

    idle = LineProc([rpc_bin, "--sandbox"])
    idle.send(rpc("ping", 1))
    idle.readline()
    idle_kb = vm_hwm_kb(idle.pid)
    idle.close()

    bridge = LineProc([rpc_bin, "--sandbox"])
    bridge.send_in_background(sandbox_payload(calls))
    lines = bridge.read_lines(calls, timeout=300)
    after_kb = vm_hwm_kb(bridge.pid)
    bridge.close()
    failures = sum(is_error(line) for line in lines)
    row(f"7 peak RSS after {calls:,} sandbox requests", mb(after_kb), f"after 1 ping {mb(idle_kb)}",
        f"{after_kb / idle_kb:.2f}×", "≤ 30 MB", after_kb <= 30 * 1024 and failures == 0)

    inflight = 1000
    bridge = LineProc([rpc_bin, "--sandbox", "--sandbox-latency", "2", "--max-concurrency", str(inflight)])
    bridge.send(rpc("ping", -1))
    bridge.readline()
    started = time.perf_counter()
    bridge.send_in_background(b"".join(rpc("team.list", i) for i in range(inflight)))
    lines = bridge.read_lines(inflight, timeout=120)
    seconds = time.perf_counter() - started
    flight_kb = vm_hwm_kb(bridge.pid)
    bridge.close()
    failures = sum(is_error(line) for line in lines)
    row(f"7 peak RSS, {inflight} team.list in flight", mb(flight_kb), f"after 1 ping {mb(idle_kb)}",
        f"{flight_kb / idle_kb:.2f}×", "≤ 64 MB", flight_kb <= 64 * 1024 and failures == 0)
    note(f"memory: VmHWM of the live process; the in-flight run is --sandbox --sandbox-latency 2 "
         f"--max-concurrency {inflight} (the default 8 would queue them: 1,000 x 2 s / 8 = 250 s), "
         f"answered in {seconds:.2f} s, {failures} failures")


# ---------------------------------------------------------------------------------------------
# 9. Parse


def unserved(payload):
    """The same messages for a method nobody serves: the bridge reads each whole, then answers -32601."""
    return payload.replace(b'"method":"', b'"method":"bench.')


def parse_throughput(bindir):
    log("9. parse")
    rpc_bin = os.path.join(bindir, "tiledesk-rpc")

    keys = 300_000
    params = "{" + ",".join(f'"k{i}":{i}' for i in range(keys)) + "}"
    big = ('{"jsonrpc":"2.0","id":1,"method":"bench.parse","params":%s}\n' % params).encode()
    bridge = LineProc([rpc_bin, "--sandbox", "--max-line-bytes", str(2 * len(big))])
    bridge.send(rpc("ping", 0))
    bridge.readline()
    bridge_s, python_s, answers = [], [], []
    for _ in range(n(5, 2)):  # interleaved
        started = time.perf_counter()
        bridge.send(big)
        answers.append(bridge.readline(timeout=600))
        bridge_s.append(time.perf_counter() - started)
        started = time.perf_counter()
        json.loads(big)
        python_s.append(time.perf_counter() - started)
    bridge.close()
    b, p = statistics.median(bridge_s), statistics.median(python_s)
    megabytes = len(big) / 1e6
    row(f"9 parse: one {megabytes:.1f} MB object of {keys:,} keys", f"{megabytes / b:.1f} MB/s ({b:.2f} s)",
        f"python json.loads {megabytes / p:.1f} MB/s", f"{p / b:.2f}×", "≥ 10 MB/s",
        megabytes / b >= 10 and all(b'"code":-32601' in a for a in answers))

    calls = n(100000, 20000)
    tmp = tempfile.mkdtemp(prefix="tiledesk-bench-parse-")
    try:
        requests = os.path.join(tmp, "in.jsonl")
        payload = unserved(sandbox_payload(calls))
        with open(requests, "wb") as f:
            f.write(payload)
        out = os.path.join(tmp, "out.jsonl")
        lines = payload.splitlines()
        bridge_s, python_s, answered = [], [], calls
        for _ in range(n(3, 1)):  # interleaved
            seconds, _ = timed_run([rpc_bin, "--sandbox"], requests, out)
            bridge_s.append(seconds)
            with open(out, "rb") as f:
                answered = min(answered, sum(b'"code":-32601' in line for line in f))
            started = time.perf_counter()
            for line in lines:
                json.loads(line)
            python_s.append(time.perf_counter() - started)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    b, p = statistics.median(bridge_s), statistics.median(python_s)
    megabytes = len(payload) / 1e6
    row(f"9 parse: the {calls:,}-line file of 6, unserved", f"{megabytes / b:.1f} MB/s ({b:.2f} s)",
        f"python json.loads per line {megabytes / p:.1f} MB/s", f"{p / b:.2f}×", "≥ 0.5×",
        p / b >= 0.5 and answered == calls)
    note(f"parse: the bridge from sending to its -32601 answer (one object, medians of {len(answers)}; "
         f"the file: spawn to exit, stdin and stdout files, {len(bridge_s)} runs), beside json.loads "
         f"in this Python process; the methods are renamed bench.* so nothing but reading is served")
# 8. Hostile upstream


def hostile(bindir):
    log("8. hostile upstream")
    rpc_bin = os.path.join(bindir, "tiledesk-rpc")
    with Emulator(bindir) as emu:
        idle = LineProc([rpc_bin, "--api-url", emu.url, "--token", TOKEN, "--project-id", PROJECT])
        for i in range(5):
            idle.send(rpc("team.get", i, {"project_user_id": ALICE}))
            idle.readline()
        idle_kb = vm_hwm_kb(idle.pid)
        idle.close()
    for kind, label in (("endless", "four endless bodies"), ("gzip-bomb", "four gzip bombs")):
        runs = []
        for _ in range(n(3, 1)):
            with Emulator(bindir) as emu:
                emu.set_faults({"rules": [{"match": {"method": "GET", "path": "/users"}, "action": {"hostile": kind}}]})
                bridge = LineProc([rpc_bin, "--api-url", emu.url, "--token", TOKEN, "--project-id", PROJECT, "--retries", "0"])
                started = time.perf_counter()
                bridge.send(b"".join(rpc("user.get", i) for i in range(4)) + rpc("team.get", "healthy", {"project_user_id": ALICE}))
                answered = {}
                for _ in range(5):
                    line = bridge.readline(timeout=120)
                    answered[json.loads(line)["id"]] = (time.perf_counter() - started, line)
                peak_kb = vm_hwm_kb(bridge.pid)
                bridge.close()
            refused = sum(1 for i in range(4) if is_error(answered[i][1]))
            healthy_ok = not is_error(answered["healthy"][1])
            runs.append((peak_kb, max(t for t, _ in answered.values()), answered["healthy"][0], refused, healthy_ok))
        peak = max(r[0] for r in runs)
        row(f"8 peak RSS, {label} and a healthy call", mb(peak), f"after 5 team.get {mb(idle_kb)}", f"{peak / idle_kb:.2f}×",
            "≤ 64 MB, all answered", peak <= 64 * 1024 and all(r[3] == 4 and r[4] for r in runs))
        note(f"hostile {kind}: {len(runs)} runs, fresh bridge and emulator each: "
             + "; ".join(f"peak {mb(p)}, all answered in {t:.2f} s, the healthy call in {h:.2f} s ({'ok' if ok else 'FAILED'}), {r} of 4 refused"
                         for p, t, h, r, ok in runs))


# ---------------------------------------------------------------------------------------------


def machine():
    def sh(command):
        try:
            return subprocess.run(command, shell=True, capture_output=True, text=True, timeout=30).stdout.strip()
        except Exception:  # noqa: BLE001 (a description only)
            return "?"
    cpu = sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").strip()
    mem = sh("awk '/MemTotal/ {printf \"%.1f GiB\", $2/1048576}' /proc/meminfo")
    osname = sh(". /etc/os-release && echo $PRETTY_NAME")
    swift = sh("swift --version 2>&1 | head -1")
    return f"nproc {os.cpu_count()}, {cpu}, {mem}, {osname}, {swift}"


def print_table(markdown):
    columns = ["section", "figure", "baseline", "ratio", "target", "met"]
    heads = ["section", "figure", "baseline", "ratio", "target", "met?"]
    if markdown:
        print("| " + " | ".join(heads) + " |")
        print("|" + "---|" * len(heads))
        for r in ROWS:
            print("| " + " | ".join(r[c] for c in columns) + " |")
    else:
        widths = [max(len(h), *(len(r[c]) for r in ROWS)) for h, c in zip(heads, columns)]
        print("  ".join(h.ljust(w) for h, w in zip(heads, widths)))
        print("  ".join("-" * w for w in widths))
        for r in ROWS:
            print("  ".join(r[c].ljust(w) for c, w in zip(columns, widths)))
    print()
    for text in NOTES:
        print(("- " if markdown else "  * ") + text)


def main():
    global QUICK
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", default=".build/release", help="directory holding tiledesk-rpc and tiledesk-emulator")
    parser.add_argument("--only", default="1,2,3,4,5,6,7,8,9,10", help="sections to run, e.g. 1,2")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (to try the script; noisier)")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    parser.add_argument("--json", metavar="FILE", help="also write the rows and notes as JSON")
    args = parser.parse_args()
    QUICK = args.quick
    bindir = os.path.abspath(args.bin)
    for product in ("tiledesk-rpc", "tiledesk-emulator"):
        if not os.access(os.path.join(bindir, product), os.X_OK):
            sys.exit(f"run.py: no {product} in {bindir}: build with `swift build -c release` or pass --bin DIR")
    sections = {int(s) for s in args.only.split(",") if s.strip()}
    python = venv_python() if sections & {3, 5} else None
    if sections & {3, 5} and not python:
        log("no python with `requests`: the requests baselines are skipped")

    started = time.perf_counter()
    if 1 in sections:
        cold_start(bindir)
    if 2 in sections:
        round_trip(bindir)
    if 3 in sections:
        bulk(bindir, python)
    if 4 in sections:
        connections(bindir)
    if 5 in sections:
        http_throughput(bindir, python)
    if 6 in sections:
        sandbox_throughput(bindir)
    if 7 in sections:
        memory(bindir)
    if 8 in sections:
        hostile(bindir)
    if 9 in sections:
        parse_throughput(bindir)
    if 10 in sections:
        jobs(bindir)
    note(f"machine: {machine()}; binaries {bindir}; total {time.perf_counter() - started:.0f} s")
    print()
    print_table(args.markdown)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"rows": ROWS, "notes": NOTES}, f, indent=2, ensure_ascii=False)


if __name__ == "__main__":
    main()
