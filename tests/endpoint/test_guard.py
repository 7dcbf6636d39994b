"""The guard decides on a parse: what it refuses, and what it must not mistake for SERVICE or LOAD.

The crafted texts of issue 18 (operators next to strings that make a lexical scan misread where
strings and IRIs start) are here as unit cases; `test_security.py` sends the same corpus to a live
server with a local listener and counts connections.
"""

from __future__ import annotations

import threading

import pytest
from crafted import crafted_queries, crafted_updates

from tcap_kg.engine.guard import Limits, Query, check_query, check_update
from tcap_kg.errors import ForbiddenQueryError, ParseError, QueryError, UnsafeInputError
from tcap_kg.sparql_text import with_using

ALLOWED = ["http://allowed.example/sparql"]
EVIL = "http://127.0.0.1:9/"

CRAFTED_QUERIES = crafted_queries(EVIL)
CRAFTED_UPDATES = crafted_updates(EVIL, "http://e/g")


@pytest.mark.parametrize("query", CRAFTED_QUERIES)
def test_crafted_services_are_found_on_the_parse(query: str) -> None:
    with pytest.raises(ForbiddenQueryError, match="TCAP_SERVICE_ALLOW"):
        check_query(query, service_allow=ALLOWED)


@pytest.mark.parametrize("update", CRAFTED_UPDATES)
def test_crafted_updates_are_refused(update: str) -> None:
    with pytest.raises(ForbiddenQueryError):
        check_update(update, service_allow=ALLOWED)


def test_the_guard_is_safe_from_many_threads_at_once() -> None:
    failures: list[str] = []

    def check(offset: int) -> None:
        for n in range(20):
            for text in CRAFTED_QUERIES[(offset + n) % 5 :][:3]:
                try:
                    check_query(f"{text} # {offset} {n}", service_allow=ALLOWED)
                except ForbiddenQueryError:
                    continue
                except Exception as exc:
                    failures.append(repr(exc))
                else:
                    failures.append(f"passed: {text}")

    threads = [threading.Thread(target=check, args=(offset,)) for offset in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


def test_load_sent_as_a_query_is_refused_as_load() -> None:
    with pytest.raises(ForbiddenQueryError, match="LOAD"):
        check_query("LOAD <http://evil.example/data.ttl>")


def test_only_the_allowed_endpoint_passes_also_through_base_and_prefix() -> None:
    for query in (
        "SELECT * WHERE { SERVICE <http://allowed.example/sparql> { ?s ?p ?o } }",
        "BASE <http://allowed.example/> SELECT * WHERE { SERVICE <sparql> { ?s ?p ?o } }",
        "PREFIX a: <http://allowed.example/> SELECT * WHERE { SERVICE SILENT a:sparql { } }",
        "SELECT * WHERE { FILTER(1<2&&'x>'!='x') SERVICE <http://allowed.example/sparql> {} }",
    ):
        assert check_query(query, service_allow=ALLOWED).services == (ALLOWED[0],)
    with pytest.raises(ForbiddenQueryError):
        check_query(
            "SELECT * WHERE { SERVICE <http://allowed.example/sparql> {} "
            f"SERVICE <{EVIL}> {{}} }}",
            service_allow=ALLOWED,
        )


def test_a_relative_service_resolves_against_the_endpoint_url() -> None:
    query = "SELECT * WHERE { SERVICE <sparql> { } }"
    assert check_query(
        query, service_allow=ALLOWED, base_iri="http://allowed.example/x"
    ).services == (ALLOWED[0],)
    with pytest.raises(ForbiddenQueryError):
        check_query(query, service_allow=ALLOWED, base_iri="http://other.example/x")


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
        "SELECT * WHERE { ?s ?p 'it\\'s' . ?s ?p \"a \\\" SERVICE <x> {} \" }",
    ],
)
def test_keywords_inside_names_strings_iris_and_comments_are_not_keywords(query: str) -> None:
    assert check_query(query).form == "SELECT"


def test_unparseable_text_is_refused_with_the_position() -> None:
    with pytest.raises(ParseError) as caught:
        check_query("SELECT * WHERE {\n  ?s ?p ?o \n  FILTER(?x <) }")
    assert caught.value.line is not None and caught.value.column is not None
    assert "cannot parse" in str(caught.value)


def test_updates_are_not_queries_and_queries_not_updates() -> None:
    with pytest.raises(QueryError, match="update="):
        check_query("INSERT DATA { GRAPH <http://e/g> { <http://e/a> <http://e/b> 1 } }")
    with pytest.raises(QueryError, match="query="):
        check_update("SELECT * WHERE { ?s ?p ?o }")


def test_nesting_and_size_are_capped_before_parsing() -> None:
    deep = "SELECT * WHERE " + "{ " * 10_000 + "}" * 10_000
    with pytest.raises(UnsafeInputError, match="TCAP_QUERY_MAX_DEPTH"):
        check_query(deep)
    with pytest.raises(UnsafeInputError, match="TCAP_QUERY_MAX_DEPTH"):
        check_update("INSERT DATA { GRAPH <http://e/g> { " + "(" * 500 + " }}")
    with pytest.raises(UnsafeInputError, match="TCAP_QUERY_MAX_BYTES"):
        check_query("ASK { }" + " " * 2000, limits=Limits(max_bytes=1000))
    nested = "SELECT * WHERE " + "{ " * 60 + "?s ?p ?o " + "} " * 60
    assert check_query(nested).form == "SELECT"


def test_result_kind_and_keys_from_the_exact_text() -> None:
    assert check_query("CONSTRUCT WHERE { ?s ?p ?o }").result_kind == "graph"
    assert check_query("describe <http://e/x>").result_kind == "graph"
    assert check_query("ASK {}").result_kind == "ask"
    lower = check_query("SELECT * WHERE { FILTER(1<2&&'x>'!='x') BIND('abc' AS ?x) }")
    upper = check_query("SELECT * WHERE { FILTER(1<2&&'x>'!='x') BIND('ABC' AS ?x) }")
    assert lower.key != upper.key
    again = check_query("SELECT * WHERE { FILTER(1<2&&'x>'!='x') BIND('abc' AS ?x) }")
    assert again.key == lower.key


def test_a_query_value_is_made_only_by_the_guard() -> None:
    checked = check_query("ASK {}")
    with pytest.raises(TypeError, match="check_query"):
        Query(checked.text, checked.form, (), checked.dataset)


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
