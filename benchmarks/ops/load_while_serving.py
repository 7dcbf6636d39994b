"""`tcap load --no-validate` into a running server (issue 19, item 2): do reads go on?

Run by hand:

    python benchmarks/ops/load_while_serving.py --work /tmp/ops-bench [--triples 1000000]

A server on a fresh copy of a small store (`--cities`) answers an ASK every 50 ms and /healthz
every 200 ms from two other clients while `tcap load --no-validate` streams `--triples`
synthetic triples into a new graph of the same store. Prints the load's seconds, both clients'
answers second by second (`--window`), the reads refused (goal 0), /healthz (goal: always 200),
whether the new graph answers once the load is done, and the ASK p50/p99 before, during and
after the load, and the slowest read (the issue also asks for reads at their usual speed).
"""

from __future__ import annotations

import argparse
import http.client
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import (
    ASK,
    Sampler,
    describe,
    prepared_store,
    serve,
    sparql_path,
    synth_file,
    timeline,
)

LOADED = "https://w3id.org/tcap-kg/graph/external/bench-load"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "tcap-ops-bench")
    parser.add_argument("--cities", type=int, default=1000, help="synthetic cities served")
    parser.add_argument("--triples", type=int, default=1_000_000, help="triples loaded")
    parser.add_argument("--window", type=float, default=1.0, help="seconds per timeline line")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    data = synth_file(args.work, triples=args.triples)
    server = serve(args.work, prepared_store(args.work, args.cities, scratch=True))
    try:
        asks = Sampler(server.port, sparql_path(ASK), interval=0.05, timeout=30).start()
        health = Sampler(server.port, "/healthz", interval=0.2, timeout=30).start()
        time.sleep(3.0)
        started = time.monotonic()
        loading = subprocess.run(
            [sys.executable, "-m", "tcap_kg", "load", "--no-validate", "--graph", LOADED, data],
            env=server.env,
            capture_output=True,
            text=True,
            check=False,
        )
        finished = time.monotonic()
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        connection.request(
            "GET",
            sparql_path(f"ASK {{ GRAPH <{LOADED}> {{ ?s ?p ?o }} }}"),
            headers={"Accept": "application/sparql-results+json"},
        )
        visible = connection.getresponse().read()
        connection.close()
        time.sleep(3.0)
        ask_samples, health_samples = asks.stop(), health.stop()
        print(
            f"tcap load --no-validate of {data.name}: exit {loading.returncode} in "
            f"{finished - started:.1f} s{'' if loading.returncode == 0 else ': ' + loading.stderr[-300:]}"
        )
        print(f"the loaded graph answers right after: {b'true' in visible}")
        print("ASK every 50 ms, second by second from the start of the load:")
        print("\n".join(timeline(ask_samples, started, args.window)))
        print("/healthz every 200 ms:")
        print("\n".join(timeline(health_samples, started, args.window)))
        for name, chosen in (
            ("before", [s for s in ask_samples if s.at < started]),
            ("during", [s for s in ask_samples if started <= s.at < finished]),
            ("after", [s for s in ask_samples if s.at >= finished]),
        ):
            print(f"ASK {name} the load: {describe(chosen)}")
        during_health = [s for s in health_samples if started <= s.at < finished]
        print(f"/healthz during the load: {describe(during_health)}")
        refused = sum(s.status != 200 for s in ask_samples)
        unhealthy = sum(s.status != 200 for s in health_samples)
        slowest = max((s.seconds for s in ask_samples + health_samples), default=0.0)
        print(
            f"reads refused {refused} (goal 0), /healthz not 200 {unhealthy} times (goal 0) -> "
            f"{'met' if refused == 0 and unhealthy == 0 else 'MISSED'}; slowest read "
            f"{slowest * 1000:.0f} ms (reads at their usual speed, <= 100 ms: "
            f"{'met' if slowest <= 0.1 else 'MISSED'})"
        )
    finally:
        server.stop()


if __name__ == "__main__":
    main()
