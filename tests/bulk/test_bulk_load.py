"""Streaming loads of external dumps, and loads killed midway (issue 2 §5, issue 6 §3)."""

from __future__ import annotations

import gzip
import hashlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tcap_kg.namespaces import GRAPH
from tcap_kg.records import read_records
from tcap_kg.store import OxigraphStore
from tcap_kg.store.versions import DIRTY

EXTERNAL = "http://example.org/graph/external"
EARLIER = "http://example.org/graph/earlier"


def write_dump(path: Path, triples: int, start: int = 0) -> bytes:
    text = "".join(
        f'<http://example.org/e{i}> <http://example.org/p> "value {i} with some text" .\n'
        for i in range(start, start + triples)
    ).encode()
    if path.name.endswith(".gz"):
        with gzip.open(path, "wb", compresslevel=1) as handle:
            handle.write(text)
    else:
        path.write_bytes(text)
    return text


def graph_sizes(store_dir: Path) -> dict[str, int]:
    with OxigraphStore(store_dir, read_only=True) as store:
        return {info.iri: info.triples for info in store.graphs()}


def test_a_gzipped_dump_is_streamed_with_a_record(tcap: Callable, tmp_path: Path, store_dir: Path):
    dump = tmp_path / "cities.nt.gz"
    content = write_dump(dump, 5000)
    result = tcap("load", "--no-validate", "--graph", EXTERNAL, str(dump))
    assert result.code == 0, result.stderr
    assert f"streamed 5000 triples into <{EXTERNAL}>" in result.stdout
    with OxigraphStore(store_dir, read_only=True) as store:
        record = read_records(store)[EXTERNAL]
        assert store.count(EXTERNAL) == 5000
    assert record.role == "external" and record.sources == ("cities.nt.gz",)
    assert record.sha256 == (hashlib.sha256(content).hexdigest(),)


def test_nquads_dumps_keep_their_graphs_and_reserved_ones_are_refused(
    tcap: Callable, tmp_path: Path, store_dir: Path
):
    dump = tmp_path / "two.nq"
    dump.write_text(
        '<http://example.org/a> <http://example.org/p> "1" <http://example.org/graph/one> .\n'
        '<http://example.org/b> <http://example.org/p> "2" <http://example.org/graph/two> .\n'
        '<http://example.org/c> <http://example.org/p> "3" .\n'
    )
    assert tcap("load", "--no-validate", "--graph", EXTERNAL, str(dump)).code == 0
    sizes = graph_sizes(store_dir)
    assert {g: sizes[g] for g in sizes if "example.org" in g} == {
        "http://example.org/graph/one": 1,
        "http://example.org/graph/two": 1,
        EXTERNAL: 1,
    }
    hostile = tmp_path / "hostile.nq"
    hostile.write_text(
        f'<http://example.org/a> <http://example.org/p> "x" <{GRAPH}data/cities> .\n'
    )
    refused = tcap("load", "--no-validate", str(hostile))
    assert refused.code == 2 and "reserved" in refused.stderr
    assert graph_sizes(store_dir)[GRAPH + "data/cities"] == sizes[GRAPH + "data/cities"]


def test_a_broken_dump_changes_nothing(tcap: Callable, tmp_path: Path, store_dir: Path):
    good = tmp_path / "dump.nt"
    write_dump(good, 100)
    assert tcap("load", "--no-validate", "--graph", EXTERNAL, str(good)).code == 0
    broken = tmp_path / "broken.nt"
    broken.write_bytes(
        good.read_bytes() + b"<http://example.org/x> <http://example.org/p> oops .\n"
    )
    result = tcap("load", "--no-validate", "--graph", EXTERNAL, str(broken))
    assert result.code == 2 and "broken.nt:101" in result.stderr
    assert graph_sizes(store_dir)[EXTERNAL] == 100


def _start_load(store_dir: Path, *args: str) -> subprocess.Popen[bytes]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TCAP_")}
    environment["TCAP_STORE"] = str(store_dir)
    return subprocess.Popen(
        [sys.executable, "-m", "tcap_kg", "load", *args],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _prepare_earlier(tcap: Callable, tmp_path: Path) -> dict[str, int]:
    earlier = tmp_path / "earlier.ttl"
    earlier.write_text('<http://example.org/x> <http://example.org/p> "loaded before" .\n')
    assert tcap("load", "--graph", EARLIER, str(earlier)).code == 0
    return graph_sizes(tmp_path / "store")


def test_a_bulk_load_killed_midway_leaves_none_of_the_dump(
    tcap: Callable, tmp_path: Path, store_dir: Path
):
    before = _prepare_earlier(tcap, tmp_path)
    dump = tmp_path / "big.nt.gz"
    write_dump(dump, 300_000)
    process = _start_load(store_dir, "--no-validate", "--graph", EXTERNAL, str(dump))
    dirty = store_dir / DIRTY
    deadline = time.monotonic() + 60
    while not dirty.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.3)
    process.send_signal(signal.SIGKILL)
    assert process.wait() == -signal.SIGKILL, "the load finished before it could be killed"
    with OxigraphStore(store_dir, read_only=True) as reader:
        assert not reader.has_graph(EXTERNAL), "readers never see the half-loaded dump"
    with OxigraphStore(store_dir) as store:
        assert not dirty.exists()
        assert not store.has_graph(EXTERNAL)
        assert EXTERNAL not in read_records(store)
    assert graph_sizes(store_dir) == before


def test_a_validated_load_killed_midway_leaves_all_or_none(
    tcap: Callable, tmp_path: Path, store_dir: Path
):
    before = _prepare_earlier(tcap, tmp_path)
    data = tmp_path / "big.ttl"
    lines = [f'<http://example.org/v{i}> <http://example.org/p> "row {i}" .' for i in range(10_000)]
    data.write_text("\n".join(lines) + "\n")
    started = time.monotonic()
    reference = tcap("load", "--graph", EXTERNAL, str(data))
    duration = time.monotonic() - started
    assert reference.code == 0, reference.stderr
    for fraction in (0.5, 0.85):
        if EXTERNAL in graph_sizes(store_dir):
            assert tcap("drop", EXTERNAL).code == 0
        process = _start_load(store_dir, "--graph", EXTERNAL, str(data))
        time.sleep(duration * fraction)
        process.send_signal(signal.SIGKILL)
        process.wait()
        OxigraphStore(store_dir).close()  # the next write session, which finishes any recovery
        after = graph_sizes(store_dir)
        assert after.get(EXTERNAL, 0) in (0, 10_000)
        assert {g: n for g, n in after.items() if g != EXTERNAL and not g.endswith("catalog")} == {
            g: n for g, n in before.items() if not g.endswith("catalog")
        }
        with OxigraphStore(store_dir, read_only=True) as store:
            records = read_records(store)
        assert (EXTERNAL in records) == (after.get(EXTERNAL, 0) == 10_000)
        assert records[EARLIER].triples == 1
