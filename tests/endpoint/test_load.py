"""Load: 50 concurrent clients for 15 s against a real server. Every response must be a correct
answer or an announced refusal (503 busy, or 429 when one client holds its share of the query
slots: a problem document with Retry-After), never an error or a wrong answer, and the server
must still answer afterwards. All fifty come from one address, so they share one client's slots."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable

import httpx
import pytest
from endpoint_support import Server

pytestmark = pytest.mark.slow

CLIENTS = 50
SECONDS = 15
BEIJING = "https://w3id.org/tcap-kg/id/city/beijing"
MIX = [
    ("ASK", {"query": "ASK { ?s ?p ?o }"}),
    ("count", {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}),
    ("group", {"query": "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY ?p"}),
    ("heavy", {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?c ?d ?e . ?e ?f ?g }"}),
]


def test_fifty_clients_for_fifteen_seconds(server_factory: Callable[..., Server]) -> None:
    server = server_factory()
    expected = {
        name: httpx.get(server.sparql, params=params, timeout=60).json() for name, params in MIX
    }
    named = httpx.get(
        server.url + "/api/queries/city-components", params={"city": BEIJING}, timeout=60
    ).json()
    outcomes: Counter[str] = Counter()
    failures: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + SECONDS

    def client(seed: int) -> None:
        rng = random.Random(seed)
        with httpx.Client(timeout=60) as http:
            while time.monotonic() < deadline:
                if rng.random() < 0.2:
                    name, want = "named", named
                    response = http.get(
                        server.url + "/api/queries/city-components", params={"city": BEIJING}
                    )
                else:
                    name, params = rng.choice(MIX)
                    want = expected[name]
                    response = (
                        http.get(server.sparql, params=params)
                        if rng.random() < 0.5
                        else http.post(server.sparql, data=params)
                    )
                if response.status_code == 200 and response.json() == want:
                    outcome = "ok"
                elif (
                    response.status_code in (429, 503)
                    and response.headers.get("Retry-After")
                    and response.headers.get("Content-Type") == "application/problem+json"
                ):
                    outcome = str(response.status_code)
                else:
                    outcome = "wrong"
                    with lock:
                        failures.append(f"{name}: {response.status_code} {response.text[:200]}")
                with lock:
                    outcomes[outcome] += 1

    threads = [threading.Thread(target=client, args=(seed,)) for seed in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures[:5]
    assert outcomes["ok"] > 100, outcomes
    assert httpx.get(server.sparql, params={"query": "ASK {}"}, timeout=5).status_code == 200
