"""The report as text for a terminal, JSON for programs, Turtle (standard SHACL) and HTML.

All four show the same findings in the same order: grouped by node (with its name where it has
one), each with severity, message, property, offending value and location, and a summary line.
"""

from __future__ import annotations

import html
import io
import json
import re
from collections.abc import Callable
from typing import Any

import pyoxigraph as ox

from ..errors import InputError
from ..locations import Value
from ..namespaces import ID, PREFIXES, RDF, SH, XSD
from ..results import short, term_json
from .model import Finding, Severity, ValidationReport

REPORT_FORMATS = ("text", "json", "turtle", "html")
MEDIA_TYPES = {
    "text": "text/plain; charset=utf-8",
    "json": "application/json",
    "turtle": "text/turtle; charset=utf-8",
    "html": "text/html; charset=utf-8",
}
DISPLAY_PREFIXES = {
    **PREFIXES,
    "tcapsh": "https://w3id.org/tcap-kg/shapes#",
    "city": ID + "city/",
    "claim": ID + "claim/",
    "mapping": ID + "mapping/",
    "geom": ID + "geometry/",
}


def render(report: ValidationReport, fmt: str) -> str:
    """The report in one of REPORT_FORMATS."""
    renderers = {
        "text": render_text,
        "json": render_json,
        "turtle": render_turtle,
        "html": render_html,
    }
    try:
        return renderers[fmt](report)
    except KeyError:
        raise InputError(
            f"unknown report format {fmt!r} (use one of: {', '.join(REPORT_FORMATS)})"
        ) from None


def name(iri: str | None) -> str:
    """An IRI for people: a prefixed name where one fits, else the IRI in angle brackets."""
    if iri is None:
        return ""
    for prefix, namespace in DISPLAY_PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return f"<{iri}>"


def path_name(path: str | None) -> str:
    """A property path for people (complex paths keep their SPARQL operators)."""
    if path is None:
        return ""
    if "<" not in path:
        return name(path)
    return re.sub(r"<([^>]*)>", lambda m: name(m.group(1)), path)


_BARE = {XSD + "integer", XSD + "decimal", XSD + "double", XSD + "boolean"}
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?)|true|false")


def value_text(value: Value | None) -> str:
    """A value as written in Turtle, shortened: "text"@en, 38.9, tcap:C11."""
    if isinstance(value, ox.NamedNode):
        return name(value.value)
    if not isinstance(value, ox.Literal):
        return "" if value is None else str(value)
    quoted = json.dumps(value.value, ensure_ascii=False)
    datatype = value.datatype.value
    if value.language:
        quoted += f"@{value.language}"
    elif datatype in _BARE and _NUMBER.fullmatch(value.value):
        quoted = value.value
    elif datatype != XSD + "string":
        quoted += f"^^{short(value.datatype)}"
    return quoted


def node_heading(focus: ox.NamedNode | ox.BlankNode, label: str | None) -> str:
    shown = name(focus.value) if isinstance(focus, ox.NamedNode) else "(unnamed node)"
    return f"{label}  {shown}" if label else shown


def render_text(report: ValidationReport) -> str:
    """Findings grouped by node, then a summary line with the counts."""
    lines: list[str] = []
    for focus, label, findings in report.by_node():
        lines.append(node_heading(focus, label))
        for finding in findings:
            lines.append(f"  {finding.severity.value.upper():<9} {_subject_line(finding)}")
            lines.append(f"            {finding.message}")
            if finding.source_shape:
                lines.append(f"            (shape {name(finding.source_shape)})")
        lines.append("")
    lines.append(report.summary())
    return "\n".join(lines) + "\n"


def _subject_line(finding: Finding) -> str:
    parts = []
    if finding.path:
        parts.append(path_name(finding.path))
    if finding.value is not None:
        parts.append(f"= {value_text(finding.value)}")
    where = f"at {finding.location.describe()}" if finding.location else ""
    text = " ".join(parts)
    return f"{text}  {where}".strip() if text else where or "(the node as a whole)"


def report_dict(report: ValidationReport) -> dict[str, Any]:
    """The report as plain JSON-ready data."""
    return {
        "conforms": report.conforms,
        "summary": report.summary(),
        "counts": {severity.value: count for severity, count in report.counts.items()},
        "sources": report.sources,
        "triples": report.triples,
        "shapes": report.shapes,
        "engine": report.engine,
        "seconds": round(report.seconds, 3),
        "nodes": [
            {
                "node": term_json(focus),
                "label": label,
                "findings": [_finding_dict(f) for f in findings],
            }
            for focus, label, findings in report.by_node()
        ],
    }


def _finding_dict(finding: Finding) -> dict[str, Any]:
    location = finding.location
    return {
        "node": term_json(finding.focus),
        "severity": finding.severity.value,
        "message": finding.message,
        "path": finding.path,
        "pathName": path_name(finding.path) or None,
        "value": term_json(finding.value) if finding.value is not None else None,
        "valueText": value_text(finding.value) or None,
        "sourceShape": finding.source_shape,
        "component": finding.component,
        "followOns": [_finding_dict(f) for f in finding.follow_ons],
        "location": None
        if location is None
        else {
            "source": location.source,
            "line": location.line,
            "column": location.column,
            "row": location.row,
            "field": location.field,
            "text": location.describe(),
        },
    }


def render_json(report: ValidationReport) -> str:
    return json.dumps(report_dict(report), ensure_ascii=False, indent=2) + "\n"


def report_quads(report: ValidationReport) -> list[ox.Triple]:
    """The standard `sh:ValidationReport` as triples."""
    sh = {
        term: ox.NamedNode(SH + term)
        for term in (
            "ValidationReport",
            "ValidationResult",
            "conforms",
            "result",
            "focusNode",
            "resultPath",
            "value",
            "resultSeverity",
            "sourceShape",
            "sourceConstraintComponent",
            "resultMessage",
        )
    }
    a = ox.NamedNode(RDF + "type")
    root = ox.BlankNode()
    out = [
        ox.Triple(root, a, sh["ValidationReport"]),
        ox.Triple(
            root,
            sh["conforms"],
            ox.Literal(
                "true" if report.conforms else "false", datatype=ox.NamedNode(XSD + "boolean")
            ),
        ),
    ]
    # The standard report keeps every result, those folded into another finding too.
    results = [f for finding in report.findings for f in (finding, *finding.follow_ons)]
    for finding in results:
        result = ox.BlankNode()
        out += [
            ox.Triple(root, sh["result"], result),
            ox.Triple(result, a, sh["ValidationResult"]),
            ox.Triple(result, sh["focusNode"], finding.focus),
            ox.Triple(result, sh["resultSeverity"], ox.NamedNode(finding.severity.iri)),
            ox.Triple(result, sh["resultMessage"], ox.Literal(finding.message, language="en")),
        ]
        if finding.path:
            path_node, path_triples = _path_node(finding.path)
            out.append(ox.Triple(result, sh["resultPath"], path_node))
            out += path_triples
        if finding.value is not None and not isinstance(finding.value, ox.Triple):
            out.append(ox.Triple(result, sh["value"], finding.value))
        shape: ox.NamedNode | ox.BlankNode = (
            ox.NamedNode(finding.source_shape) if finding.source_shape else ox.BlankNode()
        )
        out.append(ox.Triple(result, sh["sourceShape"], shape))
        if finding.component:
            out.append(
                ox.Triple(result, sh["sourceConstraintComponent"], ox.NamedNode(finding.component))
            )
    return out


_PATH_TOKEN = re.compile(r"<[^>]*>|[()|/^*+?]")


def _path_node(path: str) -> tuple[ox.NamedNode | ox.BlankNode, list[ox.Triple]]:
    """Turn our path text back into SHACL path nodes (IRIs, alternatives, sequences, inverses)."""
    if "<" not in path:
        return ox.NamedNode(path), []
    tokens = _PATH_TOKEN.findall(path)
    triples: list[ox.Triple] = []
    node, rest = _parse_alternative(tokens, triples)
    if rest:
        raise ValueError(f"unreadable path {path!r}")
    return node, triples


_PathNode = ox.NamedNode | ox.BlankNode
_Parser = Callable[[list[str], list[ox.Triple]], tuple[_PathNode, list[str]]]


def _parse_separated(
    tokens: list[str], triples: list[ox.Triple], separator: str, parse: _Parser
) -> tuple[list[_PathNode], list[str]]:
    """The items of one level of the path grammar: `parse` as often as `separator` joins them."""
    node, tokens = parse(tokens, triples)
    items = [node]
    while tokens and tokens[0] == separator:
        node, tokens = parse(tokens[1:], triples)
        items.append(node)
    return items, tokens


def _parse_alternative(
    tokens: list[str], triples: list[ox.Triple]
) -> tuple[ox.NamedNode | ox.BlankNode, list[str]]:
    options, tokens = _parse_separated(tokens, triples, "|", _parse_sequence)
    if len(options) == 1:
        return options[0], tokens
    wrapper = ox.BlankNode()
    triples.append(
        ox.Triple(wrapper, ox.NamedNode(SH + "alternativePath"), _list(options, triples))
    )
    return wrapper, tokens


def _parse_sequence(
    tokens: list[str], triples: list[ox.Triple]
) -> tuple[ox.NamedNode | ox.BlankNode, list[str]]:
    steps, tokens = _parse_separated(tokens, triples, "/", _parse_step)
    return (steps[0], tokens) if len(steps) == 1 else (_list(steps, triples), tokens)


def _parse_step(
    tokens: list[str], triples: list[ox.Triple]
) -> tuple[ox.NamedNode | ox.BlankNode, list[str]]:
    head, rest = tokens[0], tokens[1:]
    if head == "^":
        inner, rest = _parse_step(rest, triples)
        node: ox.NamedNode | ox.BlankNode = ox.BlankNode()
        triples.append(ox.Triple(node, ox.NamedNode(SH + "inversePath"), inner))
    elif head == "(":
        node, rest = _parse_alternative(rest, triples)
        rest = rest[1:]
    else:
        node = ox.NamedNode(head[1:-1])
    modifiers = {"*": "zeroOrMorePath", "+": "oneOrMorePath", "?": "zeroOrOnePath"}
    if rest and rest[0] in modifiers:
        wrapper = ox.BlankNode()
        triples.append(ox.Triple(wrapper, ox.NamedNode(SH + modifiers[rest[0]]), node))
        node, rest = wrapper, rest[1:]
    return node, rest


def _list(items: list[ox.NamedNode | ox.BlankNode], triples: list[ox.Triple]) -> ox.BlankNode:
    head = ox.BlankNode()
    current = head
    for index, item in enumerate(items):
        triples.append(ox.Triple(current, ox.NamedNode(RDF + "first"), item))
        following: ox.NamedNode | ox.BlankNode = (
            ox.BlankNode() if index + 1 < len(items) else ox.NamedNode(RDF + "nil")
        )
        triples.append(ox.Triple(current, ox.NamedNode(RDF + "rest"), following))
        if isinstance(following, ox.BlankNode):
            current = following
    return head


def render_turtle(report: ValidationReport) -> str:
    out = io.BytesIO()
    ox.serialize(
        report_quads(report),
        out,
        ox.RdfFormat.TURTLE,
        prefixes={"sh": SH, "xsd": XSD, "rdf": RDF, "tcapsh": DISPLAY_PREFIXES["tcapsh"]},
    )
    return out.getvalue().decode("utf-8")


_SEVERITY_CLASS = {
    Severity.VIOLATION: "violation",
    Severity.WARNING: "warning",
    Severity.INFO: "info",
}


def render_html_fragment(report: ValidationReport) -> str:
    """The report as an HTML section, for embedding in a page of the site."""
    esc = html.escape
    verdict = "conforms" if report.conforms else "does-not-conform"
    parts = [
        f'<section class="validation-report {verdict}">',
        f'<p class="summary">{esc(report.summary())}</p>',
    ]
    for focus, label, findings in report.by_node():
        heading = esc(label) + " " if label else ""
        node = focus.value if isinstance(focus, ox.NamedNode) else "(unnamed node)"
        parts.append('<article class="node">')
        parts.append(f"<h3>{heading}<code>{esc(node)}</code></h3><ul>")
        for finding in findings:
            kind = _SEVERITY_CLASS[finding.severity]
            detail = " ".join(
                piece
                for piece in (
                    f"<code>{esc(path_name(finding.path))}</code>" if finding.path else "",
                    f"= <code>{esc(value_text(finding.value))}</code>"
                    if finding.value is not None
                    else "",
                    f'<span class="where">at {esc(finding.location.describe())}</span>'
                    if finding.location
                    else "",
                )
                if piece
            )
            parts.append(
                f'<li class="{kind}"><strong>{finding.severity.value}</strong> {detail}'
                f"<br>{esc(finding.message)}</li>"
            )
        parts.append("</ul></article>")
    parts.append("</section>")
    return "\n".join(parts)


_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Validation report · TCap KG</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; }}
.summary {{ font-weight: bold; }}
.violation strong {{ color: #b00020; }} .warning strong {{ color: #8a5a00; }}
.info strong {{ color: #245; }} li {{ margin: .4rem 0; }} code {{ font-size: .95em; }}
</style>
</head>
<body>
<h1>Validation report</h1>
{body}
</body>
</html>
"""


def render_html(report: ValidationReport) -> str:
    """A complete standalone HTML page (the web app embeds the fragment in its own layout)."""
    return _PAGE.format(body=render_html_fragment(report))
