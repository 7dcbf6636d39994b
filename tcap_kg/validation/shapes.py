"""The shipped shapes, read once per process, in the forms the engines want.

Shapes live in `shapes/` (one named graph per file, like every shipped file). Both engines take an
rdflib graph; pyshacl-turbo also compiles it once into a native program that is reused for every
validation, which is most of its speed on small datasets.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pyshacl_turbo
import rdflib

from ..errors import TcapError
from ..namespaces import RDF, RDFS, SH, graph_for_path
from ..rdfio import parse_file
from ..shipped import shapes_dir
from .reach import description_reach

log = logging.getLogger(__name__)

SHAPES_NS = "https://w3id.org/tcap-kg/shapes#"
KNOWN_TERMS_SHAPE = SHAPES_NS + "KnownTermsShape"
PROTECTED_TERMS_SHAPE = SHAPES_NS + "ProtectedTermsShape"
SPARQL_COMPONENT = "http://www.w3.org/ns/shacl#SPARQLConstraintComponent"
MAX_SHAPES_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class ShapesBundle:
    """Every shapes file of a folder, parsed, with what the engines and reports need of it."""

    graphs: tuple[str, ...]
    quads: tuple[ox.Quad, ...]
    digest: str
    messages: dict[str, str] = field(hash=False)
    labels: dict[str, str] = field(hash=False)

    @cached_property
    def rdflib_graph(self) -> rdflib.Graph:
        """The shapes as one rdflib graph (pySHACL's input; pyshacl-turbo compiles it)."""
        graph = rdflib.Graph()
        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in self.quads]
        data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        assert data is not None
        graph.parse(data=data.decode("utf-8"), format="nt")
        return graph

    @cached_property
    def turbo(self) -> Any:
        """The shapes compiled by pyshacl-turbo, reused across validations."""
        try:
            return pyshacl_turbo.compile_shapes(self.rdflib_graph)  # type: ignore[no-untyped-call]
        except Exception as exc:
            raise TcapError(f"the shapes could not be compiled: {exc}") from exc

    @cached_property
    def reach(self) -> int:
        """Links from a checked node to the farthest node whose description the shapes read."""
        return description_reach(self.rdflib_graph)

    @cached_property
    def subjects(self) -> frozenset[str]:
        """Every IRI the shapes describe (shapes, the shapes document): terms data may not touch."""
        return frozenset(q.subject.value for q in self.quads if isinstance(q.subject, ox.NamedNode))

    def message(self, shape: str) -> str:
        """The English sh:message of a shape (empty when it has none)."""
        return self.messages.get(shape, "")


def load_shapes(directory: Path | None = None) -> ShapesBundle:
    """The shapes of `directory` (default: the shipped `shapes/`), cached per folder state."""
    folder = (directory or shapes_dir()).resolve()
    files = tuple(sorted(p for p in folder.glob("*.ttl") if p.is_file()))
    if not files:
        raise TcapError(f"no shapes found in {folder}")
    state = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)
    return _load(folder, state)


@lru_cache(maxsize=4)
def _load(folder: Path, state: tuple[tuple[str, int, int], ...]) -> ShapesBundle:
    quads: list[ox.Quad] = []
    graphs: list[str] = []
    digest = hashlib.sha256()
    for name, _, _ in state:
        path = Path(name)
        graph = graph_for_path(f"shapes/{path.name}")
        parsed = parse_file(path, max_bytes=MAX_SHAPES_BYTES)
        digest.update(parsed.sha256.encode())
        target = ox.NamedNode(graph)
        quads += [ox.Quad(q.subject, q.predicate, q.object, target) for q in parsed.quads]
        graphs.append(graph)
    messages: dict[str, str] = {}
    labels: dict[str, str] = {}
    for quad in quads:
        if not isinstance(quad.subject, ox.NamedNode) or not isinstance(quad.object, ox.Literal):
            continue
        if quad.predicate.value == SH + "message" and quad.object.language in (None, "en"):
            messages[quad.subject.value] = quad.object.value
        elif quad.predicate.value == RDFS + "label" and quad.object.language in (None, "en"):
            labels[quad.subject.value] = quad.object.value
    log.debug("loaded %d shapes triples from %s", len(quads), folder)
    return ShapesBundle(tuple(graphs), tuple(quads), digest.hexdigest(), messages, labels)


def shape_iris(bundle: ShapesBundle) -> list[str]:
    """Every node and property shape with an IRI (reports name shapes by these)."""
    kinds = {SH + "NodeShape", SH + "PropertyShape", SH + "SPARQLConstraint"}
    return sorted(
        {
            q.subject.value
            for q in bundle.quads
            if q.predicate.value == RDF + "type"
            and isinstance(q.subject, ox.NamedNode)
            and isinstance(q.object, ox.NamedNode)
            and q.object.value in kinds
        }
    )
