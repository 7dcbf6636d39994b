"""Every broken dataset of the corpus gets its expected finding, location and exit status."""

from __future__ import annotations

import json

import pytest
from validation_support import CORPUS, Case, corpus, matches

from tcap_kg.errors import ParseError, TcapError
from tcap_kg.validation import Severity, render, validate_files

CASES = corpus()


def test_the_corpus_is_large_and_covers_every_outcome() -> None:
    assert len(CASES) >= 50
    assert {case.exit for case in CASES} == {0, 1, 2}
    files = {p.name for p in CORPUS.iterdir()} - {"manifest.json"}
    assert files == {case.file for case in CASES}, "every corpus file has a manifest entry"
    suffixes = {case.file.rsplit(".", 1)[1] for case in CASES if case.exit == 2}
    assert {"ttl", "trig", "nt", "nq", "jsonld", "rdf", "csv", "zip"} <= suffixes
    readable = {case.file.rsplit(".", 1)[1] for case in CASES if case.exit == 1}
    assert {"ttl", "trig", "nt", "jsonld", "rdf", "csv", "zip"} <= readable
    for case in CASES:
        assert case.location.startswith(case.file), case.file
        assert case.expect or case.error, f"{case.file}: say what must be reported"
        assert all("severity" in expected for expected in case.expect), case.file


@pytest.mark.parametrize("case", [c for c in CASES if c.exit != 2], ids=lambda c: c.file)
def test_findings_of_readable_datasets(case: Case) -> None:
    report = validate_files([case.path], max_bytes=10_000_000, names=[case.file])
    assert (0 if report.conforms else 1) == case.exit, report.summary()
    if case.violations is not None:
        assert report.counts[Severity.VIOLATION] == case.violations, render(report, "text")
    for expected in case.expect:
        found = [f for f in report.findings if matches(f, expected)]
        assert found, f"{case.file}: no finding like {expected} in:\n" + "\n".join(
            f"{f.severity.value} {f.source_shape} {f.path} {f.value} {f.location}"
            for f in report.findings
        )
        assert all(f.message and f.location is not None for f in found)
    first = [f for f in report.findings if matches(f, case.expect[0])]
    assert case.location in {f.location.describe() for f in first if f.location}, [
        f.location for f in first
    ]


@pytest.mark.parametrize("case", [c for c in CASES if c.exit == 2], ids=lambda c: c.file)
def test_unreadable_datasets_fail_with_a_clear_error(case: Case) -> None:
    with pytest.raises(TcapError) as caught:
        validate_files([case.path], max_bytes=10_000_000, names=[case.file])
    error = caught.value
    assert error.exit_code == 2
    assert case.error is not None and case.error in str(error)
    first_line = str(error).splitlines()[0]
    assert first_line == case.location or first_line.startswith(case.location + ":"), first_line
    if case.excerpt is not None:
        assert isinstance(error, ParseError) and error.excerpt is not None
        assert case.excerpt in error.excerpt.splitlines()
    if case.line is not None:
        assert isinstance(error, ParseError)
        assert error.line == case.line
        assert error.source == case.file
    if case.column is not None:
        assert isinstance(error, ParseError) and error.column == case.column


def test_cli_exit_status_and_report_for_each_outcome(tcap) -> None:
    violations = tcap("validate", str(CORPUS / "duplicate-city.ttl"))
    assert violations.code == 1
    assert "Another city already has this Wikidata ID" in violations.stdout
    assert "duplicate-city.ttl:23:21" in violations.stdout
    assert "does not conform: 1 violation" in violations.stdout.splitlines()[-1]

    fine = tcap("validate", str(CORPUS / "warnings-only.ttl"), "--format", "json")
    assert fine.code == 0
    document = json.loads(fine.stdout)
    assert document["conforms"] is True
    assert document["counts"] == {"Violation": 0, "Warning": 1, "Info": 1}

    broken = tcap("validate", str(CORPUS / "syntax-jsonld.jsonld"))
    assert broken.code == 2
    assert broken.stdout == ""
    errors = [line for line in broken.stderr.splitlines() if line.startswith("tcap: error:")]
    assert len(errors) == 1 and "syntax-jsonld.jsonld:4:1: " in errors[0]
    assert "Traceback" not in broken.stderr
