"""A one-triple SPARQL Update on a large store (issue 19, item 1): what does it cost?

Run by hand:

    python benchmarks/ops/update.py --work /tmp/ops-bench [--cities 5400] [--updates 5]

On a fresh copy of a store with the shipped graphs and `--cities` synthetic cities (5400 is
about 1M triples), `tcap serve --update` gets `--updates` one-triple `INSERT DATA`s, one after
the other, while another client sends an ASK every 20 ms. Prints each update's seconds and the
extra memory of all server processes during it (peak PSS, sampled every 50 ms, minus the PSS
just before), the ASK's p50/p99 while updates ran, and whether the goals hold (<= 0.5 s and
<= 100 MB extra per update; ASK p99 <= 100 ms).
"""

from __future__ import annotations

import argparse
import http.client
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from common import (
    ASK,
    MIB,
    Sampler,
    Tcap,
    describe,
    percentile,
    post_update,
    prepared_store,
    serve,
    sparql_path,
)

TARGET = "https://w3id.org/tcap-kg/graph/dataset/bench-update"


def peak_pss(server: Tcap, stop: threading.Event, peak: list[int]) -> None:
    while not stop.is_set():
        peak[0] = max(peak[0], server.pss())
        stop.wait(0.05)


def create_token(server: Tcap) -> str:
    made = subprocess.run(
        [sys.executable, "-m", "tcap_kg", "token", "create", "--name", "bench"],
        env=server.env,
        capture_output=True,
        text=True,
        check=True,
    )
    return made.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "tcap-ops-bench")
    parser.add_argument("--cities", type=int, default=5400, help="synthetic cities (~1M triples)")
    parser.add_argument("--updates", type=int, default=5)
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    store = prepared_store(args.work, args.cities, scratch=True)
    server = serve(args.work, store, {"TCAP_UPDATE": "on", "TCAP_QUERY_TIMEOUT": "25"})
    try:
        token = create_token(server)
        asks = Sampler(server.port, sparql_path(ASK), interval=0.02).start()
        time.sleep(2.0)
        windows: list[tuple[float, float]] = []
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=600)
        for number in range(args.updates):
            before = server.pss()
            peak = [before]
            stop = threading.Event()
            sampler = threading.Thread(target=peak_pss, args=(server, stop, peak))
            sampler.start()
            update = (
                f"INSERT DATA {{ GRAPH <{TARGET}> {{ <http://example.org/bench/u{number}> "
                f'<http://example.org/bench/p> "one triple" }} }}'
            )
            started = time.monotonic()
            status, body = post_update(connection, update, token)
            finished = time.monotonic()
            stop.set()
            sampler.join()
            windows.append((started, finished))
            print(
                f"update {number + 1}: {status} in {finished - started:.2f} s, "
                f"extra memory {(peak[0] - before) / MIB:.0f} MiB "
                f"(PSS {before / MIB:.0f} -> peak {peak[0] / MIB:.0f} MiB)"
                + ("" if status == 200 else f": {body[:200]!r}"),
                flush=True,
            )
            time.sleep(1.0)
        connection.close()
        samples = asks.stop()
        during = [s for s in samples if any(a <= s.at <= b for a, b in windows)]
        print(f"ASK during the updates: {describe(during)}")
        print(f"ASK over the whole run: {describe(samples)}")
        seconds = [b - a for a, b in windows]
        ok = [s.seconds * 1000 for s in during if s.status == 200]
        p99 = percentile(ok, 0.99)
        print(
            f"update median {sorted(seconds)[len(seconds) // 2]:.2f} s (goal <= 0.5 s); "
            f"ASK p99 during updates {p99:.0f} ms (goal <= 100 ms), "
            f"{sum(s.status != 200 for s in during)} ASKs refused"
        )
    finally:
        server.stop()


if __name__ == "__main__":
    main()
