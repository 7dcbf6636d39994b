"""One finding per cause, in the user's terms.

Engines report every constraint that fails, and one mistake often fails several: a misspelt
class (`a tcap:Cty`) leaves the city untyped, so every claim about it fails its scope check; an
unknown component fails both the term check and the component shape; a Wikidata URL in the
`wikidata_id` cell of a spreadsheet fails the ID pattern, and the `owl:sameAs` link built from
the same cell fails twice more. A person fixes the cause, so the report shows the cause:

- a finding that follows from an undefined term (its value is the term, or a node typed with it,
  or it misses the property the misspelt one was meant to be) is folded into that term's finding;
- a spreadsheet cell the user wrote gets one finding: the worst, and among equals the one about
  the property the cell itself fills rather than a link derived from it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pyoxigraph as ox

from ..locations import Location, Locator
from ..namespaces import RDF, TCAP
from .model import Finding
from .render import name, path_name
from .shapes import KNOWN_TERMS_SHAPE
from .terms import defined_terms, suggest

MAX_LISTED = 5
_TYPE = ox.NamedNode(RDF + "type")


def fold(findings: Sequence[Finding], workspace: ox.Store, locator: Locator) -> list[Finding]:
    """The findings with follow-ons folded into their cause and one finding per cell."""
    return _one_per_cell(_fold_unknown_terms(findings, workspace), locator)


def _fold_unknown_terms(findings: Sequence[Finding], workspace: ox.Store) -> list[Finding]:
    causes = [f for f in findings if f.source_shape == KNOWN_TERMS_SHAPE]
    if not causes:
        return list(findings)
    known = defined_terms(workspace)
    folded: dict[int, list[Finding]] = {id(cause): [] for cause in causes}
    kept: list[Finding] = []
    for finding in findings:
        cause = None
        if finding.source_shape != KNOWN_TERMS_SHAPE:
            cause = next((c for c in causes if _follows(finding, c, workspace, known)), None)
        if cause is None:
            kept.append(finding)
        else:
            folded[id(cause)].append(finding)
    return [
        _with_follow_ons(f, folded[id(f)]) if f.source_shape == KNOWN_TERMS_SHAPE else f
        for f in kept
    ]


def _unknown_term(cause: Finding) -> ox.NamedNode | None:
    if isinstance(cause.value, ox.NamedNode) and cause.value.value.startswith(TCAP):
        return cause.value
    return ox.NamedNode(cause.path) if cause.path and cause.path.startswith(TCAP) else None


def _follows(finding: Finding, cause: Finding, workspace: ox.Store, known: set[str]) -> bool:
    """Whether `finding` is a consequence of the undefined term `cause` reports."""
    term = _unknown_term(cause)
    if term is None:
        return False
    value = finding.value
    if value == term:
        return True
    typed = isinstance(value, ox.NamedNode | ox.BlankNode) and next(
        iter(workspace.quads_for_pattern(value, _TYPE, term)), None
    )
    if typed:
        return True
    if cause.value is None and finding.value is None and finding.path is not None:
        # A required property that is missing because the node has a misspelling of it.
        meant = suggest(term.value.removeprefix(TCAP), known)
        uses = workspace.quads_for_pattern(finding.focus, term, None)
        return (
            meant is not None
            and TCAP + meant == finding.path
            and next(iter(uses), None) is not None
        )
    return False


def _with_follow_ons(cause: Finding, follow_ons: list[Finding]) -> Finding:
    if not follow_ons:
        return cause
    message = cause.message
    same = [f for f in follow_ons if f.focus == cause.focus and f.value == cause.value]
    for finding in same:
        if finding.message not in message:
            message += f" {finding.message}"
    others = [f for f in follow_ons if f not in same]
    if others:
        listed = "; ".join(_where(f) for f in others[:MAX_LISTED])
        more = f"; and {len(others) - MAX_LISTED} more" if len(others) > MAX_LISTED else ""
        count = f"{len(others)} other check{'s' if len(others) > 1 else ''}"
        message += (
            f" Because of it, {count} fail{'s' if len(others) == 1 else ''} too: {listed}{more}."
        )
    worst = min((cause, *follow_ons), key=lambda f: f.severity.rank).severity
    return replace(
        cause, severity=worst, message=message, follow_ons=(*cause.follow_ons, *follow_ons)
    )


def _where(finding: Finding) -> str:
    node = name(finding.focus.value) if isinstance(finding.focus, ox.NamedNode) else "a node"
    path = f" {path_name(finding.path)}" if finding.path else ""
    at = f" ({finding.location.describe()})" if finding.location else ""
    return f"{node}{path}{at}"


def _one_per_cell(findings: list[Finding], locator: Locator) -> list[Finding]:
    """Keep one finding per spreadsheet cell that holds a value."""
    best: dict[tuple[str, int, str], tuple[tuple[int, int, int], Finding]] = {}
    dropped: dict[tuple[str, int, str], list[Finding]] = {}
    kept: list[Finding | tuple[str, int, str]] = []
    for index, finding in enumerate(findings):
        cell = _cell(finding.location) if finding.value is not None else None
        if cell is None:
            kept.append(finding)
            continue
        assert finding.location is not None
        own = locator.cell_property(finding.location)
        rank = (finding.severity.rank, 0 if finding.path == own else 1, index)
        if cell not in best:
            kept.append(cell)
            best[cell] = (rank, finding)
            dropped[cell] = []
        elif rank < best[cell][0]:
            dropped[cell].append(best[cell][1])
            best[cell] = (rank, finding)
        else:
            dropped[cell].append(finding)
    return [
        replace(best[item][1], follow_ons=(*best[item][1].follow_ons, *dropped[item]))
        if isinstance(item, tuple)
        else item
        for item in kept
    ]


def _cell(location: Location | None) -> tuple[str, int, str] | None:
    if location is None or location.row is None or location.field is None:
        return None
    return (location.source, location.row, location.field)
