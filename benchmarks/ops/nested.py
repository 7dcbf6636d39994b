"""Deeply nested queries against `tcap serve` (issue 19, item 5): refused before any engine?

Run by hand:

    python benchmarks/ops/nested.py --work /tmp/ops-bench [--queries 100] [--depth 10000]

Sends `--queries` queries nested `--depth` groups deep (POST, four clients at once) and prints
their statuses and problem types, the query service's executor pids and the memory (PSS) of all
server processes before and after, and whether the goal holds (every answer a 400, the same
executors, memory within 1 %). `--warm-up` such queries are sent before, unmeasured, so the numbers
are those of a warm server: a fresh one's web workers grow by about 35 MiB over their first few
thousand requests, then stay flat (measured over 5 x 4000 more).
"""

from __future__ import annotations

import argparse
import http.client
import json
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from common import MIB, prepared_store, serve

CLIENTS = 4


def shares(client: Callable[[int], None], queries: int) -> list[threading.Thread]:
    """`queries` split between CLIENTS threads running `client(count)`, started."""
    counts = [queries // CLIENTS] * (CLIENTS - 1) + [queries - (CLIENTS - 1) * (queries // CLIENTS)]
    threads = [threading.Thread(target=client, args=(count,)) for count in counts]
    for thread in threads:
        thread.start()
    return threads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "tcap-ops-bench")
    parser.add_argument("--cities", type=int, default=1000)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--depth", type=int, default=10_000)
    parser.add_argument("--warm-up", type=int, default=4000, help="queries sent first, unmeasured")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    server = serve(args.work, prepared_store(args.work, args.cities))
    text = ("SELECT * WHERE " + "{ " * args.depth + "} " * args.depth).encode()
    outcomes: Counter[tuple[int, str]] = Counter()
    lock = threading.Lock()

    def client(count: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        for _ in range(count):
            connection.request(
                "POST", "/sparql", body=text, headers={"Content-Type": "application/sparql-query"}
            )
            response = connection.getresponse()
            body = response.read()
            kind = json.loads(body).get("type", "?").rsplit("/", 1)[-1] if body else "-"
            with lock:
                outcomes[(response.status, kind)] += 1
        connection.close()

    try:
        for thread in shares(client, args.warm_up):
            thread.join()
        outcomes.clear()
        time.sleep(1.0)
        executors, memory, roles = server.executors(), server.pss(), server.pss_by_role()
        started = time.monotonic()
        for thread in shares(client, args.queries):
            thread.join()
        seconds = time.monotonic() - started
        time.sleep(1.0)
        after_executors, after_memory = server.executors(), server.pss()
        after_roles = server.pss_by_role()
        shown = ", ".join(f"{n} x {status} {kind}" for (status, kind), n in outcomes.items())
        print(f"{args.queries} queries nested {args.depth} deep in {seconds:.2f} s: {shown}")
        print(f"executors before {executors}, after {after_executors}")
        growth = after_memory / memory
        print(
            f"PSS of all server processes: {memory / MIB:.0f} MiB before, "
            f"{after_memory / MIB:.0f} MiB after ({growth:.3f}x); by role: "
            + ", ".join(
                f"{role} {roles.get(role, 0) / MIB:.1f} -> {after_roles[role] / MIB:.1f}"
                for role in after_roles
            )
        )
        met = (
            outcomes == Counter({(400, "unsafe-input"): args.queries})
            and executors == after_executors
            and growth <= 1.01
        )
        print(f"goal (all 400, same executors, memory within 1 %): {'met' if met else 'MISSED'}")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
