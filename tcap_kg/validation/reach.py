"""How far from a node the shapes read: the depth of context a dataset must be checked with.

A shape checking a node reads more than the node's own statements: `sh:class` on a property
reads the types of the node's values, `sh:node` applies a shape to those values and may read
their values in turn. When the dataset adds one statement to Beijing, the shapes read Beijing's
geometry node and its type, which only the store describes. The reach is the largest number of
links between a checked node and a node whose description some shape reads; the validation
context holds the description of every node within that many links of the dataset.

A SPARQL constraint is opaque here and is taken to read its node's immediate neighbours (one
link); constraints that look across the whole graph (the duplicate-identifier checks) are served
by the identifiers of every place in the context instead. Unbounded paths (`sh:zeroOrMorePath`)
count as MAX_REACH links. The context holds the statements *of* nodes, not those pointing at
them, so an inverse path is counted but not served; no shipped shape uses one.
"""

from __future__ import annotations

import rdflib
from rdflib.term import Node

from ..namespaces import SH

MAX_REACH = 4

_SH = rdflib.Namespace(SH)
_TARGETS = (_SH.targetClass, _SH.targetSubjectsOf, _SH.targetObjectsOf, _SH.targetNode)
_SHAPE_LISTS = (_SH["and"], _SH["or"], _SH.xone)
_SHAPE_VALUES = (_SH.node, _SH["not"], _SH.qualifiedValueShape)


def description_reach(shapes: rdflib.Graph) -> int:
    """The reach of the shapes with a target (the shapes a validation starts from)."""
    targeted = {s for target in _TARGETS for s in shapes.subjects(target, None)}
    reaches = [_shape_reach(shapes, shape, frozenset()) for shape in targeted]
    return min(max(reaches, default=0), MAX_REACH)


def _shape_reach(shapes: rdflib.Graph, shape: Node, seen: frozenset[Node]) -> int:
    """Links from the node a shape checks to the farthest node whose description it reads."""
    if shape in seen:
        return 0
    seen = seen | {shape}
    if (shape, _SH.path, None) in shapes:
        return _property_reach(shapes, shape, seen)
    reach = 1 if (shape, _SH.sparql, None) in shapes else 0
    for prop in shapes.objects(shape, _SH.property):
        reach = max(reach, _property_reach(shapes, prop, seen))
    for inner in _inner_shapes(shapes, shape):
        reach = max(reach, _shape_reach(shapes, inner, seen))
    return reach


def _property_reach(shapes: rdflib.Graph, prop: Node, seen: frozenset[Node]) -> int:
    path = shapes.value(prop, _SH.path)
    length = _path_length(shapes, path) if path is not None else 1
    reach = length - 1  # walking the path reads every node on it before the values
    if (prop, _SH.sparql, None) in shapes:
        reach = max(reach, 1)
    if (prop, _SH["class"], None) in shapes:
        reach = max(reach, length)
    for inner in _inner_shapes(shapes, prop, values=True):
        reach = max(reach, length + _shape_reach(shapes, inner, seen))
    return min(reach, MAX_REACH)


def _inner_shapes(shapes: rdflib.Graph, shape: Node, *, values: bool = False) -> list[Node]:
    """Shapes applied to the same node as `shape` (or, for a property shape, to its values)."""
    found: list[Node] = []
    for predicate in _SHAPE_VALUES:
        if predicate == _SH.qualifiedValueShape and not values:
            continue
        found += shapes.objects(shape, predicate)
    for predicate in _SHAPE_LISTS:
        for head in shapes.objects(shape, predicate):
            found += shapes.items(head)
    return found


def _path_length(shapes: rdflib.Graph, path: Node) -> int:
    """Links a SHACL property path walks (the longest alternative)."""
    if isinstance(path, rdflib.URIRef):
        return 1
    alternatives = shapes.value(path, _SH.alternativePath)
    if alternatives is not None:
        return max((_path_length(shapes, p) for p in shapes.items(alternatives)), default=1)
    inverse = shapes.value(path, _SH.inversePath)
    if inverse is not None:
        return _path_length(shapes, inverse)
    optional = shapes.value(path, _SH.zeroOrOnePath)
    if optional is not None:
        return _path_length(shapes, optional)
    if any(shapes.value(path, p) is not None for p in (_SH.zeroOrMorePath, _SH.oneOrMorePath)):
        return MAX_REACH
    steps = list(shapes.items(path))
    return sum(_path_length(shapes, step) for step in steps) if steps else 1
