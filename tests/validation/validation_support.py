"""Shared pieces of the validation tests: the broken-dataset corpus and its manifest."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tcap_kg.validation.model import Finding
from tcap_kg.validation.render import name, path_name, value_text

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "tests" / "data" / "invalid"
EXAMPLES = REPO / "examples" / "dalian"
TEMPLATES = REPO / "templates" / "csv"


@dataclass(frozen=True)
class Case:
    """One broken dataset and what validating it must say."""

    file: str
    exit: int
    why: str
    location: str
    expect: list[dict[str, Any]] = field(default_factory=list)
    violations: int | None = None
    error: str | None = None
    line: int | None = None
    column: int | None = None
    excerpt: str | None = None

    @property
    def path(self) -> Path:
        return CORPUS / self.file


def corpus() -> list[Case]:
    manifest = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
    return [Case(**entry) for entry in manifest["cases"]]


def matches(finding: Finding, expected: dict[str, Any]) -> bool:
    """Whether a finding has every property the manifest entry names."""
    location = finding.location
    checks = {
        "severity": finding.severity.value,
        "shape": name(finding.source_shape),
        "node": name(getattr(finding.focus, "value", "")),
        "path": path_name(finding.path),
        "value": value_text(finding.value),
        "line": location.line if location else None,
        "row": location.row if location else None,
        "field": location.field if location else None,
    }
    for key, wanted in expected.items():
        if key == "message":
            if wanted not in finding.message:
                return False
        elif key == "folded":
            if wanted not in {name(f.source_shape) for f in finding.follow_ons}:
                return False
        elif checks[key] != wanted:
            return False
    return True
