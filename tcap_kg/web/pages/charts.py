"""Vega-Lite specifications of the pages' charts and map.

The server only describes each chart (data, marks, encodings) as JSON; Vega-Lite, shipped in the
wheel (see `hatch_build.py`), draws it in the browser as SVG. So there is no drawing code here, the
same spec is easy to test, and every chart's `description` becomes the SVG's accessible name. Each
page also shows the same numbers as a table, which is the text alternative and what a reader
without JavaScript sees.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .facts import City, Framework, Scope

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
# Okabe-Ito colours: distinguishable with colour-blindness, each >= 4.5:1 against white as text.
GROUP_COLOURS = ("#0060a0", "#b84c00", "#007a5a", "#6b5b95", "#7a6a00")
FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif'
CONFIG: dict[str, Any] = {
    "font": FONT,
    "view": {"stroke": None},
    "axis": {
        "labelFontSize": 12,
        "titleFontSize": 12,
        "labelColor": "#1f2933",
        "titleColor": "#1f2933",
    },
    "legend": {
        "labelFontSize": 12,
        "titleFontSize": 12,
        "orient": "bottom",
        "direction": "vertical",
        "labelLimit": 0,
    },
}

Spec = dict[str, Any]


def profile(
    framework: Framework,
    counts: dict[str, tuple[int, int]],
    lang: str,
    *,
    description: str,
    kinds: tuple[str, str],
    axis_title: str,
) -> Spec:
    """Horizontal stacked bars: claims per component (about the city / about a group it is in),
    coloured by the component's group, in framework order."""
    values = []
    order = []
    group_names = []
    for index, group in enumerate(framework.groups):
        group_names.append(group.name(lang))
        for component in group.components:
            label = f"{component.notation} {component.name(lang)}"
            order.append(label)
            direct, via = counts.get(component.iri, (0, 0))
            for kind, number in zip(kinds, (direct, via), strict=True):
                values.append(
                    {
                        "component": label,
                        "notation": component.notation,
                        "group": group.name(lang),
                        "kind": kind,
                        "claims": number,
                        "href": f"#component-{component.notation}",
                        "colour": GROUP_COLOURS[index % len(GROUP_COLOURS)],
                    }
                )
    top = max((sum(pair) for pair in counts.values()), default=0)
    return {
        "$schema": SCHEMA,
        "description": description,
        "width": "container",
        "height": {"step": 26},
        "data": {"values": values},
        "mark": {"type": "bar", "cursor": "pointer"},
        "encoding": {
            "y": {
                "field": "component",
                "type": "nominal",
                "sort": order,
                "title": None,
            },
            "x": {
                "field": "claims",
                "type": "quantitative",
                "stack": "zero",
                "title": axis_title,
                "scale": {"domain": [0, max(top, 1)]},
                "axis": {"tickMinStep": 1, "format": "d"},
            },
            "color": {
                "field": "group",
                "type": "nominal",
                "title": None,
                "scale": {
                    "domain": group_names,
                    "range": [
                        GROUP_COLOURS[i % len(GROUP_COLOURS)] for i in range(len(group_names))
                    ],
                },
            },
            "opacity": {
                "field": "kind",
                "type": "ordinal",
                "sort": list(kinds),
                "title": None,
                "scale": {"domain": list(kinds), "range": [1, 0.45]},
            },
            "order": {"field": "kind", "sort": "ascending"},
            "href": {"field": "href"},
            "tooltip": [
                {"field": "component", "title": "#"},
                {"field": "kind", "title": " "},
                {"field": "claims", "title": "n"},
            ],
        },
        "config": CONFIG,
        # On a phone the full names leave no room for the bars: static/js/tcap.js swaps in the
        # notations (the table below the chart names every component).
        "usermeta": {
            "compact": {
                "y": {
                    "field": "notation",
                    "type": "nominal",
                    "sort": [c.notation for g in framework.groups for c in g.components],
                    "title": None,
                }
            }
        },
    }


# Cell colours by strength of evidence (none, thin, moderate, strong): light to dark blue, the
# same as the table's classes heat-s0..heat-s3 in tcap.css.
STRENGTH_COLOURS = ("#f1f4f7", "#cfe1f2", "#6fa8d6", "#17457a")
SHARED_MARK = "\u2194"
"""Marks a cell whose claims are each one claim about several cities (a group's)."""


def heat_map(
    framework: Framework,
    rows: Sequence[Scope],
    lang: str,
    *,
    description: str,
    links: dict[tuple[str, str], str],
    strength_names: Sequence[str],
    legend_title: str,
) -> Spec:
    """Cities (rows) x components (columns): the number of claims, shaded by the strongest
    evidence among them, marked when they are shared with other cities; cells link to them."""
    components = framework.components
    values: list[dict[str, Any]] = []
    for scope in rows:
        for component in components:
            number = scope.count(component.iri)
            shared = scope.shared(component.iri)
            values.append(
                {
                    "scope": scope.name(lang),
                    "component": component.notation,
                    "name": component.name(lang),
                    "claims": number,
                    "label": f"{number}{SHARED_MARK}" if shared else str(number),
                    "strength": strength_names[scope.strength(component.iri)],
                    "dark": scope.strength(component.iri) == len(strength_names) - 1,
                    "href": links.get((scope.iri, component.iri), "") if number else "",
                }
            )
    encoding_x = {
        "field": "component",
        "type": "ordinal",
        "sort": [c.notation for c in components],
        "title": None,
        "axis": {"orient": "top", "labelAngle": 0},
    }
    encoding_y = {
        "field": "scope",
        "type": "ordinal",
        "sort": [scope.name(lang) for scope in rows],
        "title": None,
    }
    return {
        "$schema": SCHEMA,
        "description": description,
        "width": "container",
        "height": {"step": 34},
        "data": {"values": values},
        "encoding": {"x": encoding_x, "y": encoding_y},
        "layer": [
            {
                "mark": {
                    "type": "rect",
                    "stroke": "#ffffff",
                    "strokeWidth": 2,
                    "cursor": "pointer",
                },
                "encoding": {
                    "color": {
                        "field": "strength",
                        "type": "ordinal",
                        "title": legend_title,
                        "scale": {
                            "domain": list(strength_names),
                            "range": list(STRENGTH_COLOURS),
                        },
                        "legend": {"direction": "horizontal", "orient": "bottom"},
                    },
                    "href": {"field": "href"},
                    "tooltip": [
                        {"field": "scope", "title": " "},
                        {"field": "component", "title": "#"},
                        {"field": "name", "title": " "},
                        {"field": "claims", "title": "n"},
                        {"field": "strength", "title": legend_title},
                    ],
                },
            },
            {
                "mark": {"type": "text", "fontSize": 13, "fontWeight": "bold"},
                "encoding": {
                    "text": {"field": "label"},
                    "color": {
                        "condition": {"test": "datum.dark", "value": "#ffffff"},
                        "value": "#1f2933",
                    },
                    "href": {"field": "href"},
                },
            },
        ],
        "config": CONFIG,
    }


def city_map(
    places: Sequence[City], lang: str, *, description: str, land_url: str, links: dict[str, str]
) -> Spec:
    """The cities as points at their coordinates over a land outline, Mercator, fitted to them."""
    points = [
        {
            "name": city.name(lang),
            "lat": city.lat,
            "long": city.long,
            "href": links.get(city.iri, ""),
        }
        for city in places
        if city.has_point
    ]
    return {
        "$schema": SCHEMA,
        "description": description,
        "width": "container",
        "height": 520,
        "projection": {"type": "mercator", "fit": extent(points)},
        "layer": [
            {
                "data": {"sphere": True},
                "mark": {"type": "geoshape", "fill": "#dcebf7", "clip": True, "aria": False},
            },
            {
                "data": {"graticule": {"step": [10, 10]}},
                "mark": {
                    "type": "geoshape",
                    "filled": False,
                    "stroke": "#b9cfe2",
                    "strokeWidth": 0.5,
                    "clip": True,
                    "aria": False,
                },
            },
            {
                "data": {"url": land_url, "format": {"type": "topojson", "feature": "land"}},
                "mark": {
                    "type": "geoshape",
                    "fill": "#f4f1ea",
                    "stroke": "#9fb0c0",
                    "strokeWidth": 0.6,
                    "clip": True,
                    "aria": False,
                },
            },
            {
                "data": {"values": points},
                "mark": {
                    "type": "circle",
                    "size": 140,
                    "color": "#b84c00",
                    "opacity": 0.95,
                    "stroke": "#ffffff",
                    "strokeWidth": 1.5,
                    "cursor": "pointer",
                },
                "encoding": {
                    "longitude": {"field": "long", "type": "quantitative"},
                    "latitude": {"field": "lat", "type": "quantitative"},
                    "href": {"field": "href"},
                    "tooltip": [
                        {"field": "name", "title": " "},
                        {"field": "lat", "title": "lat", "format": ".4f"},
                        {"field": "long", "title": "long", "format": ".4f"},
                    ],
                },
            },
            {
                "data": {"values": points},
                "mark": {
                    "type": "text",
                    "align": "left",
                    "dx": 10,
                    "dy": -2,
                    "fontSize": 13,
                    "fontWeight": "bold",
                    "color": "#1f2933",
                },
                "encoding": {
                    "longitude": {"field": "long", "type": "quantitative"},
                    "latitude": {"field": "lat", "type": "quantitative"},
                    "text": {"field": "name"},
                    "href": {"field": "href"},
                },
            },
        ],
        "config": CONFIG,
    }


def extent(points: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """A GeoJSON box around the points, padded, at least 24 x 16 degrees, for the projection fit."""
    if not points:
        west, south, east, north = -170.0, -60.0, 170.0, 75.0
    else:
        longs = [p["long"] for p in points]
        lats = [p["lat"] for p in points]
        west, east, south, north = min(longs), max(longs), min(lats), max(lats)
        cx, cy = (west + east) / 2, (south + north) / 2
        half_w = max((east - west) / 2 * 1.35, 12.0)
        half_h = max((north - south) / 2 * 1.35, 8.0)
        west, east = max(cx - half_w, -180.0), min(cx + half_w, 180.0)
        south, north = max(cy - half_h, -80.0), min(cy + half_h, 84.0)
    return {
        "type": "Feature",
        "properties": {},
        "geometry": {
            "type": "MultiPoint",
            "coordinates": [[west, south], [east, north], [west, north], [east, south]],
        },
    }
