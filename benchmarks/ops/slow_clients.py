"""Slow clients against `tcap serve` (issue 19, item 3): does another client still get answers?

Run by hand:

    python benchmarks/ops/slow_clients.py --work /tmp/ops-bench [--connections 500]

One client sends an ASK every 50 ms for `--seconds`, three times: with no attack (the
baseline), while `--connections` connections trickle their headers one line every half second
(each cut off by the server after TCAP_HEADER_TIMEOUT and opened again, so the attack keeps its
strength), and while as many connections each send whole headers and a tenth of the announced
body, then nothing (answered 408 after TCAP_BODY_TIMEOUT and opened again). Prints the ASK's p50/p99 and refusals for each, the ratios to the baseline,
how many slow connections the server cut, and whether the goal holds (another client's ASK
< 1 s with 500 slow connections open).
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from pathlib import Path

from common import (
    ASK,
    Sampler,
    SlowClients,
    describe,
    percentile,
    prepared_store,
    serve,
    sparql_path,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "tcap-ops-bench")
    parser.add_argument("--cities", type=int, default=1000, help="synthetic cities in the store")
    parser.add_argument("--connections", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=15.0, help="per phase")
    parser.add_argument("--header-timeout", default="10", help="TCAP_HEADER_TIMEOUT of the server")
    parser.add_argument("--body-timeout", default="10", help="TCAP_BODY_TIMEOUT of the server")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    store = prepared_store(args.work, args.cities)
    server = serve(
        args.work,
        store,
        {"TCAP_HEADER_TIMEOUT": args.header_timeout, "TCAP_BODY_TIMEOUT": args.body_timeout},
    )
    try:
        print(
            f"tcap serve, {args.cities} synthetic cities, TCAP_HEADER_TIMEOUT={args.header_timeout} s, "
            f"TCAP_BODY_TIMEOUT={args.body_timeout} s; "
            f"an ASK every 50 ms for {args.seconds:g} s per phase",
            flush=True,
        )
        phases = {}
        for name, attack in (
            ("baseline", None),
            ("trickled headers", SlowClients(server.port, args.connections, reconnect=True)),
            (
                "half-sent bodies",
                SlowClients(server.port, args.connections, half_body=True, reconnect=True),
            ),
        ):
            if attack is not None:
                attack.start()
                time.sleep(1.0)
            samples = Sampler(server.port, sparql_path(ASK), timeout=10).start()
            time.sleep(args.seconds)
            phases[name] = samples.stop()
            if attack is not None:
                print(
                    f"  {name}: opened {attack.opened}, cut by the server {attack.cut}, "
                    f"open at the end {attack.open_now}",
                    flush=True,
                )
                attack.stop()
                time.sleep(2.0)
            print(f"{name:>18}: {describe(phases[name])}", flush=True)
        base = [s.seconds for s in phases["baseline"] if s.status == 200]
        for name in ("trickled headers", "half-sent bodies"):
            ok = [s.seconds for s in phases[name] if s.status == 200]
            ratio = percentile(ok, 0.5) / percentile(base, 0.5) if ok else math.inf
            worst = max((s.seconds for s in phases[name]), default=math.inf)
            failed = sum(s.status != 200 for s in phases[name])
            verdict = "met" if failed == 0 and worst < 1.0 else "MISSED"
            print(
                f"{name}: ASK p50 {ratio:.2f}x the baseline; slowest {worst * 1000:.0f} ms, "
                f"{failed} without an answer -> goal (every ASK < 1 s) {verdict}"
            )
    finally:
        server.stop()


if __name__ == "__main__":
    main()
