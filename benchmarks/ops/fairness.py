"""One greedy client against `tcap serve` (issue 19, item 4): does another client's ASK wait?

Run by hand:

    python benchmarks/ops/fairness.py --work /tmp/ops-bench [--cities 5400] [--made-up-tokens]

A polite client sends an ASK every 50 ms, first alone (the baseline), then while a greedy client
keeps 20 heavy GROUP BY queries in flight (the mix's `count-types` and `claims-per-component`).
Both are told apart by X-Forwarded-For from 127.0.0.1, a trusted proxy here; the answer cache is
off, so every heavy query runs. With `--made-up-tokens` the greedy client also sends a new bearer
token with every request (no valid token is needed to read), to see whether that buys it more
than its share. Prints the polite
ASK's p50/p99, the greedy client's statuses (429s are its share being enforced) and whether the
goal holds (polite ASK p50 <= 50 ms).
"""

from __future__ import annotations

import argparse
import http.client
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from common import ASK, MIX, Sampler, describe, percentile, prepared_store, serve, sparql_path

GREEDY = 20


def greedy_client(
    port: int, stop: threading.Event, statuses: Counter[int], number: int, made_up_tokens: bool
) -> None:
    heavy = [sparql_path(MIX["count-types"]), sparql_path(MIX["claims-per-component"])]
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    sent = 0
    while not stop.is_set():
        sent += 1
        headers = {"X-Forwarded-For": "10.0.0.1", "Accept": "application/sparql-results+json"}
        if made_up_tokens:
            headers["Authorization"] = f"Bearer made-up-{number}-{sent}"
        try:
            connection.request("GET", heavy[sent % 2], headers=headers)
            response = connection.getresponse()
            response.read()
            statuses[response.status] += 1
            if response.status == 429:
                stop.wait(0.01)
        except (OSError, http.client.HTTPException):
            statuses[0] += 1
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "tcap-ops-bench")
    parser.add_argument("--cities", type=int, default=5400, help="synthetic cities (~1M triples)")
    parser.add_argument("--seconds", type=float, default=20.0, help="per phase")
    parser.add_argument("--made-up-tokens", action="store_true")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    store = prepared_store(args.work, args.cities)
    server = serve(args.work, store, {"TCAP_TRUSTED_PROXIES": "127.0.0.1", "TCAP_CACHE_BYTES": "0"})
    polite = {"X-Forwarded-For": "10.0.0.2"}
    try:
        baseline = Sampler(server.port, sparql_path(ASK), headers=polite).start()
        time.sleep(args.seconds)
        alone = baseline.stop()
        print(f"polite ASK alone:            {describe(alone)}", flush=True)
        stop = threading.Event()
        statuses: Counter[int] = Counter()
        greedy = [
            threading.Thread(
                target=greedy_client,
                args=(server.port, stop, statuses, number, args.made_up_tokens),
            )
            for number in range(GREEDY)
        ]
        for thread in greedy:
            thread.start()
        time.sleep(2.0)
        during = Sampler(server.port, sparql_path(ASK), headers=polite).start()
        time.sleep(args.seconds)
        crowded = during.stop()
        stop.set()
        for thread in greedy:
            thread.join()
        print(f"polite ASK beside c={GREEDY}:     {describe(crowded)}")
        shown = ", ".join(f"{status or 'no answer'}: {n}" for status, n in sorted(statuses.items()))
        tokens = " (a made-up token on each request)" if args.made_up_tokens else ""
        print(f"greedy client{tokens}: {shown}")
        ok = [s.seconds * 1000 for s in crowded if s.status == 200]
        base = [s.seconds * 1000 for s in alone if s.status == 200]
        p50 = percentile(ok, 0.5)
        refused = sum(s.status != 200 for s in crowded)
        print(
            f"polite ASK p50 {p50:.1f} ms ({p50 / percentile(base, 0.5):.1f}x alone), "
            f"p99 {percentile(ok, 0.99):.1f} ms, {refused} refused -> goal (p50 <= 50 ms) "
            f"{'met' if p50 <= 50 and not refused else 'MISSED'}"
        )
    finally:
        server.stop()


if __name__ == "__main__":
    main()
