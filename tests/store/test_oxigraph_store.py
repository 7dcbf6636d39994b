"""Behaviour specific to the embedded Oxigraph store: atomicity, recovery, locking, sync."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

import tcap_kg.store.oxigraph as oxigraph_module
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


def test_readers_wait_while_a_writer_holds_the_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(oxigraph_module, "LOCK_WAIT_SECONDS", 0.2)
    location = tmp_path / "s"
    OxigraphStore(location).close()
    reader = OxigraphStore(location, read_only=True)
    with OxigraphStore(location), pytest.raises(StoreError):
        reader.count()
    assert reader.count() == 0
    reader.close()


def test_an_unfinished_result_stream_releases_the_read_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(oxigraph_module, "LOCK_WAIT_SECONDS", 0.5)
    location = tmp_path / "s"
    with OxigraphStore(location) as writer:
        writer.add([quad(i) for i in range(100)])
    reader = OxigraphStore(location, read_only=True)
    result = reader.query("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert isinstance(result, Solutions)
    next(iter(result))
    del result
    with OxigraphStore(location) as writer:
        writer.add([quad(1000)])
    assert reader.count(G) == 101
    reader.close()


def test_a_writer_gets_in_between_overlapping_reads_of_threads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Threads of one process whose reads always overlap would hold the shared lock for good;
    the writer's intent makes new reads wait until it is through."""
    monkeypatch.setattr(oxigraph_module, "LOCK_WAIT_SECONDS", 5.0)
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
                time.sleep(0.05)
                seen.append(1 + sum(1 for _ in rows))
            except Exception as exc:
                errors.append(exc)

    threads = [threading.Thread(target=read) for _ in range(4)]
    for thread in threads:
        thread.start()
        time.sleep(0.02)
    with OxigraphStore(location) as writer:
        writer.add([quad(1000)])
    time.sleep(0.3)
    stop.set()
    for thread in threads:
        thread.join()
    reader.close()
    assert not errors
    assert seen[0] == 100 and seen[-1] == 101


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
    monkeypatch.setattr(oxigraph_module, "SETTLED_NS", 0)
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
