"""`tcap validate` beside plain pySHACL and pyshacl-turbo, on the same data and shapes.

Run by hand (it takes a while at 1M triples, mostly plain pySHACL):

    python benchmarks/validation/bench.py                 # 10k, 100k and 1M triples
    python benchmarks/validation/bench.py --sizes 10000 100000 --skip-pyshacl-above 200000
    python benchmarks/validation/bench.py --sizes 1000000 --skip-pyshacl-above 0 --rounds 3

For each size it generates a synthetic dataset (benchmarks/synth.py, seed 1, about a third of the
cities carrying one seeded violation) and runs, each in a fresh process, timed from launch to exit
with the peak resident memory of that process:

- `tcap validate FILE --format json` as a user runs it;
- pyshacl-turbo over a pyoxigraph store (the fastest way we found to run it): bulk-load the file
  plus the shipped ontology and data into an in-memory store, then validate;
- plain pySHACL over an rdflib graph of the same files.

The two engines get exactly the knowledge `tcap validate` uses as context (ontology and shipped
data), so all three should find the same violations; the table says whether they do and gives
each time and memory as a ratio to the fastest run that found them, and the CPU time (all
threads: `tcap validate` runs its term check beside the engine on a second core) with its
ratio, which stays meaningful when other work loads the machine. `tcap validate` also reports
the terms of our namespace that the ontology does not define (two per dataset, from the seeded
unknown component and rating); those are counted apart, and the shape results it folds into
them (see `tcap_kg.validation.folding`) are counted as the engines report them.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from contextlib import suppress
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))

import pyoxigraph as ox  # noqa: E402
from synth import generate  # noqa: E402

ENGINE_CHILD = r"""
import json, sys
from pathlib import Path
import pyoxigraph as ox
import rdflib
engine, data_file, out = sys.argv[1], sys.argv[2], sys.argv[3]
from tcap_kg.shipped import shipped_files
from tcap_kg.validation.engine import findings_from_report
from tcap_kg.validation.shapes import load_shapes
context = [f.path for f in shipped_files() if not f.relative.startswith("shapes/")]
shapes = load_shapes()
if engine == "turbo":
    import pyshacl_turbo
    store = ox.Store()
    store.bulk_load(path=data_file, format=ox.RdfFormat.TURTLE)
    for path in context:
        store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
    program = pyshacl_turbo.compile_shapes(shapes.rdflib_graph)
    conforms, report, _ = program.validate(store)
else:
    import pyshacl
    graph = rdflib.Graph()
    graph.parse(data_file, format="turtle")
    for path in context:
        graph.parse(str(path), format="turtle")
    conforms, report, _ = pyshacl.validate(graph, shacl_graph=shapes.rdflib_graph, allow_warnings=True)
keys = [list(f.key()) for f in findings_from_report(report) if f.severity.value == "Violation"]
Path(out).write_text(json.dumps(keys))
"""


@dataclass
class Run:
    name: str
    seconds: float
    peak_mib: float
    cpu_seconds: float
    violations: set[tuple[str, ...]]
    extra: int = 0


def measure(
    command: list[str], env: dict[str, str] | None = None
) -> tuple[float, float, float, int]:
    """Wall time, peak RSS (MiB), CPU time (user + system, all threads) and exit status of one
    child process. On a busy machine wall times stretch with the others' load; CPU time does
    much less, so both are shown."""
    started = time.perf_counter()
    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    cpu = usage.ru_utime + usage.ru_stime
    return seconds, usage.ru_maxrss / 1024, cpu, os.waitstatus_to_exitcode(status)


def run_tcap(data: Path, work: Path) -> Run:
    out = work / "tcap.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TCAP_")}
    env["TCAP_STORE"] = "memory:"
    seconds, peak, cpu, code = measure(
        [
            sys.executable,
            "-m",
            "tcap_kg",
            "validate",
            str(data),
            "--format",
            "json",
            "-o",
            str(out),
        ],
        env,
    )
    if code not in (0, 1):
        raise SystemExit(f"tcap validate failed with status {code}")
    report = json.loads(out.read_text())
    keys: set[tuple[str, ...]] = set()
    extra = 0
    for node in report["nodes"]:
        results = [r for f in node["findings"] for r in (f, *f["followOns"])]
        for finding in results:
            focus = _value_key(finding["node"])
            if finding["severity"] != "Violation":
                continue
            if finding["sourceShape"].endswith("#KnownTermsShape"):
                extra += 1
                continue
            value = finding["value"]
            keys.add(
                canonical(
                    (
                        "Violation",
                        focus,
                        finding["path"] or "",
                        _value_key(value),
                        finding["sourceShape"] or "",
                    )
                )
            )
    return Run("tcap validate", seconds, peak, cpu, keys, extra)


def canonical(key: tuple[str, ...]) -> tuple[str, ...]:
    """A finding key with numbers in canonical form: engines differ in how they print 38.90."""
    *head, value, shape = key
    match = re.fullmatch(
        r'"([^"]*)"\^\^<http://www.w3.org/2001/XMLSchema#(decimal|double|integer)>', value
    )
    if match:
        with suppress(InvalidOperation):
            value = f"{Decimal(match.group(1)).normalize()}^^{match.group(2)}"
    return (*head, value, shape)


def _value_key(value: dict[str, object] | None) -> str:
    """The same text `str(term)` gives for a pyoxigraph term, from its SPARQL-JSON form."""
    if value is None:
        return ""
    text = str(value["value"])
    if value["type"] == "uri":
        return str(ox.NamedNode(text))
    if value["type"] == "bnode":
        return "_:b"
    if "xml:lang" in value:
        return str(ox.Literal(text, language=str(value["xml:lang"])))
    datatype = str(value.get("datatype", "http://www.w3.org/2001/XMLSchema#string"))
    return str(ox.Literal(text, datatype=ox.NamedNode(datatype)))


def run_engine(engine: str, data: Path, work: Path) -> Run:
    out = work / f"{engine}.json"
    script = work / "engine_child.py"
    script.write_text(ENGINE_CHILD)
    seconds, peak, cpu, code = measure([sys.executable, str(script), engine, str(data), str(out)])
    if code != 0:
        raise SystemExit(f"{engine} failed with status {code}")
    keys = {canonical(tuple(key)) for key in json.loads(out.read_text())}
    label = "pyshacl-turbo (store)" if engine == "turbo" else "pySHACL (rdflib)"
    return Run(label, seconds, peak, cpu, keys)


def measure_rounds(data: Path, work: Path, rounds: int, *, plain: bool) -> list[Run]:
    """Each engine `rounds` times, the order turned around every round so that neither always
    runs first (warm caches) or last; each keeps its fastest time and smallest peak, which is
    what it costs when the machine is not busy with something else."""
    runners = [
        lambda: run_tcap(data, work),
        lambda: run_engine("turbo", data, work),
        *([lambda: run_engine("pyshacl", data, work)] if plain else []),
    ]
    best: list[Run | None] = [None] * len(runners)
    for round_number in range(rounds):
        order = list(range(len(runners)))
        if round_number % 2:
            order.reverse()
        for index in order:
            run = runners[index]()
            kept = best[index]
            if kept is None:
                best[index] = run
            else:
                kept.seconds = min(kept.seconds, run.seconds)
                kept.peak_mib = min(kept.peak_mib, run.peak_mib)
                kept.cpu_seconds = min(kept.cpu_seconds, run.cpu_seconds)
    return [run for run in best if run is not None]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--skip-pyshacl-above",
        type=int,
        default=None,
        help="do not run plain pySHACL above this many triples (it is slow)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="run each engine this many times, alternating the order, and keep the fastest "
        "(other work on the machine makes single runs noisy)",
    )
    args = parser.parse_args(argv)
    header = (
        f"{'triples':>9}  {'engine':<22} {'seconds':>8} {'peak MiB':>9} {'violations':>10} "
        f"{'same as tcap':>12} {'time ratio':>10} {'memory ratio':>12} {'cpu s':>7} "
        f"{'cpu ratio':>9}"
    )
    print(header)
    with tempfile.TemporaryDirectory(prefix="tcap-bench-") as folder:
        work = Path(folder)
        for size in args.sizes:
            synth = generate(triples=size, seed=args.seed)
            data = work / f"synth-{size}.ttl"
            data.write_bytes(synth.serialize())
            plain = args.skip_pyshacl_above is None or size <= args.skip_pyshacl_above
            runs = measure_rounds(data, work, args.rounds, plain=plain)
            reference = runs[0].violations
            agreeing = [run for run in runs if run.violations == reference]
            fastest = min(run.seconds for run in agreeing)
            smallest = min(run.peak_mib for run in agreeing)
            least_cpu = min(run.cpu_seconds for run in agreeing)
            for run in runs:
                same = (
                    "yes"
                    if run.violations == reference
                    else f"no ({len(run.violations ^ reference)} differ)"
                )
                line = (
                    f"{synth.triples:>9,}  {run.name:<22} {run.seconds:>8.1f} {run.peak_mib:>9.0f} "
                    f"{len(run.violations):>10,} {same:>12} {run.seconds / fastest:>10.2f} "
                    f"{run.peak_mib / smallest:>12.2f} {run.cpu_seconds:>7.1f} "
                    f"{run.cpu_seconds / least_cpu:>9.2f}"
                )
                print(line, flush=True)
            print(
                f"{'':>9}  seeded violations: {synth.violations}; tcap also reported "
                f"{runs[0].extra} undefined tcap: terms",
                flush=True,
            )


if __name__ == "__main__":
    main()
