"""`tcap reason`: HermiT over what the store holds, and the OWL 2 RL closure on request."""

from __future__ import annotations

INFERRED = "https://w3id.org/tcap-kg/graph/inferred"
CONTRADICTION = """@prefix tcap: <https://w3id.org/tcap-kg/ontology#> .
<https://w3id.org/tcap-kg/id/city/beijing> a tcap:Province .
"""


def test_the_shipped_graph_is_consistent_and_the_closure_can_be_stored(tcap):
    checked = tcap("reason")
    assert checked.code == 0, checked.stderr
    assert checked.stdout.startswith("consistent: ")
    stored = tcap("reason", "--materialise")
    assert stored.code == 0, stored.stderr
    assert f"inferred triples into <{INFERRED}>" in stored.stdout
    inferred_city = tcap(
        "query",
        f"ASK {{ GRAPH <{INFERRED}> {{ <https://w3id.org/tcap-kg/id/city/beijing> a ?type }} }}",
        "--format",
        "csv",
    )
    assert inferred_city.stdout.strip() == "true"


def test_a_city_that_is_also_a_province_is_inconsistent(tcap, tmp_path):
    path = tmp_path / "contradiction.ttl"
    path.write_text(CONTRADICTION)
    loaded = tcap("load", "--no-validate", "--graph", "http://example.org/contradiction", str(path))
    assert loaded.code == 0, loaded.stderr
    checked = tcap("reason")
    assert checked.code == 1
    assert checked.stdout.startswith("INCONSISTENT")
