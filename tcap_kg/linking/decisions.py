"""Scored candidates and the one rule that turns them into a link or a question for a person.

A place is linked only when its best candidate is strong on its own (confidence at least
`ACCEPT`) and clearly ahead of any other (by `MARGIN`), and when it agrees with an identifier the
data already records. Everything else is reported with its candidates, never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass

from .places import Place

ACCEPT = 0.75
MARGIN = 0.2

LINKED = "linked"
AMBIGUOUS = "ambiguous"
WEAK = "weak"
CONFLICT = "conflict"
UNMATCHED = "unmatched"
NEEDS_A_PERSON = (AMBIGUOUS, WEAK, CONFLICT)

SEMAPV = "https://w3id.org/semapv/vocab/"
LEXICAL = SEMAPV + "LexicalMatching"
COMPOSITE = SEMAPV + "CompositeMatching"
CHAINING = SEMAPV + "MappingChaining"
MANUAL = SEMAPV + "ManualMappingCuration"


@dataclass(frozen=True)
class Candidate:
    """A possible target of a link, with why it is a candidate and how strongly."""

    iri: str
    identifier: str
    label: str
    confidence: float
    evidence: tuple[str, ...]
    justification: str
    detail: str = ""

    def describe(self) -> str:
        extra = f" {self.detail}" if self.detail else ""
        return (
            f"{self.identifier} {self.label}{extra} (confidence {self.confidence:.2f}: "
            f"{', '.join(self.evidence)})"
        )


@dataclass(frozen=True)
class Match:
    """The outcome for one place."""

    place: Place
    status: str
    candidates: tuple[Candidate, ...] = ()
    note: str = ""

    @property
    def chosen(self) -> Candidate | None:
        return self.candidates[0] if self.status == LINKED else None


def decide(place: Place, candidates: list[Candidate], recorded: set[str]) -> Match:
    """Link, or say why not; `recorded` are identifiers the data already gives the place."""
    ranked = sorted(candidates, key=lambda c: (-c.confidence, c.identifier))
    if not ranked:
        return Match(place, UNMATCHED, note="no candidate with a matching name")
    best = ranked[0]
    rivals = [c for c in ranked[1:] if best.confidence - c.confidence < MARGIN]
    if rivals:
        return Match(
            place,
            AMBIGUOUS,
            tuple([best, *rivals]),
            f"{len(rivals) + 1} candidates are about as likely",
        )
    if best.confidence < ACCEPT:
        return Match(place, WEAK, (best,), "the only candidate is a weak match")
    if recorded and best.identifier not in recorded:
        return Match(
            place,
            CONFLICT,
            (best,),
            f"the data records {', '.join(sorted(recorded))} for this place",
        )
    return Match(place, LINKED, (best,))


def accepted(place: Place, candidate: Candidate) -> Match:
    """A person's decision, recorded as manual curation with full confidence."""
    manual = Candidate(
        candidate.iri,
        candidate.identifier,
        candidate.label,
        1.0,
        ("accepted by a person", *candidate.evidence),
        MANUAL,
        candidate.detail,
    )
    return Match(place, LINKED, (manual,))
