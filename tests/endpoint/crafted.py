"""Crafted SPARQL texts that try to reach a host (issue 18), as functions of the target URL.

Most put a comparison next to a string so that a lexical scan reads `<2&&'x>` as an IRI and
loses track of where strings start; others hide the keyword behind an escape, a prefix, a BASE, a
subquery, EXISTS or a comment. The unit tests run them through the guard; the live tests send them
to a running server with a listener on the target port and count connections.
"""

from __future__ import annotations


def crafted_queries(target: str) -> list[str]:
    """Queries (all four forms) that would call `target` if the guard missed the SERVICE."""
    return [
        f"SELECT * WHERE {{ FILTER(1<2&&'x>'!='x') SERVICE <{target}> {{ ?s ?p ?o }} "
        "FILTER('x'!='y') }",
        f'SELECT * WHERE {{ FILTER(1<2&&"x>"!="x") SERVICE <{target}> {{ }} }}',
        f"SELECT * WHERE {{ BIND(1<2 AS ?a) BIND('>' AS ?b) SERVICE <{target}> {{ }} }}",
        f"ASK {{ FILTER(?x<?y&&'a>b'='c') SERVICE SILENT <{target}> {{ ?s ?p ?o }} }}",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ FILTER(1<2||'>'=\"'\") SERVICE <{target}> "
        "{ ?s ?p ?o } }",
        f"DESCRIBE ?s WHERE {{ FILTER(2<3 && '''>''' != 'x') SERVICE <{target}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ {{ SELECT * WHERE {{ FILTER(1<2&&'x>'!='x') SERVICE <{target}> {{}} "
        "} } }",
        f"SELECT * WHERE {{ FILTER EXISTS {{ FILTER(1<2&&'x>'!='x') SERVICE <{target}> {{}} }} }}",
        f"SELECT * WHERE {{ FILTER(1<2) # '>\n SERVICE <{target}> {{}} }}",
        f"SELECT * WHERE {{ \\u0053ERVICE <{target}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ FILTER(1<2&&'{'x' * 5000}>'!='x') SERVICE <{target}> {{}} }}",
        f"PREFIX e: <{target}> SELECT * WHERE {{ FILTER(1<2&&'x>'!='x') SERVICE e: {{}} }}",
        f"BASE <{target}> SELECT * WHERE {{ FILTER(1<2&&'x>'!='x') SERVICE <x> {{}} }}",
        f"SELECT * WHERE {{ VALUES ?e {{ <{target}> }} FILTER(1<2&&'x>'!='x') SERVICE ?e {{}} }}",
        f"select * where {{ sErViCe <{target}> {{ ?s ?p ?o }} }}",
        f"SELECT*WHERE{{SERVICE<{target}>{{?s ?p ?o}}}}",
    ]


def crafted_updates(target: str, graph: str) -> list[str]:
    """Updates that would call or fetch `target` if the guard missed SERVICE or LOAD."""
    return [
        f"INSERT {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} WHERE {{ FILTER(1<2&&'x>'!='x') "
        f"SERVICE <{target}> {{ ?s ?p ?o }} FILTER('x'!='y') }}",
        f"DELETE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} WHERE {{ FILTER(1<2&&'x>'!='x') "
        f"SERVICE <{target}> {{ ?s ?p ?o }} }}",
        f"INSERT DATA {{ GRAPH <{graph}> {{ <http://e/a> <http://e/b> '<' }} }} ; LOAD <{target}>",
        f"INSERT {{ GRAPH <{graph}> {{ ?s ?p 1 }} }} WHERE {{ FILTER(1<2&&'x>'!='x') }} ; "
        f"LOAD <{target}> INTO GRAPH <{graph}> ; INSERT {{ GRAPH <{graph}> {{ ?s ?p 2 }} }} "
        "WHERE { FILTER('x'!='y') }",
        f"load silent <{target}>",
    ]
