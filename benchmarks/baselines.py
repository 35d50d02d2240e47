#!/usr/bin/env python3
"""Baselines that need `requests` (run by benchmarks/run.py with a throwaway venv's python).

  baselines.py naive-bulk --url API_ROOT --n N --threads 8 --retries 2
      N team.update done by hand: GET the teammate (the guard), then PUT the change, 8 threads,
      each with its own requests.Session whose adapter retries a 429 twice (urllib3 Retry: it
      sleeps Retry-After when sent, retries at once otherwise). Calls not started within
      --deadline seconds are skipped and counted as not done. Prints a JSON summary.

  baselines.py session-loop --url URL [--n N] [--seconds S]
      One requests.Session fetching URL in a tight loop, one request at a time.
      Prints {"requests", "seconds", "errors"}.
"""
import argparse
import json
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

PROJECT = "65f000000000000000000001"
ALICE = "65f0000000000000000000b3"
HEADERS = {"Authorization": "JWT sandbox-token-owner", "Accept": "application/json"}


def naive_bulk(args):
    """The usual requests recipe: an HTTPAdapter with urllib3's Retry on 429 (which sleeps
    Retry-After when the server sends it, and retries at once when it does not)."""
    url = f"{args.url}/{PROJECT}/project_users/{ALICE}"
    local = threading.local()
    deadline = time.perf_counter() + args.deadline

    def session():
        if not hasattr(local, "session"):
            retry = Retry(total=args.retries, status_forcelist=[429], allowed_methods=None, backoff_factor=0,
                          respect_retry_after_header=True, raise_on_status=False)
            s = requests.Session()
            s.mount("http://", HTTPAdapter(max_retries=retry))
            s.headers.update(HEADERS)
            local.session = s
        return local.session

    def update(_):
        if time.perf_counter() > deadline:
            return None  # not run: out of time
        try:
            guard = session().get(url, timeout=30)
            if guard.status_code != 200:
                return False
            put = session().put(url, json={"user_available": True}, timeout=30)
            return put.status_code == 200
        except requests.RequestException:
            return False

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=args.threads) as pool:
        results = list(pool.map(update, range(args.n)))
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "calls": args.n, "done": args.n - results.count(None),
                      "failures": results.count(False)}))


def session_loop(args):
    s = requests.Session()
    s.headers.update(HEADERS)
    errors = 0
    for _ in range(50):  # warm-up: connection set up, code paths hot
        s.get(args.url)
    started = time.perf_counter()
    deadline = started + args.seconds
    done = 0
    while done < args.n and time.perf_counter() < deadline:
        response = s.get(args.url)
        _ = response.content
        if response.status_code != 200:
            errors += 1
        done += 1
    seconds = time.perf_counter() - started
    print(json.dumps({"requests": done, "seconds": seconds, "errors": errors}))


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    bulk = sub.add_parser("naive-bulk")
    bulk.add_argument("--url", required=True)
    bulk.add_argument("--n", type=int, default=1000)
    bulk.add_argument("--threads", type=int, default=8)
    bulk.add_argument("--retries", type=int, default=2)
    bulk.add_argument("--deadline", type=float, default=60, help="seconds; later calls are not started")
    loop = sub.add_parser("session-loop")
    loop.add_argument("--url", required=True)
    loop.add_argument("--n", type=int, default=20000)
    loop.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    {"naive-bulk": naive_bulk, "session-loop": session_loop}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
