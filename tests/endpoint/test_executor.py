"""The query executors: a few queries share one process in threads, a timeout kills that process
only, and the queries it was running for other requests are run again in its replacement."""

from __future__ import annotations

import json
import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator

import pyoxigraph as ox
import pytest

from tcap_kg.errors import QueryTimeoutError
from tcap_kg.store import OxigraphStore
from tcap_kg.web.executor import Answer, ExecutorPool, QueryJob

pytestmark = pytest.mark.slow

TRIPLES = 200
GRAPH = "http://example.org/graph"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n ?o }"
EXECUTOR_LOG = "tcap_kg.web.executor"


@pytest.fixture
def pool() -> Iterator[ExecutorPool]:
    """One executor process with two slots over a small in-memory graph."""
    store = OxigraphStore.memory()
    store.add(
        ox.Quad(
            ox.NamedNode(f"http://example.org/s{i}"),
            ox.NamedNode("http://example.org/p"),
            ox.Literal(str(i)),
            ox.NamedNode(GRAPH),
        )
        for i in range(TRIPLES)
    )
    executors = ExecutorPool(lambda: store, processes=1, threads=2, queue_timeout=5)
    executors.start()
    yield executors
    executors.close()


def count(answer: Answer) -> int:
    return int(json.loads(answer.body)["results"]["bindings"][0]["n"]["value"])


def slow_seconds(pool: ExecutorPool) -> float:
    """How long SLOW takes here, so the tests can interrupt it in the middle on any machine."""
    started = time.monotonic()
    assert count(pool.run(QueryJob(SLOW), timeout=60)) == TRIPLES**3
    return time.monotonic() - started


def in_background(
    pool: ExecutorPool, sparql: str, timeout: float
) -> tuple[threading.Thread, dict[str, object]]:
    outcome: dict[str, object] = {}

    def target() -> None:
        try:
            outcome["answer"] = pool.run(QueryJob(sparql), timeout=timeout)
        except Exception as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    return thread, outcome


def test_a_running_query_leaves_the_other_slot_of_its_process_free(pool: ExecutorPool) -> None:
    (pid,) = pool.pids()
    thread, outcome = in_background(pool, ENDLESS, timeout=3)
    time.sleep(0.3)
    started = time.monotonic()
    assert pool.run(QueryJob("ASK {}"), timeout=5).body
    assert time.monotonic() - started < 1
    assert pool.pids() == [pid]
    thread.join()
    assert isinstance(outcome.get("error"), QueryTimeoutError)
    (replacement,) = pool.pids()
    assert replacement != pid
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def survives(
    pool: ExecutorPool, caplog: pytest.LogCaptureFixture, interrupt: Callable[[float], None]
) -> None:
    """Run SLOW in the background and `interrupt(its usual seconds)` while it runs: the query is
    still answered, run again in a fresh executor."""
    seconds = slow_seconds(pool)
    (pid,) = pool.pids()
    caplog.set_level(logging.WARNING, logger=EXECUTOR_LOG)
    thread, outcome = in_background(pool, SLOW, timeout=60)
    interrupt(seconds)
    thread.join()
    assert "error" not in outcome
    assert count(outcome["answer"]) == TRIPLES**3  # type: ignore[arg-type]
    assert f"query worker {pid} stopped under a query; running it again" in caplog.text
    (replacement,) = pool.pids()
    assert replacement != pid


def test_queries_beside_a_timed_out_one_are_run_again_in_the_replacement(
    pool: ExecutorPool, caplog: pytest.LogCaptureFixture
) -> None:
    def time_out_beside_it(seconds: float) -> None:
        time.sleep(seconds / 8)
        with pytest.raises(QueryTimeoutError):
            pool.run(QueryJob(ENDLESS), timeout=seconds / 4)

    survives(pool, caplog, time_out_beside_it)


def test_a_crashed_executor_is_replaced_and_its_queries_run_again(
    pool: ExecutorPool, caplog: pytest.LogCaptureFixture
) -> None:
    def crash(seconds: float) -> None:
        time.sleep(seconds / 4)
        os.kill(pool.pids()[0], signal.SIGKILL)

    survives(pool, caplog, crash)
    assert pool.run(QueryJob("ASK {}"), timeout=5).body
