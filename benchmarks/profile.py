#!/usr/bin/env python3
"""Profiles behind the missed targets of benchmarks/run.py (see BENCHMARKS.md).

    python3 benchmarks/profile.py [--bin .build/release] [--out /tmp/tiledesk-profile] [TOPIC ...]

Topics (all by default): cold, team-get, http, connections, bulk, sandbox, memory.
Needs `perf` (software event cpu-clock and tracepoints; no hardware counters needed) and
`valgrind` (callgrind counts instructions, repeatably). Everything runs on loopback; raw
profiles are left in --out for `perf report -i` / `callgrind_annotate`.
"""
import argparse
import collections
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run  # noqa: E402  (the benchmark helpers)

OUT = "/tmp/tiledesk-profile"


def demangle(text):
    swift = shutil.which("swift")
    if not swift:
        return text
    return subprocess.run([swift, "demangle", "--simplified"], input=text, capture_output=True, text=True).stdout


def perf_top(data, children, limit, comm=None, exclude_kernel=False):
    argv = ["perf", "report", "-i", data, "--stdio", "--sort", "sym", "--children" if children else "--no-children"]
    if comm:
        argv += ["--comm", comm]
    out = subprocess.run(argv, capture_output=True, text=True).stdout
    lines = [line for line in out.splitlines() if re.match(r"^\s+[0-9.]+%", line)]
    if exclude_kernel:
        lines = [line for line in lines if "[k]" not in line]
    return demangle("\n".join(lines[:limit]))


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def header(title):
    print(f"\n=== {title} ===", flush=True)


# ---------------------------------------------------------------------------------------------


def cold(bindir):
    header("cold start: where 200 spawns of the bridge spend their CPU (perf, cpu-clock)")
    rpc_bin = os.path.join(bindir, "tiledesk-rpc")
    ping = os.path.join(OUT, "ping.jsonl")
    with open(ping, "wb") as f:
        f.write(run.rpc("ping", 1))
    data = os.path.join(OUT, "cold.perf")
    loop = (f"for i in $(seq 200); do {rpc_bin} --api-url http://127.0.0.1:9/api --token x "
            f"--project-id {run.PROJECT} < {ping} > /dev/null; done")
    subprocess.run(["perf", "record", "-q", "-F", "10000", "-e", "cpu-clock", "-g", "-o", data, "--", "sh", "-c", loop],
                   capture_output=True)
    out = subprocess.run(["perf", "report", "-i", data, "--stdio", "--no-children", "--comm", "tiledesk-rpc",
                          "--sort", "dso,sym", "-g", "none"], capture_output=True, text=True).stdout
    by_dso = collections.Counter()
    for line in out.splitlines():
        m = re.match(r"^\s+([0-9.]+)%\s+(\S+)\s+\[", line)
        if m:
            by_dso[m.group(2)] += float(m.group(1))
    whole = sum(by_dso.values()) or 1
    print("-- by library, share of the bridge's own samples (top 8)")
    for name, share in by_dso.most_common(8):
        print(f"   {100 * share / whole:5.1f}%  {name}")
    print(f"-- self time (top 12; shares of all samples, the bridge's are {whole:.0f}% of them)")
    print(perf_top(data, children=False, limit=12, comm="tiledesk-rpc"))
    print("-- inclusive, user space (top 25; same base)")
    print(perf_top(data, children=True, limit=25, comm="tiledesk-rpc", exclude_kernel=True))
    out = subprocess.run([rpc_bin], input=run.rpc("ping", 1), capture_output=True, env=dict(os.environ, LD_DEBUG="statistics"))
    print("-- dynamic loader (LD_DEBUG=statistics)")
    print("\n".join(line.strip() for line in out.stderr.decode().splitlines()[:8]))
    libs = subprocess.run(["ldd", rpc_bin], capture_output=True, text=True).stdout.count("=>")
    print(f"-- shared libraries loaded: {libs}")


def team_get(bindir):
    header("team.get one at a time: CPU, context switches and syscalls per call (perf stat)")
    rpc_bin = os.path.join(bindir, "tiledesk-rpc")
    calls = 2000
    get = run.rpc("team.get", 1, {"project_user_id": run.ALICE})

    def probe(label, argv, line, record=None):
        p = run.LineProc(argv)
        for _ in range(300):
            p.send(line)
            p.readline()
        stat_file = os.path.join(OUT, "stat.txt")
        events = "sched:sched_switch,sched:sched_wakeup,raw_syscalls:sys_enter"
        stat = subprocess.Popen(["perf", "stat", "-x,", "-e", events, "-p", str(p.pid), "-o", stat_file],
                                stderr=subprocess.DEVNULL)
        rec = None
        if record:
            rec = subprocess.Popen(["perf", "record", "-q", "-F", "20000", "-e", "cpu-clock", "-g", "-p", str(p.pid),
                                    "-o", record], stderr=subprocess.DEVNULL)
        time.sleep(0.5)
        c0, t0 = cpu_seconds(p.pid), time.perf_counter()
        for _ in range(calls):
            p.send(line)
            p.readline()
        wall, cpu = (time.perf_counter() - t0) / calls, (cpu_seconds(p.pid) - c0) / calls
        for child in (stat, rec):
            if child:
                child.send_signal(2)
                child.wait()
        p.close()
        counts = {}
        for entry in open(stat_file):
            parts = entry.split(",")
            if len(parts) > 3 and parts[0].isdigit():
                counts[parts[2].split(":")[-1]] = int(parts[0]) / calls
        print(f"{label:32s} {wall * 1e3:6.3f} ms wall  {cpu * 1e3:6.3f} ms CPU  "
              + "  ".join(f"{k} {v:5.1f}" for k, v in counts.items()) + "  (per call)")

    with run.Emulator(bindir) as emu:
        argv = [rpc_bin, "--api-url", emu.url, "--token", run.TOKEN, "--project-id", run.PROJECT]
        probe("team.get, URLSession → emulator", argv, get)
        probe("  (again, under perf record)", argv, get, record=os.path.join(OUT, "team-get.perf"))
    probe("team.get, --sandbox (no HTTP)", [rpc_bin, "--sandbox"], get)
    probe("ping", [rpc_bin, "--sandbox"], run.rpc("ping", 1))
    probe("cat (the pipe floor)", ["cat"], run.rpc("ping", 1))
    data = os.path.join(OUT, "team-get.perf")
    print("-- bridge CPU by library (URLSession path)")
    out = subprocess.run(["perf", "report", "-i", data, "--stdio", "--no-children", "--sort", "dso"],
                         capture_output=True, text=True).stdout
    print("\n".join(line for line in out.splitlines() if re.match(r"^\s+[0-9.]+%", line))[:1500])
    print("-- inclusive, user space (top 30)")
    print(perf_top(data, children=True, limit=30, exclude_kernel=True))


def http(bindir):
    header("HTTP pipelined against nginx: bridge CPU per request by --max-concurrency, and its profile")
    if not run.ensure_apt("nginx", "wrk"):
        print("skipped: nginx is missing and apt-get could not install it")
        return
    rpc_bin = os.path.join(bindir, "tiledesk-rpc")
    calls = 10000
    payload = b"".join(run.rpc("team.get", i, {"project_user_id": run.ALICE}) for i in range(calls))
    data = os.path.join(OUT, "http.perf")
    with run.Nginx(bindir) as server:
        for limit in (1, 8, 16):
            p = run.LineProc([rpc_bin, "--api-url", server.api, "--token", run.TOKEN, "--project-id", run.PROJECT,
                              "--max-concurrency", str(limit)])
            p.send(run.rpc("ping", -1))
            p.readline()
            rec = None
            if limit == 8:
                rec = subprocess.Popen(["perf", "record", "-q", "-F", "5000", "-e", "cpu-clock", "-g", "-p", str(p.pid),
                                        "-o", data], stderr=subprocess.DEVNULL)
                time.sleep(0.5)
            c0, t0 = cpu_seconds(p.pid), time.perf_counter()
            p.send_in_background(payload)
            p.read_lines(calls, 120)
            wall, cpu = time.perf_counter() - t0, cpu_seconds(p.pid) - c0
            if rec:
                rec.send_signal(2)
                rec.wait()
            p.close()
            print(f"--max-concurrency {limit:2d}: {calls / wall:7,.0f} req/s, bridge CPU {cpu / calls * 1e3:.3f} ms/request, "
                  f"{cpu / wall:.2f} cores busy")
    print("-- self time (top 15)")
    print(perf_top(data, children=False, limit=15))
    print("-- inclusive, user space (top 30)")
    print(perf_top(data, children=True, limit=30, exclude_kernel=True))


def connections(bindir):
    header("connections: who closes the upstream sockets (perf tracepoints connect/close with call stacks)")
    rpc_bin = os.path.join(bindir, "tiledesk-rpc")
    payload = b"".join(run.rpc("team.get", i, {"project_user_id": run.ALICE}) for i in range(2000))
    for limit in (4, 8, 16):
        data = os.path.join(OUT, f"connections-{limit}.perf")
        with run.Emulator(bindir) as emu:
            emu.reset()
            p = run.LineProc(["perf", "record", "-q", "-g", "-e", "syscalls:sys_enter_connect,syscalls:sys_enter_close",
                              "-o", data, "--", rpc_bin, "--api-url", emu.url, "--token", run.TOKEN,
                              "--project-id", run.PROJECT, "--max-concurrency", str(limit)])
            time.sleep(1)
            p.send_in_background(payload)
            p.read_lines(2000, 120)
            stats = emu.stats()
            p.close()
        script = demangle(subprocess.run(["perf", "script", "-i", data], capture_output=True, text=True).stdout)
        connected, connects, closes, stacks = set(), 0, 0, collections.Counter()
        for block in script.split("\n\n"):
            lines = block.strip().splitlines()
            if not lines:
                continue
            m = re.search(r"sys_enter_connect: fd: 0x([0-9a-f]+)", lines[0])
            if m:
                connected.add(int(m.group(1), 16))
                connects += 1
                continue
            m = re.search(r"sys_enter_close: fd: 0x([0-9a-f]+)", lines[0])
            if m and int(m.group(1), 16) in connected:
                connected.discard(int(m.group(1), 16))
                closes += 1
                frames = [re.sub(r"^\s*[0-9a-f]+ ", "", f).split(" (/")[0][:100] for f in lines[1:6]]
                stacks[" <- ".join(frames)] += 1
        print(f"--max-concurrency {limit:2d}: emulator accepted {stats['connections']}, bridge connect() {connects}, "
              f"bridge close() of an upstream socket during the run {closes}, at most {stats['max_in_flight']} in flight")
        for stack, count in stacks.most_common(1):
            print(f"    most frequent close path ({count}x): {stack}")


def bulk(bindir):
    header("bulk: 1000 team.update at 100 rps, burst 10: upstream requests accepted / 429 per second, limiter log")
    rpc_bin = os.path.join(bindir, "tiledesk-rpc")
    for flags in ([], ["--no-retry-after"]):
        with run.Emulator(bindir, ["--rps", "100", "--burst", "10", *flags]) as emu:
            p = run.LineProc([rpc_bin, "--api-url", emu.url, "--token", run.TOKEN, "--project-id", run.PROJECT,
                              "--log-level", "info"], stderr=subprocess.PIPE)
            t0 = time.perf_counter()
            logs, samples, done = [], [], threading.Event()

            def read_log():
                for line in p.proc.stderr:
                    logs.append((time.perf_counter() - t0, line.decode().strip()))

            def poll():
                control = run.http.client.HTTPConnection(emu.host, emu.port, timeout=10)
                while not done.is_set():
                    control.request("GET", "/__emulator/stats?log=0")
                    s = json.loads(control.getresponse().read())
                    samples.append((time.perf_counter() - t0, s["requests"], s["rate_limited"]))
                    time.sleep(0.1)

            threading.Thread(target=read_log, daemon=True).start()
            threading.Thread(target=poll, daemon=True).start()
            p.send_in_background(b"".join(run.rpc("team.update", i, {"project_user_id": run.ALICE, "user_available": True})
                                          for i in range(1000)))
            p.read_lines(1000, 300)
            total = time.perf_counter() - t0
            done.set()
            time.sleep(0.2)
            p.close()
        print(f"-- {' '.join(flags) or 'with Retry-After'}: {total:.1f} s for 2000 upstream requests (ideal 20.0 s)")
        for t, line in logs:
            print(f"   {t:6.2f} s  {line[:140]}")
        per_second, previous = collections.OrderedDict(), (0, 0)
        for t, requests, limited in samples:
            accepted = (requests - limited) - (previous[0] - previous[1])
            a, l = per_second.get(int(t), (0, 0))
            per_second[int(t)] = (a + accepted, l + limited - previous[1])
            previous = (requests, limited)
        print("   second:accepted/429  " + "  ".join(f"{s}:{a}/{l}" for s, (a, l) in per_second.items()))


def sandbox(bindir):
    header("sandbox: instructions for 10,000 mixed requests (callgrind)")
    if not shutil.which("valgrind"):
        print("skipped: valgrind is missing")
        return
    rpc_bin = os.path.join(bindir, "tiledesk-rpc")
    requests = os.path.join(OUT, "sandbox-10k.jsonl")
    with open(requests, "wb") as f:
        f.write(run.sandbox_payload(10000))
    data = os.path.join(OUT, "sandbox.callgrind")
    with open(requests, "rb") as fin:
        subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={data}", rpc_bin, "--sandbox"],
                       stdin=fin, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    total_line = subprocess.run(["callgrind_annotate", data], capture_output=True, text=True).stdout
    total = int(re.search(r"([\d,]+) \(100.0%\)\s+PROGRAM TOTALS", total_line).group(1).replace(",", ""))
    print(f"total {total:,} instructions, {total / 10000:,.0f} per request (start-up included)")
    exclusive = demangle(total_line).split("file:function")[1].splitlines()[2:22]
    print("-- exclusive (top 20)")
    print("\n".join(line[:170] for line in exclusive))
    inclusive = demangle(subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", data],
                                        capture_output=True, text=True).stdout)
    print("-- inclusive, selected (synchronous functions; async frames are not attributed reliably)")
    for pattern in ("TiledeskEmulator.handle(", "static JSONParser.parse(", "ResponseClassifier.successBody",
                    "static JSONWriter.write(_:into:)", "Response.write(into:)", "EmulatorState.passport",
                    "RequestContext.init", "Reply.response", "PercentEncoding.encode", "static String._validate<",
                    "_swift_getGenericMetadata(", "swift_task_create "):
        hit = next((line for line in inclusive.splitlines() if pattern in line), None)
        if hit:
            print(hit[:170])


def memory(bindir):
    header("memory: RSS after 100,000 sandbox requests written in windows of N (VmHWM), and the idle map")
    rpc_bin = os.path.join(bindir, "tiledesk-rpc")
    lines = run.sandbox_payload(100000).split(b"\n")[:-1]

    def status(pid):
        values = {}
        for line in open(f"/proc/{pid}/status"):
            key = line.split(":")[0]
            if key in ("VmHWM", "VmRSS", "RssAnon", "RssFile"):
                values[key] = f"{int(line.split()[1]) / 1024:.1f} MB"
        return values

    for window in (100000, 10000, 1000, 100):
        p = run.LineProc([rpc_bin, "--sandbox"])
        sent = 0
        while sent < len(lines):
            chunk = lines[sent:sent + window]
            writer = p.send_in_background(b"\n".join(chunk) + b"\n")
            p.read_lines(len(chunk), 300)
            writer.join()
            sent += len(chunk)
        print(f"window {window:6d}: {status(p.pid)}")
        p.close()
    p = run.LineProc([rpc_bin, "--sandbox"])
    p.send(run.rpc("ping", 1))
    p.readline()
    rss, mapping = collections.Counter(), None
    for line in open(f"/proc/{p.pid}/smaps"):
        parts = line.split()
        if re.match(r"^[0-9a-f]+-[0-9a-f]+$", parts[0]):
            mapping = parts[5].split("/")[-1] if len(parts) > 5 else "[anonymous]"
        elif parts[0] == "Rss:":
            rss[mapping] += int(parts[1])
    p.close()
    total = sum(rss.values())
    print(f"-- idle bridge after one ping: {total / 1024:.1f} MB resident, by mapping:")
    for name, kb in rss.most_common(12):
        print(f"   {kb / 1024:5.1f} MB {100 * kb / total:5.1f}%  {name}")


TOPICS = {"cold": cold, "team-get": team_get, "http": http, "connections": connections, "bulk": bulk,
          "sandbox": sandbox, "memory": memory}


def main():
    global OUT
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", default=".build/release")
    parser.add_argument("--out", default=OUT)
    parser.add_argument("topics", nargs="*", metavar="TOPIC", help=", ".join(TOPICS))
    args = parser.parse_args()
    OUT = args.out
    os.makedirs(OUT, exist_ok=True)
    bindir = os.path.abspath(args.bin)
    unknown = [t for t in args.topics if t not in TOPICS]
    if unknown:
        parser.error(f"unknown topic {', '.join(unknown)}: choose from {', '.join(TOPICS)}")
    if not shutil.which("perf"):
        sys.exit("profile.py: needs perf (Debian: apt-get install linux-perf)")
    for topic in args.topics or TOPICS:
        TOPICS[topic](bindir)


if __name__ == "__main__":
    main()
