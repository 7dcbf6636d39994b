"""TCap KG on Virtuoso against Virtuoso on its own: loading a large dump, and the named queries.

Run by hand (needs Debian's `virtuoso-opensource`; starts its own server on free 127.0.0.1 ports
with a scratch database in the work directory, set up as the README says):

    python benchmarks/remote/bench.py --work /tmp/remote-bench --triples 1000000 --rounds 2

Two comparisons, each measured in the same run, on the same server and the same file:

- load: `tcap load --no-validate --graph G dump.nt` (the whole command: its syntax pass over the
  dump, staged upload, verification, swap) against Virtuoso's own bulk loader
  (`ld_dir` + `rdf_loader_run` + `checkpoint`, as its documentation gives it) into another graph.
  Goal: tcap's rate at least 0.5x the native loader's.
- queries: every named query (city parameters bound to Beijing) through the remote store's
  `query()` (binding, text rewriting, HTTP, answer filter, parsing every row) against the same
  query text POSTed straight to Virtuoso and parsed into rows with pyoxigraph. The store holds
  the shipped data and the Dalian example (measured before the dump is loaded: on the synthetic
  dump Virtuoso needs over a minute for some of the queries, whoever sends them).
  Goal: at least 0.9x direct.

Rounds alternate which side goes first. Ratios are printed as tcap rate / peer rate.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pyoxigraph as ox

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(REPO / "tests"))

from sparql_servers import VirtuosoServer, emptied, start_virtuoso  # noqa: E402

from tcap_kg.bootstrap import sync_shipped  # noqa: E402
from tcap_kg.catalogue import catalogue  # noqa: E402
from tcap_kg.loading import commit_datasets  # noqa: E402
from tcap_kg.namespaces import GRAPH  # noqa: E402
from tcap_kg.rdfio import format_from_name, parse_bytes  # noqa: E402
from tcap_kg.settings import Settings  # noqa: E402
from tcap_kg.sparql_text import bind  # noqa: E402
from tcap_kg.store import RemoteStore, open_store  # noqa: E402
from tcap_kg.store.remote.answers import ACCEPT_RESULTS  # noqa: E402

CITY = ox.NamedNode("https://w3id.org/tcap-kg/id/city/beijing")
BUFFERS = {"Parameters": {"NumberOfBuffers": "340000", "MaxDirtyBuffers": "250000"}}
"""Virtuoso's own advice for a machine with 4 GB or more to spare; the same for both sides."""


def dump(work: Path, triples: int) -> Path:
    """The synthetic city graph (benchmarks/synth.py) as N-Triples, made once."""
    path = work / "data" / f"synth-{triples}.nt"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                sys.executable,
                str(REPO / "benchmarks/synth.py"),
                "--triples",
                str(triples),
                "--seed",
                "1",
                "--violations",
                "0",
                "-o",
                str(path),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return path


def native_load(server: VirtuosoServer, path: Path, graph: str) -> float:
    started = time.perf_counter()
    server.isql(f"ld_dir('{path.parent}', '{path.name}', '{graph}'); rdf_loader_run(); checkpoint;")
    elapsed = time.perf_counter() - started
    errors = server.isql("select count(*) from DB.DBA.LOAD_LIST where ll_error is not null;")
    assert "\n0\n" in errors.replace(" ", ""), errors
    server.isql("delete from DB.DBA.LOAD_LIST;")
    return elapsed


def tcap_load(server: VirtuosoServer, path: Path, graph: str) -> float:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TCAP_")}
    environment.update(server.environment())
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "tcap_kg", "load", "--no-validate", "--graph", graph, str(path)],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    assert done.returncode == 0, done.stderr
    return elapsed


def count(server: VirtuosoServer, graph: str) -> int:
    answer = httpx.post(
        server.url + "/sparql",
        data={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=600,
    )
    return int(answer.json()["results"]["bindings"][0]["n"]["value"])


def drop(server: VirtuosoServer, graph: str) -> None:
    server.isql(f"SPARQL CLEAR GRAPH <{graph}>; checkpoint;")


def bench_load(server: VirtuosoServer, path: Path, rounds: int) -> float:
    native_graph, tcap_graph = "http://bench.example/native", GRAPH + "external/bench"
    times: dict[str, list[float]] = {"native": [], "tcap": []}
    triples = sum(1 for line in path.open("rb") if line.strip())
    for round_ in range(rounds):
        order = ["native", "tcap"] if round_ % 2 == 0 else ["tcap", "native"]
        for side in order:
            if side == "native":
                drop(server, native_graph)
                times["native"].append(native_load(server, path, native_graph))
                assert count(server, native_graph) == triples
            else:
                drop(server, tcap_graph)
                times["tcap"].append(tcap_load(server, path, tcap_graph))
                assert count(server, tcap_graph) == triples
            print(f"  load round {round_ + 1}: {side:6} {times[side][-1]:6.1f} s", flush=True)
    native, ours = statistics.median(times["native"]), statistics.median(times["tcap"])
    ratio = native / ours
    print(
        f"load {triples} triples: native {native:.1f} s ({triples / native:,.0f} triples/s), "
        f"tcap {ours:.1f} s ({triples / ours:,.0f} triples/s): tcap/native = {ratio:.2f} "
        f"(goal >= 0.5)"
    )
    return ratio


def bench_queries(server: VirtuosoServer, rounds: int, repeats: int) -> float:
    settings = Settings.from_env({}, **server.settings()).replace(query_timeout=3600.0)
    store = open_store(settings, read_only=True)
    assert isinstance(store, RemoteStore)
    mix = []
    for query in catalogue().values():
        bindings = {"city": CITY} if any(p.name == "city" for p in query.parameters) else {}
        if any(p.required and p.name not in bindings for p in query.parameters):
            continue
        mix.append((query.name, query.sparql, bindings))
    client = httpx.Client(
        auth=httpx.DigestAuth(settings.store_user, settings.store_password), timeout=3600
    )
    url = store.endpoints.query

    def through_tcap() -> int:
        rows = 0
        for _, text, bindings in mix:
            rows += sum(1 for _ in store.query(text, bindings=bindings))  # type: ignore[union-attr]
        return rows

    def direct() -> int:
        rows = 0
        for _, text, bindings in mix:
            sent = bind(text, {k: store.portable.stored(v) for k, v in bindings.items()})
            answer = client.post(url, data={"query": sent}, headers={"Accept": ACCEPT_RESULTS})
            answer.raise_for_status()
            parsed = ox.parse_query_results(io.BytesIO(answer.content), ox.QueryResultsFormat.JSON)
            rows += sum(1 for _ in parsed)  # type: ignore[union-attr]
        return rows

    assert through_tcap() == direct(), "the two sides must get the same rows"
    times: dict[str, list[float]] = {"tcap": [], "direct": []}
    for round_ in range(rounds):
        sides = [("tcap", through_tcap), ("direct", direct)]
        for name, run in sides if round_ % 2 == 0 else reversed(sides):
            started = time.perf_counter()
            for _ in range(repeats):
                run()
            times[name].append(time.perf_counter() - started)
    ours, theirs = statistics.median(times["tcap"]), statistics.median(times["direct"])
    ratio = theirs / ours
    per_mix = len(mix) * repeats
    print(
        f"named queries ({len(mix)} queries x {repeats} x {rounds} rounds): direct "
        f"{theirs / per_mix * 1000:.1f} ms/query, tcap {ours / per_mix * 1000:.1f} ms/query: "
        f"tcap/direct = {ratio:.2f} (goal >= 0.9)"
    )
    store.close()
    client.close()
    return ratio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--work", type=Path, required=True, help="scratch directory")
    parser.add_argument("--triples", type=int, default=1_000_000, help="size of the dump to make")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=20, help="query mixes per round")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    path = dump(args.work, args.triples).resolve()
    database = args.work / "virtuoso"
    shutil.rmtree(database, ignore_errors=True)
    allowed = {"DirsAllowed": f"., {database}, {path.parent}"}
    server = start_virtuoso(
        database, {**BUFFERS, "Parameters": {**BUFFERS["Parameters"], **allowed}}
    )
    try:
        store = emptied(server.settings())
        sync_shipped(store)
        dalian = REPO / "examples/dalian/dalian.ttl"
        parsed = parse_bytes(dalian.read_bytes(), format_from_name(dalian.name), source=dalian.name)
        commit_datasets(store, [(parsed, GRAPH + "dataset/dalian")])
        store.close()
        queries = bench_queries(server, args.rounds * 2, args.repeats)
        load = bench_load(server, path, args.rounds)
        print(f"summary: load {load:.2f}x native, queries {queries:.2f}x direct")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
