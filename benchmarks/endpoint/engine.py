"""Where a heavy query's time goes: tcap serve, the engine it runs on, and oxigraph serve.

`bench.py` compares whole servers. When tcap falls short of `oxigraph serve` on a heavy query,
this script tells whether the loss is ours (HTTP, the guard, the executors) or the engine's: it
runs the same query, at the same concurrency, against

  - tcap serve (all safety features on, cache off),
  - pyoxigraph alone: read-only handles on tcap's store, in as many processes and threads as
    tcap's executors have (`--processes`, `--threads`), no HTTP at all,
  - oxigraph serve on the same data,

and counts all three the same way: a closed loop of `--concurrency` clients for `--seconds`,
answers finished after the window included, divided by the time until the last one finished.
Rounds rotate which of the three goes first. Run it on a work directory `bench.py` made:

    python benchmarks/endpoint/engine.py --work /tmp/bench10k --rounds 6
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable
from multiprocessing import get_context
from pathlib import Path

import pyoxigraph as ox
from bench import MIX, Servers, add_tcap_env_option, tcap_env

from tcap_kg.store.versions import is_store, read_current

HEAVY = ("count-types", "claims-per-component")


def closed_loop(clients: int, seconds: float, ask: Callable[[], None]) -> tuple[int, float]:
    """Run `ask` in `clients` threads until the window closes: the number of answers and the
    time until the last one arrived (answers still running at the close count, and so does
    the time they take)."""
    started = time.monotonic()
    stop = started + seconds
    done = [0]
    lock = threading.Lock()

    def client() -> None:
        while time.monotonic() < stop:
            ask()
            with lock:
                done[0] += 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return done[0], time.monotonic() - started


def engine_process(location: str, query: str, threads: int, seconds: float) -> tuple[int, float]:
    """One process of the engine alone: a read-only handle and `threads` query threads."""
    store = ox.Store.read_only(location)

    def ask() -> None:
        list(store.query(query, use_default_graph_as_union=True))  # type: ignore[arg-type]

    ask()
    return closed_loop(threads, seconds, ask)


def engine_rate(location: Path, query: str, processes: int, threads: int, seconds: float) -> float:
    with get_context("fork").Pool(processes) as pool:
        runs = pool.starmap(engine_process, [(str(location), query, threads, seconds)] * processes)
    return sum(done for done, _ in runs) / max(elapsed for _, elapsed in runs)


def http_rate(url: str, query: str, clients: int, seconds: float) -> float:
    parts = urllib.parse.urlsplit(url)
    target = parts.path + "?query=" + urllib.parse.quote(query)
    local = threading.local()

    def ask() -> None:
        if not hasattr(local, "conn"):
            local.conn = http.client.HTTPConnection(parts.netloc, timeout=600)
        local.conn.request("GET", target, headers={"Accept": "application/sparql-results+json"})
        response = local.conn.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"{url}: {response.status} {body[:200]!r}")

    ask()
    done, elapsed = closed_loop(clients, seconds, ask)
    return done / elapsed


def compare(name: str, servers: Servers, args: argparse.Namespace) -> None:
    """Measure one query in rounds and print each round and the medians of the ratios."""
    query = MIX[name]
    peers: dict[str, Callable[[], float]] = {
        "tcap": lambda: http_rate(servers.urls["tcap"], query, args.concurrency, args.seconds),
        "engine": lambda: engine_rate(
            servers.tcap_store / "versions" / read_current(servers.tcap_store),
            query,
            args.processes,
            args.threads,
            args.seconds,
        ),
        "oxigraph": lambda: http_rate(
            servers.urls["oxigraph"], query, args.concurrency, args.seconds
        ),
    }
    order = list(peers)
    rates: dict[str, list[float]] = {peer: [] for peer in peers}
    for round_number in range(args.rounds):
        turn = order[round_number % 3 :] + order[: round_number % 3]
        for peer in turn:
            rates[peer].append(peers[peer]())
        print(
            f"{name} round {round_number + 1} ({turn[0]} first): "
            + "  ".join(f"{peer} {rates[peer][-1]:.2f}/s" for peer in order),
            flush=True,
        )

    def ratio(a: str, b: str) -> float:
        return statistics.median(x / y for x, y in zip(rates[a], rates[b], strict=True))

    print(
        f"{name}, c={args.concurrency}, medians of per-round ratios: "
        f"tcap/engine {ratio('tcap', 'engine'):.2f}, "
        f"engine/oxigraph serve {ratio('engine', 'oxigraph'):.2f}, "
        f"tcap/oxigraph serve {ratio('tcap', 'oxigraph'):.2f}\n",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--work", type=Path, required=True, help="a work directory of bench.py")
    parser.add_argument("--query", choices=sorted(MIX), action="append", help="default: heavy ones")
    parser.add_argument("--seconds", type=float, default=12.0)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--processes", type=int, default=2, help="tcap: workers x executors")
    parser.add_argument("--threads", type=int, default=4, help="tcap: TCAP_QUERY_THREADS")
    add_tcap_env_option(parser)
    args = parser.parse_args()
    missing = f"{args.work} has no data and stores of bench.py; run bench.py --work first"
    data = next(args.work.glob("synth-*.nt"), None)
    if data is None:
        sys.exit(missing)
    servers = Servers(args.work, data, use_rdflib=False, tcap_env=tcap_env(args))
    if not is_store(servers.tcap_store):
        sys.exit(missing)
    try:
        servers.start()
        for name in args.query or HEAVY:
            compare(name, servers, args)
    finally:
        servers.stop()


if __name__ == "__main__":
    main()
