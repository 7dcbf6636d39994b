"""Behaviour specific to the embedded Oxigraph store: atomicity, recovery, locking, sync."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

import tcap_kg.store.oxigraph as oxigraph_module
import tcap_kg.store.versions as versions_module
from tcap_kg.bootstrap import is_initialised, sync_shipped
from tcap_kg.errors import InputError, StoreError
from tcap_kg.namespaces import GRAPH, STAGING_PREFIX
from tcap_kg.records import read_records
from tcap_kg.shipped import ShippedFile
from tcap_kg.store import ChangeSet, OxigraphStore, Solutions

G = "http://example.org/g"


def quad(i: int, graph: str = G) -> ox.Quad:
    return ox.Quad(
        ox.NamedNode(f"http://example.org/s{i}"),
        ox.NamedNode("http://example.org/p"),
        ox.Literal(str(i)),
        ox.NamedNode(graph),
    )


def dump(store: OxigraphStore) -> set[str]:
    result = store.query("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert isinstance(result, Solutions)
    return {" ".join(str(row[v]) for v in ("s", "p", "o", "g")) for row in result}


def test_a_failing_commit_writes_nothing(tmp_path: Path):
    with OxigraphStore(tmp_path / "s") as store:
        store.add([quad(0)])
        before = dump(store)

        def poisoned():
            yield from (quad(i) for i in range(1, 1000))
            yield ox.Quad(
                ox.NamedNode("http://example.org/x"),
                ox.NamedNode("http://example.org/p"),
                ox.Literal("no graph"),
            )

        with pytest.raises(InputError):
            store.add(poisoned())
        with pytest.raises(InputError):
            store.replace_graph(G, poisoned())
        assert dump(store) == before


def test_replace_graph_is_whole(tmp_path: Path):
    with OxigraphStore(tmp_path / "s") as store:
        store.add([quad(i) for i in range(10)])
        store.replace_graph(G, [quad(100)])
        assert store.count(G) == 1
        assert not [g for g in store.graphs() if g.iri.startswith(STAGING_PREFIX)]


def test_read_only_handle_sees_later_writes(tmp_path: Path):
    location = tmp_path / "s"
    with OxigraphStore(location) as writer:
        writer.add([quad(1)])
    reader = OxigraphStore(location, read_only=True)
    assert reader.count(G) == 1
    with OxigraphStore(location) as writer:
        writer.add([quad(2)])
    assert reader.count(G) == 2
    with pytest.raises(StoreError, match="read-only"):
        reader.add([quad(3)])
    reader.close()


def test_read_only_needs_an_existing_store(tmp_path: Path):
    with pytest.raises(StoreError, match="tcap init"):
        OxigraphStore(tmp_path / "nothing", read_only=True)


def test_a_second_writer_waits_then_fails_clearly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(oxigraph_module, "LOCK_WAIT_SECONDS", 0.2)
    location = tmp_path / "s"
    with OxigraphStore(location), pytest.raises(StoreError, match="another process is writing"):
        OxigraphStore(location)


def test_readers_go_on_while_a_writer_holds_the_store(tmp_path: Path):
    """A writer's session never holds readers up: they read the published version meanwhile,
    and see the write the moment it is published."""
    location = tmp_path / "s"
    with OxigraphStore(location) as writer:
        writer.add([quad(i) for i in range(10)])
    reader = OxigraphStore(location, read_only=True)
    with OxigraphStore(location) as writer:
        started = time.monotonic()
        assert reader.count(G) == 10
        assert time.monotonic() - started < 1
        with writer.atomically():
            writer.add([quad(100)])
            writer.add([quad(101)])
            assert writer.count(G) == 12
            assert reader.count(G) == 10, "nothing shows before the group is published"
        assert reader.count(G) == 12
    reader.close()


def test_an_unfinished_result_stream_keeps_its_version_readable(tmp_path: Path):
    location = tmp_path / "s"
    with OxigraphStore(location) as writer:
        writer.add([quad(i) for i in range(100)])
    reader = OxigraphStore(location, read_only=True)
    result = reader.query("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert isinstance(result, Solutions)
    rows = iter(result)
    next(rows)
    with OxigraphStore(location) as writer:
        writer.add([quad(1000)])
    assert 1 + sum(1 for _ in rows) == 100, "a stream reads the version it started on"
    assert reader.count(G) == 101
    reader.close()
    versions = [p for p in (location / "versions").iterdir() if p.is_dir()]
    with OxigraphStore(location) as writer:
        writer.add([quad(1001)])
    assert (
        len([p for p in (location / "versions").iterdir() if p.is_dir()]) == 1 < len(versions) + 1
    )


def test_reads_from_threads_go_on_across_writes(tmp_path: Path):
    location = tmp_path / "s"
    with OxigraphStore(location) as writer:
        writer.add([quad(i) for i in range(100)])
    reader = OxigraphStore(location, read_only=True)
    stop = threading.Event()
    seen: list[int] = []
    errors: list[Exception] = []

    def read() -> None:
        while not stop.is_set():
            try:
                result = reader.query("SELECT ?s WHERE { GRAPH ?g { ?s ?p ?o } }")
                assert isinstance(result, Solutions)
                rows = iter(result)
                next(rows)
                time.sleep(0.01)
                seen.append(1 + sum(1 for _ in rows))
            except Exception as exc:
                errors.append(exc)

    threads = [threading.Thread(target=read) for _ in range(4)]
    for thread in threads:
        thread.start()
    for i in range(5):
        with OxigraphStore(location) as writer:
            writer.add([quad(1000 + i)])
        time.sleep(0.05)
    time.sleep(0.1)
    stop.set()
    for thread in threads:
        thread.join()
    reader.close()
    assert not errors
    assert seen[0] >= 100 and seen[-1] == 105
    assert all(100 <= n <= 105 for n in seen)


def test_a_killed_writer_leaves_the_published_version(tmp_path: Path):
    """A writer that dies between changing its working copy and publishing leaves readers on the
    last published state; the next writer starts again from that state."""
    location = tmp_path / "s"
    with OxigraphStore(location) as writer:
        writer.add([quad(1)])
    code = (
        "import os, pyoxigraph as ox\n"
        "from pathlib import Path\n"
        "from tcap_kg.store import OxigraphStore\n"
        f"s = OxigraphStore(Path({str(location)!r}))\n"
        "with s.atomically():\n"
        f"    s.add([ox.Quad(ox.NamedNode('http://example.org/x'), ox.NamedNode('http://example.org/p'), ox.Literal('half'), ox.NamedNode({G!r}))])\n"
        "    s.flush()\n"
        "    os._exit(9)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], check=False)
    assert done.returncode == 9
    assert (location / "dirty").exists()
    with OxigraphStore(location, read_only=True) as reader:
        assert reader.count(G) == 1
    with OxigraphStore(location) as writer:
        assert writer.count(G) == 1
        writer.add([quad(2)])
    assert not (location / "dirty").exists()
    with OxigraphStore(location, read_only=True) as reader:
        assert reader.count(G) == 2


def test_a_store_of_the_layout_before_versions_is_moved_on_first_write(tmp_path: Path):
    location = tmp_path / "s"
    location.mkdir()
    legacy = ox.Store(str(location / "oxigraph"))
    legacy.add(quad(7))
    legacy.flush()
    del legacy
    (location / "generation").write_text("old")
    with OxigraphStore(location) as writer:
        assert writer.count(G) == 1
    assert not (location / "oxigraph").exists() and not (location / "generation").exists()
    with OxigraphStore(location, read_only=True) as reader:
        assert reader.count(G) == 1


def test_generation_changes_on_every_write():
    store = OxigraphStore.memory()
    first = store.generation()
    store.add([quad(1)])
    second = store.generation()
    store.update(
        "INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/a> <http://example.org/b> 1 } }"
    )
    assert len({first, second, store.generation()}) == 3


def test_on_disk_generation_is_fresh_after_quick_and_settled_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """The token is re-read only when its file changed; writes in quick succession (one coarse
    file timestamp) and a write after the token was cached must both show."""
    location = tmp_path / "s"
    with OxigraphStore(location) as writer:
        writer.add([quad(0)])
    reader = OxigraphStore(location, read_only=True)
    seen = [reader.generation()]
    for i in range(1, 6):
        with OxigraphStore(location) as writer:
            writer.add([quad(i)])
        seen.append(reader.generation())
    assert len(set(seen)) == len(seen)
    monkeypatch.setattr(versions_module, "SETTLED_NS", 0)
    cached = reader.generation()
    assert reader.generation() == cached
    with OxigraphStore(location) as writer:
        writer.add([quad(99)])
    assert reader.generation() != cached
    assert reader.count(G) == 7
    reader.close()


def test_drop_graph_also_forgets_its_record(tmp_path: Path):
    source = tmp_path / "one.ttl"
    source.write_text('<http://example.org/a> <http://example.org/p> "v" .\n')
    store = OxigraphStore.memory()
    files = [ShippedFile(source, "data/one.ttl")]
    sync_shipped(store, files=files)
    graph = GRAPH + "data/one"
    assert graph in read_records(store)
    store.commit(ChangeSet(drop_graphs=[graph]))
    assert graph not in read_records(store)


def test_sync_reloads_changed_files_and_drops_removed_ones(tmp_path: Path):
    one, two = tmp_path / "one.ttl", tmp_path / "two.ttl"
    one.write_text('<http://example.org/a> <http://example.org/p> "v1" .\n')
    two.write_text('<http://example.org/b> <http://example.org/p> "v" .\n')
    files = [ShippedFile(one, "data/one.ttl"), ShippedFile(two, "data/two.ttl")]
    store = OxigraphStore.memory()
    assert not is_initialised(store)
    first = sync_shipped(store, files=files)
    assert len(first.loaded) == 2 and is_initialised(store)
    assert not sync_shipped(store, files=files).changed
    one.write_text(
        '<http://example.org/a> <http://example.org/p> "v2" .\n<http://example.org/a> <http://example.org/q> "x" .\n'
    )
    report = sync_shipped(store, files=files[:1])
    assert report.loaded == [GRAPH + "data/one"]
    assert report.removed == [GRAPH + "data/two"]
    records = read_records(store)
    assert records[GRAPH + "data/one"].triples == 2
    assert GRAPH + "data/two" not in records
    assert store.count(GRAPH + "data/one") == 2
