"""Query results as a small HTML page, for people who open a query URL in a browser.

Deliberately plain and self-contained (no scripts, no CDN): the rich query editor lives at
`/query`; this page only has to show an answer readably, with IRIs as links.
"""

from __future__ import annotations

from html import escape

import pyoxigraph as ox

from .results import AnyTerm, Rendered, result_kind, short, take
from .store import QueryResult, Solutions, Triples

MEDIA_TYPE = "text/html; charset=utf-8"

_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:system-ui,sans-serif;margin:1.5rem}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top;overflow-wrap:anywhere}}
th{{background:#f3f3f3}}p.note{{color:#8a4b00}}</style></head>
<body><h1>{title}</h1>{note}{content}<p><a href="/query">Query editor</a></p></body></html>
"""


def cell(term: AnyTerm | None) -> str:
    """One term as HTML: IRIs as links with a short label, literals as text."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return f'<a href="{escape(term.value)}">{escape(short(term))}</a>'
    return escape(short(term))


def table(headers: list[str], rows: list[list[str]]) -> str:
    """An HTML table of pre-escaped cells."""
    head = "".join(f"<th>{escape(name)}</th>" for name in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def page(title: str, content: str, note: str = "") -> bytes:
    """A complete HTML page around some content."""
    shown = f'<p class="note">{escape(note)}</p>' if note else ""
    return _PAGE.format(title=escape(title), note=shown, content=content).encode()


def render_html(result: QueryResult, *, max_rows: int | None = None) -> Rendered:
    """Any query result as a page: a table of solutions, a yes/no, or a table of triples."""
    kind = result_kind(result)
    if isinstance(result, bool):
        body = page("Answer", f"<p><strong>{'yes' if result else 'no'}</strong></p>")
        return Rendered(body, MEDIA_TYPE, 1, False)
    rows: list[list[str]]
    if isinstance(result, Solutions):
        solutions, truncated = take(result, max_rows)
        headers = result.variables
        rows = [[cell(solution[name]) for name in headers] for solution in solutions]
    else:
        assert isinstance(result, Triples) and kind == "graph"
        triples, truncated = take(result, max_rows)
        headers = ["subject", "predicate", "object"]
        rows = [[cell(t.subject), cell(t.predicate), cell(t.object)] for t in triples]
    note = f"Only the first {len(rows):,} rows are shown (row cap)." if truncated else ""
    title = f"{len(rows):,} result{'s' if len(rows) != 1 else ''}"
    return Rendered(page(title, table(headers, rows), note), MEDIA_TYPE, len(rows), truncated)
