"""Which graphs the pages take their statements from (issue 18, §2).

The pages speak for the project: a name, a claim or a coordinate they show must come from a graph
the project vouches for, namely the shipped files, the link sets `tcap link` wrote from them, and
datasets that passed the shapes when they were loaded (their record says `dcterms:conformsTo`).
Graphs loaded with `--no-validate` (role `external`), graphs without a record and the inferred
closure are not among them: their statements about our things are shown apart, each with the graph
it comes from, never mixed in as if they were ours.

The set is read from the catalogue records, once per store generation. While every graph in the
store is trusted (the usual case) the pages query the default union as it is, since restricting a
query to a list of graphs makes Oxigraph's joins about ten times slower.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...namespaces import CATALOG_GRAPH
from ...records import LINKSET, SHIPPED, read_records
from ...sparql_text import QueryDataset
from ...store.base import Queryable

TRUSTED_ROLES = frozenset({SHIPPED, LINKSET})


@dataclass(frozen=True)
class Graphs:
    """The graphs the pages read (`trusted`) and the role of every recorded graph."""

    trusted: tuple[str, ...]
    roles: dict[str, str]
    others: bool
    """Whether the store holds any graph outside the trusted set."""

    @property
    def dataset(self) -> QueryDataset | None:
        """The dataset page queries run over (None: the default union, all of it trusted)."""
        return QueryDataset(default_graphs=self.trusted) if self.others else None


_CACHE: dict[int, tuple[str, Graphs]] = {}


def graphs(store: Queryable) -> Graphs:
    """The trusted graphs of the store as it is now."""
    generation = store.generation()
    cached = _CACHE.get(id(store))
    if cached is not None and cached[0] == generation:
        return cached[1]
    records = read_records(store)
    trusted = tuple(
        sorted(
            iri
            for iri, record in records.items()
            if record.role in TRUSTED_ROLES or record.conforms_to
        )
    )
    every = {info.iri for info in store.graphs()} - {CATALOG_GRAPH}
    found = Graphs(
        trusted,
        {iri: record.role for iri, record in records.items()},
        others=bool(every - set(trusted)),
    )
    _CACHE[id(store)] = (generation, found)
    return found
