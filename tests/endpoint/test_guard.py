"""The lexical safety scan: what it refuses, what it must not mistake for a keyword."""

from __future__ import annotations

import pytest

from tcap_kg.errors import ForbiddenQueryError, QueryError
from tcap_kg.sparql_guard import check_query, check_update, with_using

ALLOWED = ["http://allowed.example/sparql"]


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://evil.example/sparql> { ?s ?p ?o } }",
        "select * where { sErViCe <http://evil.example/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE SILENT <http://evil.example/sparql> { ?s ?p ?o } }",
        "SELECT*WHERE{SERVICE<http://evil.example/sparql>{?s ?p ?o}}",
        "PREFIX e: <http://evil.example/> SELECT * WHERE { SERVICE e:sparql { ?s ?p ?o } }",
        "BASE <http://evil.example/> SELECT * WHERE { SERVICE <sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { ?s ?p ?o . { SELECT * WHERE { SERVICE <http://evil.example/x> {} } } }",
        "# a comment\nSELECT * WHERE { ?s ?p '''x''' . SERVICE <http://evil.example/> {} }",
        "ASK { SERVICE <file:///etc/passwd> {} }",
    ],
)
def test_service_outside_the_allow_list_is_refused(query: str) -> None:
    with pytest.raises(ForbiddenQueryError, match="TCAP_SERVICE_ALLOW"):
        check_query(query, service_allow=ALLOWED)


def test_service_with_a_variable_is_refused_even_with_an_allow_list() -> None:
    with pytest.raises(ForbiddenQueryError, match="variable"):
        check_query("SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } }", service_allow=ALLOWED)


def test_allowed_service_passes_also_through_base_and_prefix() -> None:
    for query in (
        "SELECT * WHERE { SERVICE <http://allowed.example/sparql> { ?s ?p ?o } }",
        "BASE <http://allowed.example/> SELECT * WHERE { SERVICE <sparql> { ?s ?p ?o } }",
        "PREFIX a: <http://allowed.example/> SELECT * WHERE { SERVICE SILENT a:sparql { } }",
    ):
        assert check_query(query, service_allow=ALLOWED).services == (ALLOWED[0],)


@pytest.mark.parametrize(
    "query",
    [
        "PREFIX ex: <http://example.org/> SELECT ?service WHERE { ?s ex:service ?service }",
        "SELECT * WHERE { ?s ?p 'SERVICE <http://evil.example/> {}' }",
        'SELECT * WHERE { ?s ?p "LOAD <http://evil.example/>" }',
        'SELECT * WHERE { ?s ?p """multi\nline SERVICE <http://evil.example/> { } """ }',
        "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://evil.example/> { }",
        "SELECT * WHERE { ?s <http://example.org/SERVICE> ?o }",
        "PREFIX service: <http://example.org/> SELECT * WHERE { ?s service:load ?o }",
        "SELECT ?load ?service WHERE { ?load ?service ?x FILTER(?x < 3 && ?x > 1) }",
        "SELECT * WHERE { ?s ?p 'it''s' . ?s ?p \"a \\\" SERVICE <x> {} \" }",
    ],
)
def test_keywords_inside_names_strings_iris_and_comments_are_not_keywords(query: str) -> None:
    assert check_query(query).form == "SELECT"


def test_load_is_refused_in_updates_and_as_a_query() -> None:
    with pytest.raises(ForbiddenQueryError, match="LOAD"):
        check_update("LOAD <http://evil.example/data.ttl> INTO GRAPH <http://example.org/g>")
    with pytest.raises(ForbiddenQueryError, match="LOAD"):
        check_update(
            "INSERT DATA { GRAPH <http://e/g> { <http://e/a> <http://e/b> 1 } } ; load <http://evil/x>"
        )
    with pytest.raises(ForbiddenQueryError, match="LOAD"):
        check_query("LOAD <http://evil.example/data.ttl>")


def test_updates_are_not_queries_and_queries_not_updates() -> None:
    with pytest.raises(QueryError, match="update="):
        check_query("INSERT DATA { GRAPH <http://e/g> { <http://e/a> <http://e/b> 1 } }")
    with pytest.raises(QueryError, match="query="):
        check_update("SELECT * WHERE { ?s ?p ?o }")


def test_result_kind_and_normalised_text() -> None:
    assert check_query("CONSTRUCT WHERE { ?s ?p ?o }").result_kind == "graph"
    assert check_query("describe <http://e/x>").result_kind == "graph"
    assert check_query("ASK {}").result_kind == "ask"
    one = check_query("select  *\nwhere { ?s ?p ?o } # note")
    two = check_query("SELECT * WHERE {?s ?p ?o}")
    assert one.normalised == two.normalised


def test_using_parameters_become_using_clauses_before_each_where() -> None:
    update = (
        "DELETE { GRAPH <http://e/g> { ?s ?p ?o } } WHERE { ?s ?p ?o } ; "
        "INSERT { GRAPH <http://e/h> { ?s ?p ?o } } WHERE { ?s ?p ?o }"
    )
    rewritten = with_using(update, ["http://e/d"], ["http://e/n"])
    assert rewritten.count("USING <http://e/d> USING NAMED <http://e/n> WHERE") == 2
    assert with_using(update, [], []) == update
    with pytest.raises(QueryError, match="USING or WITH"):
        with_using("WITH <http://e/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", ["http://e/d"], [])


def test_from_clauses_become_the_query_dataset() -> None:
    checked = check_query(
        "PREFIX g: <http://e/g/> SELECT * FROM <http://e/a> FROM g:b FROM NAMED <http://e/n> "
        "WHERE { ?s ?p ?o }"
    )
    assert checked.dataset.default_graphs == ("http://e/a", "http://e/g/b")
    assert checked.dataset.named_graphs == ("http://e/n",)
    only_named = check_query("SELECT * FROM NAMED <http://e/n> WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert only_named.dataset.default_graphs == ()
    assert check_query("SELECT * WHERE { ?s ?p ?o }").dataset.is_default
