"""How strong the evidence behind a claim is, for the comparison's colours and badges.

A count of claims says only that something was said; the comparison shades each cell by the
strongest claim in it instead, judged on two things the data records apart, each ranked in the
ontology (`tcap:ordinalValue` of the evidence kinds and of the verification statuses): the kind of
record the claim rests on (`tcap:evidenceType`) and how far it was checked
(`tcap:verificationStatus`). A claim is as strong as the weaker of the two:

* strong: an original record (rank 4: a policy document, project documentation, an interview, a
  workshop, a survey, an academic publication, a reference dataset), read and verified (rank 2);
* moderate: a record of rank 2 or 3 (news, an organisation's or an international organisation's
  page), or any record known only through a secondary source (rank 1);
* thin: a blog post, the project's own research notes, anything from memory, or a claim that
  records neither.

The levels are this project's reading of its own vocabularies, stated here and on the page; they
are not a rating of the city.
"""

from __future__ import annotations

THIN, MODERATE, STRONG = 1, 2, 3
LEVELS = (THIN, MODERATE, STRONG)
NAMES = {THIN: "thin", MODERATE: "moderate", STRONG: "strong"}

KIND_LEVELS = ((4, STRONG), (2, MODERATE))
STATUS_LEVELS = ((2, STRONG), (1, MODERATE))


def _graded(ranks: list[int], steps: tuple[tuple[int, int], ...]) -> int:
    best = max(ranks, default=0)
    return next((grade for floor, grade in steps if best >= floor), THIN)


def level(kind_ranks: list[int], status_ranks: list[int]) -> int:
    """The strength of one claim from the ranks of its evidence kinds and verification statuses
    (the best of each, then the weaker of the two)."""
    return min(_graded(kind_ranks, KIND_LEVELS), _graded(status_ranks, STATUS_LEVELS))
