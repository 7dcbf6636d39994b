"""The synthetic dataset generator of the benchmarks: deterministic, in our vocabulary, and its
seeded violations are exactly what validation finds."""

from __future__ import annotations

import sys

import pyoxigraph as ox
from validation_support import REPO

from tcap_kg.validation import validate_quads

sys.path.insert(0, str(REPO / "benchmarks"))
from synth import generate


def test_same_seed_same_bytes_and_the_size_asked_for() -> None:
    first = generate(triples=3000, seed=7)
    assert first.serialize() == generate(triples=3000, seed=7).serialize()
    assert first.serialize() != generate(triples=3000, seed=8).serialize()
    assert 2800 <= first.triples <= 3200
    assert generate(cities=5, seed=1).cities == 5


def test_seeded_violations_are_found_one_for_one() -> None:
    synth = generate(triples=6000, seed=3, violation_rate=1.0)
    report = validate_quads(synth.quads, source="synth")
    # An unknown component or rating is reported once, with the shape results it causes folded
    # into that finding.
    results = [r for f in report.findings for r in (f, *f.follow_ons)]
    shacl = [
        f
        for f in results
        if f.severity.value == "Violation" and not f.source_shape.endswith("KnownTermsShape")
    ]
    assert len(shacl) == synth.violations > 20
    assert len(synth.seeded) >= 6


def test_a_clean_dataset_conforms_without_notes_and_can_go_to_a_named_graph() -> None:
    synth = generate(cities=3, seed=1, violation_rate=0, graph="https://example.org/g")
    assert {q.graph_name for q in synth.quads} == {ox.NamedNode("https://example.org/g")}
    report = validate_quads(synth.quads, source="synth")
    assert report.findings == []
