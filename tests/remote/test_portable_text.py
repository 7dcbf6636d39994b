"""Text and terms on their way to and from a remote server: bound parameters, rewritten tests,
skolemised blank nodes, stand-in datatypes and the JSON answer filter, on hostile input too."""

from __future__ import annotations

import io
import json

import pyoxigraph as ox
import pytest

from tcap_kg.errors import QueryError
from tcap_kg.sparql_text import bind
from tcap_kg.store.remote.answers import JsonTerms
from tcap_kg.store.remote.portable import GENID, STANDIN, Portable, blank_label
from tcap_kg.store.remote.rewrite import portable_text

EX = "http://example.org/"
WKT = "http://www.opengis.net/ont/geosparql#wktLiteral"
CITY = ox.NamedNode(EX + "beijing")


def test_a_bound_variable_becomes_its_term_with_a_bind_in_front():
    text = bind(
        "SELECT ?city ?x WHERE { ?scope <p>? ?city . OPTIONAL { ?city <q> ?x } } ORDER BY ?city",
        {"city": CITY, "unused": CITY},
    )
    assert text == (
        f"SELECT ?city ?x WHERE {{ BIND(<{EX}beijing> AS ?city) ?scope <p>?  <{EX}beijing>  . "
        f"OPTIONAL {{  <{EX}beijing>  <q> ?x }} }} ORDER BY ?city"
    )
    assert "VALUES" not in text


def test_bound_terms_never_break_out_of_the_query():
    hostile = ox.Literal('x" } ; DROP ALL ; SELECT * { "')
    text = bind("SELECT ?o WHERE { ?s ?p ?o } # { comment\n", {"o": hostile})
    assert text.count('"x\\" } ; DROP ALL ; SELECT * { \\""') == 2
    parsed = ox.Store()
    parsed.add(ox.Quad(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), hostile))
    assert [row["o"] for row in parsed.query(text)] == [hostile]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?s WHERE { { SELECT ?s WHERE { ?s ?p ?o } } }",
        "SELECT ?s WHERE { VALUES ?s { <a> } ?s ?p ?o }",
        "SELECT ?s WHERE { ?x ?p ?o BIND(?x AS ?s) }",
    ],
)
def test_where_substitution_would_change_scopes_a_values_block_is_used(query: str):
    text = bind(query, {"s": CITY})
    assert text.startswith(f"SELECT ?s WHERE {{ VALUES (?s) {{ (<{EX}beijing>) }}")


def test_queries_without_a_where_group_get_the_block_at_the_end():
    assert bind("DESCRIBE ?s", {"s": CITY}).endswith(f"VALUES (?s) {{ (<{EX}beijing>) }}")
    built = bind("CONSTRUCT WHERE { ?s ?p ?o }", {"s": CITY})
    assert built.endswith(f"VALUES (?s) {{ (<{EX}beijing>) }}")
    template = bind("CONSTRUCT { ?s <q> ?o } WHERE { ?s ?p ?o }", {"s": CITY})
    assert template.startswith("CONSTRUCT { ?s <q> ?o } WHERE { BIND(")


def test_blank_nodes_cannot_be_bound_in_query_text():
    with pytest.raises(QueryError, match="blank node"):
        bind("SELECT ?s WHERE { ?s ?p ?o }", {"s": ox.BlankNode()})


def test_blank_node_tests_tell_genid_iris_apart():
    text = portable_text(
        "SELECT * WHERE { ?s ?p ?o FILTER(isBlank(COALESCE(?o, ?s)) && !ISIRI(?s)) }"
    )
    assert text == (
        "SELECT * WHERE { ?s ?p ?o FILTER((isBlank(COALESCE(?o, ?s)) || "
        f'STRSTARTS(STR(COALESCE(?o, ?s)), "{GENID}")) && !(ISIRI(?s) && '
        f'!STRSTARTS(STR(?s), "{GENID}"))) }}'
    )
    quoted = 'SELECT * WHERE { ?s ?p "isBlank(?s)" } # isIRI(?x)\n'
    assert portable_text(quoted) == quoted
    nested = portable_text("ASK { FILTER(isURI(IF(isBlank(?x), ?y, ?z))) }")
    assert nested.count("STRSTARTS(STR(?x)") == 2, "the inner test, in both copies of the argument"
    assert nested.count("STRSTARTS(STR(IF(") == 1


def test_stand_in_datatypes_are_written_into_query_text():
    text = portable_text(
        "PREFIX geo: <http://www.opengis.net/ont/geosparql#> "
        'ASK { ?g geo:asWKT "POINT(1 2)"^^geo:wktLiteral , "x"^^<http://other/> }',
        frozenset({WKT}),
    )
    assert f'"POINT(1 2)"^^<{STANDIN}{WKT}>' in text and '"x"^^<http://other/>' in text
    assert portable_text('ASK { ?s ?p "a"^^geo:wktLiteral }', frozenset({WKT})).endswith(
        '"a"^^geo:wktLiteral }'
    ), "an undeclared prefix is left to the server to refuse"


def test_terms_go_in_portable_and_come_back_as_they_were():
    portable = Portable(frozenset({WKT}))
    node = ox.BlankNode("b1")
    point = ox.Literal("POINT(1 2)", datatype=ox.NamedNode(WKT))
    assert portable.stored(node) == ox.NamedNode(GENID + "b1")
    assert portable.stored(point) == ox.Literal("POINT(1 2)", datatype=ox.NamedNode(STANDIN + WKT))
    for term in (node, point, ox.NamedNode(EX + "a"), ox.Literal("x", language="zh")):
        assert Portable.given(portable.stored(term)) == term
    not_a_label = ox.NamedNode(GENID + "ends.with.a.dot.")
    assert Portable.given(not_a_label) == not_a_label


@pytest.mark.parametrize(
    "label, valid",
    [
        ("b10257", "b10257"),
        ("é_1", "é_1"),
        ("nodeID://b10257", "nodeID_3a_2f_2fb10257"),
        ("a b.", "a_20b_2e"),
    ],
)
def test_server_blank_node_labels_are_made_valid(label: str, valid: str):
    assert blank_label(label) == valid
    ox.BlankNode(valid)


def answer(document: dict[str, object], chunk: int = 7) -> list[ox.QuerySolution]:
    """A JSON answer read through the filter in small chunks, as from a slow server."""
    raw = json.dumps(document).encode()

    class Trickle(io.RawIOBase):
        def __init__(self) -> None:
            self.rest = raw

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
            piece, self.rest = self.rest[:chunk], self.rest[chunk:]
            buffer[: len(piece)] = piece
            return len(piece)

    filtered = io.BufferedReader(JsonTerms(Trickle()))
    return list(ox.parse_query_results(filtered, ox.QueryResultsFormat.JSON))  # type: ignore[arg-type]


def test_the_json_filter_turns_server_terms_into_ours_across_chunks():
    rows = answer(
        {
            "head": {"vars": ["a", "b", "c", "d", "e"]},
            "results": {
                "bindings": [
                    {
                        "a": {"type": "bnode", "value": "nodeID://b10257"},
                        "b": {"value": GENID + "x1", "type": "uri"},
                        "c": {"type": "uri", "value": GENID + "x1"},
                        "d": {
                            "type": "typed-literal",
                            "datatype": STANDIN + WKT,
                            "value": "POINT(1 2)",
                        },
                        "e": {
                            "type": "literal",
                            "value": 'say "type": "bnode", "value": "nodeID://x"',
                        },
                    },
                    {"a": {"type": "bnode", "value": "nodeID://b10257"}},
                ]
            },
        }
    )
    first, second = rows
    assert first["a"] == second["a"] == ox.BlankNode("nodeID_3a_2f_2fb10257")
    assert first["b"] == first["c"] == ox.BlankNode("x1")
    assert first["d"] == ox.Literal("POINT(1 2)", datatype=ox.NamedNode(WKT))
    assert first["e"] == ox.Literal('say "type": "bnode", "value": "nodeID://x"')


def test_escaped_slashes_in_genid_iris_are_recognised():
    raw = (
        b'{"head":{"vars":["a"]},"results":{"bindings":[{"a":{"type":"uri","value":"'
        + GENID.replace("/", "\\/").encode()
        + b'n7"}}]}}'
    )
    filtered = io.BufferedReader(JsonTerms(io.BytesIO(raw)))  # type: ignore[arg-type]
    rows = list(ox.parse_query_results(filtered, ox.QueryResultsFormat.JSON))  # type: ignore[arg-type]
    assert rows[0]["a"] == ox.BlankNode("n7")
