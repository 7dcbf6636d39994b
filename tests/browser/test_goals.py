"""The pages' goals, measured in real Chromium and printed (see the "figures" section of the run):

* every page at 390 px wide has no horizontal overflow (document width <= viewport);
* axe-core finds 0 critical and 0 serious problems on every page, in both languages, at both sizes;
* the city page moves <= 400 KB on a first visit and <= 50 KB on a repeat visit, and its chart is
  drawn within 1 s;
* a screenshot of each page at each size in each language goes to `artifacts/screenshots/`.
"""

from __future__ import annotations

import urllib.request

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser_support import screenshot

SIZES = {"desktop": (1280, 800), "phone": (390, 844)}
LANGUAGES = ("en", "zh")
PAGES = [
    ("home", "/"),
    ("cities", "/cities"),
    ("city", "/city/beijing"),
    ("compare", "/compare"),
    ("compare-cell", "/compare?scope=city/wuhan&component=C10#claims"),
    ("compare-cities", "/compare?city=beijing&city=shenzhen&city=wuhan#side-by-side"),
    ("map", "/map"),
    ("query", "/query"),
    ("query-results", "/query?name=international-cooperation#results"),
    ("validate", "/validate"),
    ("ontology", "/ontology.html"),
    ("sparql", "/sparql"),
    ("source", "/doc/publication/sss-blog-2023"),
    ("claim", "/doc/claim/sss-blog-2023-international-cooperation"),
    ("organisation", "/doc/org/tcap-kg"),
]
BLOCKING = ("critical", "serious")
AXE = Axe()


def _open(browser, server: str, path: str, lang: str, size: str):
    width, height = SIZES[size]
    context = browser.new_context(
        viewport={"width": width, "height": height},
        locale="zh-CN" if lang == "zh" else "en-GB",
        bypass_csp=True,  # axe-core is injected by the test, not served by the page
    )
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    separator = "&" if "?" in path else "?"
    base, _, anchor = path.partition("#")
    answer = tab.goto(f"{server}{base}{separator}lang={lang}" + (f"#{anchor}" if anchor else ""))
    assert answer is not None and answer.status == 200, path
    for chart in tab.locator("[data-chart-spec]").all():
        chart.locator("svg").first.wait_for()
    return context, tab


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(("name", "path"), PAGES, ids=[name for name, _ in PAGES])
def test_page_fits_a_phone_and_passes_axe_at_both_sizes(
    browser, server, name, path, lang, record_property
):
    problems = []
    for size in SIZES:
        context, tab = _open(browser, server, path, lang, size)
        try:
            width = tab.evaluate("document.documentElement.scrollWidth")
            viewport = SIZES[size][0]
            results = AXE.run(tab, options={"resultTypes": ["violations"]})
            blocking = [
                f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}"
                for v in results.response["violations"]
                if v["impact"] in BLOCKING
            ]
            record_property(
                "figure",
                f"{name:16} {lang} {size:7} width {width:5}/{viewport} px, "
                f"axe critical+serious {len(blocking)}",
            )
            if width > viewport:
                wide = tab.evaluate(
                    """() => [...document.querySelectorAll('body *')]
                      .filter(e => e.getBoundingClientRect().right > innerWidth + 1)
                      .slice(-5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""
                )
                problems.append(f"{size}: {width} px wide > {viewport}: {wide}")
            if blocking:
                problems.append(f"{size}: {blocking}")
            screenshot(tab, f"{name}-{lang}-{size}")
        finally:
            context.close()
    assert not problems, problems


def _transferred(tab, server: str, path: str) -> tuple[int, list[str]]:
    """Bytes on the wire (headers and encoded bodies) for one navigation."""
    seen = []

    def on_finished(request) -> None:
        sizes = request.sizes()
        seen.append((request.url, sizes["responseBodySize"] + sizes["responseHeadersSize"]))

    tab.on("requestfinished", on_finished)
    tab.goto(server + path)
    tab.locator("#profile-chart svg").first.wait_for()
    tab.wait_for_load_state("networkidle")
    tab.remove_listener("requestfinished", on_finished)
    return sum(size for _, size in seen), [f"{url} {size}" for url, size in seen if size]


def _chart_drawn_ms(tab) -> float:
    return float(tab.evaluate("performance.getEntriesByName('tcap-charts-drawn')[0].startTime"))


def test_city_page_weight_and_chart_time(browser, server, record_property):
    """Bytes on the wire and the time until the profile chart is drawn (from the start of the
    navigation, server time included), for a first and a repeat visit; three rounds in fresh
    browser contexts, since other tests share the two cores: the bytes must hold in every round,
    the time in the best one."""
    for _ in range(3):  # a server that has just started answers its first queries slowly
        with urllib.request.urlopen(server + "/city/beijing", timeout=30) as answer:
            answer.read()
    rounds = []
    for _ in range(3):
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        try:
            tab = context.new_page()
            first, first_items = _transferred(tab, server, "/city/beijing")
            first_ms = _chart_drawn_ms(tab)
            repeat, repeat_items = _transferred(tab, server, "/city/beijing")
            repeat_ms = _chart_drawn_ms(tab)
        finally:
            context.close()
        rounds.append((first, first_ms, repeat, repeat_ms))
        assert first <= 400 * 1024, first_items
        assert repeat <= 50 * 1024, repeat_items
    times = sorted(r[1] for r in rounds), sorted(r[3] for r in rounds)
    record_property(
        "figure",
        f"city page transferred: first visit {max(r[0] for r in rounds) / 1024:.1f} KB, repeat "
        f"visit {max(r[2] for r in rounds) / 1024:.1f} KB; chart drawn after "
        f"{times[0][0]:.0f} ms best / {times[0][1]:.0f} ms median (first visit), "
        f"{times[1][0]:.0f} / {times[1][1]:.0f} ms (repeat)",
    )
    assert times[0][0] <= 1000 and times[1][0] <= 1000, rounds
