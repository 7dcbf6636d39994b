"""What a validation found, in a form every renderer and caller shares.

A finding is one problem with one node, already turned into what a city team needs: how bad it
is, the shape's own message, the property and value concerned, and where in their file it is.
The report keeps findings in a stable order (worst first, then by node) so that text, JSON,
Turtle and HTML show the same thing and tests can compare engines finding by finding.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import Enum

import pyoxigraph as ox

from ..locations import Location, Node, Value
from ..namespaces import SH


class Severity(Enum):
    """SHACL's three severities, ordered so that `rank` sorts the worst first."""

    VIOLATION = "Violation"
    WARNING = "Warning"
    INFO = "Info"

    @property
    def iri(self) -> str:
        return SH + self.value

    @property
    def rank(self) -> int:
        return {"Violation": 0, "Warning": 1, "Info": 2}[self.value]

    @classmethod
    def from_iri(cls, iri: str) -> Severity:
        """The severity of a `sh:resultSeverity` IRI; unknown custom severities count as Info."""
        local = iri.removeprefix(SH)
        return next((s for s in cls if s.value == local), cls.INFO)


@dataclass(frozen=True)
class Finding:
    """One validation result, enriched for people."""

    severity: Severity
    message: str
    focus: Node
    path: str | None = None
    value: Value | None = None
    source_shape: str | None = None
    component: str | None = None
    focus_label: str | None = None
    location: Location | None = None
    follow_ons: tuple[Finding, ...] = ()
    """Results that follow from this one and are reported through it (see `folding`)."""

    def key(self) -> tuple[str, ...]:
        """Identity of the finding regardless of labels and locations (for comparing engines)."""
        return (
            self.severity.value,
            _term_key(self.focus),
            self.path or "",
            _term_key(self.value) if self.value is not None else "",
            self.source_shape or "",
        )


def _term_key(term: Value) -> str:
    if isinstance(term, ox.BlankNode):
        return "_:b"
    return str(term)


@dataclass
class ValidationReport:
    """The outcome of validating one dataset (one or more files validated together)."""

    sources: list[str]
    findings: list[Finding]
    triples: int
    shapes: list[str] = field(default_factory=list)
    engine: str = ""
    seconds: float = 0.0

    def __post_init__(self) -> None:
        self.findings.sort(key=_order)

    @property
    def conforms(self) -> bool:
        """True when nothing is a Violation: warnings and notes do not block a load."""
        return not any(f.severity is Severity.VIOLATION for f in self.findings)

    @property
    def counts(self) -> dict[Severity, int]:
        counted = Counter(f.severity for f in self.findings)
        return {severity: counted.get(severity, 0) for severity in Severity}

    def by_node(self) -> list[tuple[Node, str | None, list[Finding]]]:
        """Findings grouped by focus node, groups in the report's order (worst node first)."""
        groups: dict[str, tuple[Node, str | None, list[Finding]]] = {}
        for finding in self.findings:
            key = str(finding.focus)
            if key not in groups:
                groups[key] = (finding.focus, finding.focus_label, [])
            groups[key][2].append(finding)
        return list(groups.values())

    def summary(self) -> str:
        """One line with the verdict and the counts, for the end of a text report and for logs."""
        counts = self.counts
        verdict = "conforms" if self.conforms else "does not conform"
        nodes = len({str(f.focus) for f in self.findings})
        parts = [
            f"{counts[Severity.VIOLATION]} violation{_s(counts[Severity.VIOLATION])}",
            f"{counts[Severity.WARNING]} warning{_s(counts[Severity.WARNING])}",
            f"{counts[Severity.INFO]} info",
        ]
        return (
            f"{', '.join(self.sources) or 'input'}: {verdict}: {', '.join(parts)} "
            f"on {nodes} node{_s(nodes)} ({self.triples:,} triples checked)"
        )


def _s(count: int) -> str:
    return "" if count == 1 else "s"


def _order(finding: Finding) -> tuple[int, int, str, str, str, str]:
    """Worst severity first; within it by position in the file, then node, path and value."""
    location = finding.location
    position = (location.row or location.line or 0) if location else 0
    return (
        finding.severity.rank,
        position,
        str(finding.focus),
        finding.path or "",
        str(finding.value) if finding.value is not None else "",
        finding.message,
    )
