"""The web pages in real headless Chromium, against `tcap serve` over the shipped graph.

Each test opens pages the way a reader does (clicks, typing, keyboard), checks what they show
against the graph itself (through the endpoint, not hard-coded numbers where the data may grow),
fails on any script error or any request leaving 127.0.0.1, and saves a screenshot.
"""

from __future__ import annotations

import csv
import io
import json
import re
import time
import urllib.parse
import urllib.request

import pytest
from browser_support import screenshot

CITY = "https://w3id.org/tcap-kg/id/city/"
SIX_CITIES = {"Beijing", "Shanghai", "Shenzhen", "Wuhan", "Chongqing", "Tianjin"}


def sparql_json(server: str, query: str) -> dict:
    request = urllib.request.Request(
        server + "/sparql",
        data=urllib.parse.urlencode({"query": query}).encode(),
        headers={"Accept": "application/sparql-results+json"},
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.load(answer)


def api_json(server: str, name: str, **params: str) -> dict:
    url = f"{server}/api/queries/{name}?{urllib.parse.urlencode(params)}"
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.load(answer)


def city_count(server: str) -> int:
    data = sparql_json(
        server,
        "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a <https://w3id.org/tcap-kg/ontology#City> }",
    )
    return int(data["results"]["bindings"][0]["n"]["value"])


def city_names(server: str) -> set[str]:
    """The English names of every city in the graph."""
    data = sparql_json(
        server,
        "SELECT ?name WHERE { ?c a <https://w3id.org/tcap-kg/ontology#City> ; "
        '<http://www.w3.org/2000/01/rdf-schema#label> ?name FILTER(LANG(?name) = "en") }',
    )
    return {row["name"]["value"] for row in data["results"]["bindings"]}


# Each (city, component) cell's claims, and how each claim reaches the city: "city" when it is
# about the city itself, else the group it is about (as the compare page counts them).
CELL_CLAIMS = """
PREFIX tcap: <https://w3id.org/tcap-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?name ?notation ?claim ?via WHERE {
  ?city a tcap:City ; rdfs:label ?name FILTER(LANG(?name) = "en")
  { ?claim tcap:claimScope ?city . BIND("city" AS ?via) }
  UNION
  { ?group tcap:hasMemberCity ?city . ?claim tcap:claimScope ?group . BIND(STR(?group) AS ?via) }
  ?claim a tcap:Claim ; tcap:hasComponentMapping/tcap:mapsToComponent ?component .
  ?component skos:notation ?notation .
}"""


def cells(server: str) -> dict[tuple[str, str], dict[str, str]]:
    """(city name, component notation) -> {claim IRI: how it reaches the city}."""
    found: dict[tuple[str, str], dict[str, str]] = {}
    for row in sparql_json(server, CELL_CLAIMS)["results"]["bindings"]:
        cell = found.setdefault((row["name"]["value"], row["notation"]["value"]), {})
        cell[row["claim"]["value"]] = row["via"]["value"]
    return found


PAGES = [
    ("home", "/"),
    ("cities", "/cities"),
    ("city-beijing", "/city/beijing"),
    ("compare", "/compare"),
    ("map", "/map"),
    ("query", "/query"),
    ("validate", "/validate"),
]


@pytest.mark.parametrize(("name", "path"), PAGES, ids=[name for name, _ in PAGES])
def test_every_page_opens_with_landmarks_and_no_errors(page, server, name, path):
    tab, watch = page
    response = tab.goto(server + path)
    assert response.status == 200
    tab.wait_for_load_state("networkidle")
    assert tab.locator("html").get_attribute("lang") == "en"
    for landmark in ("banner", "main", "contentinfo"):
        assert tab.get_by_role(landmark).count() == 1, landmark
    assert tab.get_by_role("navigation", name="Main").count() == 1
    assert tab.locator("h1").count() == 1
    current = tab.locator(".site-nav a[aria-current='page']")
    if path != "/city/beijing":
        assert current.count() == 1
    for chart in tab.locator("[data-chart-spec]").all():
        chart.locator("svg").first.wait_for()
        assert chart.locator("svg").first.get_attribute("aria-label"), (
            "chart has no accessible name"
        )
    for image in tab.locator("img").all():
        assert image.get_attribute("alt") is not None
    for field in tab.locator("main input:not([type=hidden]), main textarea, main select").all():
        field_id = field.get_attribute("id")
        assert field_id and tab.locator(f"label[for='{field_id}']").count() == 1, field_id
    screenshot(tab, name)
    watch.assert_clean()


def test_ontology_link_in_the_navigation_resolves(page, server):
    tab, watch = page
    tab.goto(server + "/")
    with tab.expect_navigation():
        tab.get_by_role("navigation", name="Main").get_by_role("link", name="Ontology").click()
    assert tab.url.startswith(server + "/ontology")
    assert tab.locator("body").inner_text().strip()
    screenshot(tab, "ontology")
    watch.assert_clean()


def test_home_says_what_the_graph_holds(page, server):
    tab, watch = page
    tab.goto(server + "/")
    stats = tab.locator(".stats")
    cities = stats.get_by_role("link", name=re.compile(r"cities$"))
    assert cities.inner_text().split()[0] == str(city_count(server))
    assert tab.locator("time").first.get_attribute("datetime")
    assert tab.locator("#sources-title + table tbody tr").count() >= 1
    assert tab.locator(".component-list li").count() == 10
    cities.click()
    tab.wait_for_url(server + "/cities")
    assert tab.locator("#cities-table tbody tr").count() == city_count(server)
    watch.assert_clean()


def test_keyboard_reaches_content_through_the_skip_link(page, server):
    tab, watch = page
    tab.goto(server + "/cities")
    tab.keyboard.press("Tab")
    skip = tab.get_by_role("link", name="Skip to content")
    assert skip.evaluate("element => element === document.activeElement")
    tab.keyboard.press("Enter")
    assert tab.evaluate("location.hash") == "#content"
    tab.keyboard.press("Tab")
    focused = tab.evaluate("document.activeElement.closest('main') !== null")
    assert focused
    watch.assert_clean()


def test_named_query_from_the_gallery(page, server):
    tab, watch = page
    tab.goto(server + "/query")
    card = tab.locator("#q-international-cooperation")
    card.locator("summary").click()
    card.get_by_role("button", name="Run").click()
    results = tab.locator("#results")
    results.locator("table.results tbody tr").first.wait_for()
    expected = api_json(server, "international-cooperation")["results"]["bindings"]
    rows = results.locator("table.results tbody tr")
    assert rows.count() == len(expected)
    shown = {
        cell.get_attribute("title")
        for cell in results.locator("table.results tbody td:nth-child(1) a").all()
    }
    assert shown == {row["city"]["value"] for row in expected}
    assert {CITY + name.lower() for name in SIX_CITIES} <= shown
    assert "international" in results.locator("h2").inner_text().lower()
    with tab.expect_download() as download_info:
        results.get_by_role("button", name="Download CSV").click()
    download = download_info.value
    assert download.suggested_filename == "international-cooperation.csv"
    table = list(csv.reader(io.StringIO(download.path().read_text(encoding="utf-8"))))
    assert table[0][0] == "city" and len(table) - 1 == len(expected)
    screenshot(tab, "query-named-international-cooperation")
    watch.assert_clean()


def test_named_query_with_a_parameter(page, server):
    tab, watch = page
    tab.goto(server + "/query")
    card = tab.locator("#q-city-component-gaps")
    card.locator("summary").click()
    card.get_by_label(re.compile("^city")).fill(CITY + "beijing")
    card.get_by_role("button", name="Run").click()
    body = tab.locator("#results table.results tbody tr")
    body.first.wait_for()
    expected = api_json(server, "city-component-gaps", city=CITY + "beijing")["results"]["bindings"]
    assert body.count() == len(expected)
    watch.assert_clean()


def test_type_and_run_a_query_in_the_editor(page, server):
    tab, watch = page
    tab.goto(server + "/query")
    editor = tab.locator(".cm-editor .cm-content")
    editor.wait_for()
    editor.click()
    tab.keyboard.press("Control+a")
    tab.keyboard.press("Delete")
    tab.keyboard.type(
        "PREFIX tcap: <https://w3id.org/tcap-kg/ontology#>\n"
        "SELECT ?city ?label WHERE { ?city a tcap:City ; <http://www.w3.org/2000/01/rdf-schema#label> ?label "
        'FILTER(LANG(?label) = "en") } ORDER BY ?label'
    )
    keyword = tab.locator(".cm-content span", has_text=re.compile("^SELECT$"))
    assert keyword.count() >= 1, "SELECT is not highlighted as a token"
    colour = keyword.first.evaluate("element => getComputedStyle(element).color")
    plain = tab.locator(".cm-content").evaluate("element => getComputedStyle(element).color")
    assert colour != plain
    tab.keyboard.press("Control+Enter")
    rows = tab.locator("#results table.results tbody tr")
    rows.first.wait_for()
    assert rows.count() == city_count(server)
    labels = [cell.inner_text() for cell in tab.locator("#results tbody td:nth-child(2)").all()]
    assert labels == sorted(labels)
    header = tab.locator("#results thead th").nth(1)
    header.get_by_role("button").click()
    header.get_by_role("button").click()
    assert header.get_attribute("aria-sort") == "descending"
    resorted = [cell.inner_text() for cell in tab.locator("#results tbody td:nth-child(2)").all()]
    assert resorted == sorted(labels, reverse=True)
    screenshot(tab, "query-editor-results")
    watch.assert_clean()


def test_a_broken_query_gets_a_clear_error(page, server):
    tab, watch = page
    tab.goto(server + "/query")
    tab.locator(".cm-editor .cm-content").click()
    tab.keyboard.press("Control+a")
    tab.keyboard.type("SELECT ?x WHERE { ?x ?p }")
    tab.get_by_role("button", name="Run").last.click()
    alert = tab.locator("#results [role=alert]")
    alert.wait_for()
    assert "HTTP 400" in alert.inner_text()
    assert alert.locator(".error-message").inner_text().strip()
    screenshot(tab, "query-error")
    watch.assert_clean(http_errors=True)


def test_a_query_that_would_fetch_is_refused(page, server):
    tab, watch = page
    tab.goto(server + "/query")
    tab.locator(".cm-editor .cm-content").click()
    tab.keyboard.press("Control+a")
    tab.keyboard.type("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    tab.keyboard.press("Control+Enter")
    alert = tab.locator("#results [role=alert]")
    alert.wait_for()
    assert "HTTP 403" in alert.inner_text()
    watch.assert_clean(http_errors=True)


def test_city_page_shows_profile_chart_claims_and_gaps(page, server):
    tab, watch = page
    tab.goto(server + "/city/beijing")
    assert tab.locator("h1").inner_text().startswith("Beijing")
    assert "北京" in tab.locator("h1 .alt-name").inner_text()
    chart = tab.locator("#profile-chart svg").first
    chart.wait_for()
    assert "Beijing" in chart.get_attribute("aria-label")
    assert chart.locator(".mark-rect.role-mark path").count() >= 1, "no bars drawn"
    axis_labels = chart.locator(".role-axis-label text").all_text_contents()
    assert sum(1 for label in axis_labels if re.match(r"^C\d+ ", label)) == 10
    assert tab.locator(".profile-table tbody tr[id^=component-C]").count() == 10
    claims = tab.locator("#claims article.claim")
    assert claims.count() >= 1
    cooperation = claims.filter(has_text="international cooperation").first
    assert cooperation.locator("dt", has_text="Source").count() == 1
    assert cooperation.locator(".chip", has_text="C10").count() == 1
    gaps = {item.inner_text().split()[0] for item in tab.locator("#gaps .gap-list li").all()}
    expected = api_json(server, "city-component-gaps", city=CITY + "beijing")["results"]["bindings"]
    assert gaps == {row["notation"]["value"] for row in expected}
    qid = tab.locator("#names dd a", has_text=re.compile(r"^Q\d+$")).inner_text()
    links = sparql_json(
        server,
        f"SELECT ?id WHERE {{ <{CITY}beijing> <https://w3id.org/tcap-kg/ontology#wikidataId> ?id }}",
    )["results"]["bindings"]
    assert qid == links[0]["id"]["value"]
    tab.locator("#profile-chart .mark-rect.role-mark path").last.click()
    tab.wait_for_url(re.compile(r"#component-"))
    screenshot(tab, "city-beijing-profile")
    watch.assert_clean()


def test_compare_heat_map_cells_lead_to_their_claims(page, server):
    tab, watch = page
    tab.goto(server + "/compare")
    tab.locator("#heat-map svg").first.wait_for()
    assert tab.locator("#heat-map .mark-rect.role-mark path").count() == city_count(server) * 10
    cell = (
        tab.locator("#heat-table tbody tr", has_text="Wuhan")
        .locator("td")
        .nth(9)
        .get_by_role("link")
    )
    count = int(re.match(r"\d+", cell.inner_text()).group())
    cell.click()
    tab.wait_for_url(re.compile(r"scope=city%2Fwuhan|scope=city/wuhan"))
    heading = tab.locator("#claims h2")
    assert "Wuhan" in heading.inner_text() and "C10" in heading.inner_text()
    assert tab.locator("#claims article.claim").count() == count
    screenshot(tab, "compare-cell-wuhan-c10")
    watch.assert_clean()


def test_map_draws_the_cities_without_a_tile_server(page, server):
    tab, watch = page
    tab.goto(server + "/map")
    svg = tab.locator("#city-map svg").first
    svg.wait_for()
    tab.locator("#city-map .mark-shape path").first.wait_for()
    labels = set(tab.locator("#city-map .mark-text text").all_text_contents())
    assert labels >= SIX_CITIES
    assert tab.locator("#map-table tbody tr").count() == city_count(server)
    assert tab.locator("#city-map path[d*='NaN']").count() == 0
    watch.assert_clean()


def test_charts_are_drawn_again_to_fit_a_narrower_window(page, server):
    tab, watch = page
    tab.goto(server + "/map")
    tab.locator("#city-map .mark-shape path").first.wait_for()
    wide = tab.locator("#city-map svg").first.bounding_box()
    tab.set_viewport_size({"width": 520, "height": 900})
    # Polled from here: the page's Content-Security-Policy forbids the eval that
    # `wait_for_function` needs once it has to poll inside the page.
    canvas, drawing = tab.locator("#city-map"), tab.locator("#city-map svg").first
    deadline = time.monotonic() + 10
    while drawing.bounding_box()["width"] > canvas.bounding_box()["width"] + 1:
        assert time.monotonic() < deadline, "the map was not drawn again for the narrow window"
        tab.wait_for_timeout(100)
    narrow = drawing.bounding_box()
    assert narrow["width"] < wide["width"]
    assert tab.locator("#city-map .mark-text text").count() >= len(SIX_CITIES)
    assert tab.locator("#city-map path[d*='NaN']").count() == 0
    watch.assert_clean()


def test_language_switch_to_chinese_and_back(page, server):
    tab, watch = page
    tab.goto(server + "/cities")
    tab.get_by_role("link", name="中文").click()
    tab.wait_for_url(re.compile(r"lang=zh"))
    assert tab.locator("html").get_attribute("lang") == "zh-Hans"
    assert (
        tab.get_by_role("navigation", name="主导航").get_by_role("link", name="城市").count() == 1
    )
    assert tab.locator("#cities-table").get_by_role("link", name="北京市").count() == 1
    tab.goto(server + "/city/shanghai")
    assert tab.locator("h1").inner_text().startswith("上海市")
    assert tab.locator("#profile-title").inner_text() == "能力概况"
    tab.locator("#profile-chart svg").first.wait_for()
    screenshot(tab, "city-shanghai-zh")
    tab.get_by_role("link", name="English", exact=True).click()
    tab.wait_for_url(re.compile(r"lang=en"))
    assert tab.locator("h1").inner_text().startswith("Shanghai")
    watch.assert_clean()


def test_pages_work_without_javascript(plain_page, server):
    tab, watch = plain_page
    tab.goto(server + "/query?name=international-cooperation")
    assert tab.locator("#results table.results tbody tr").count() == len(
        api_json(server, "international-cooperation")["results"]["bindings"]
    )
    tab.goto(server + "/query")
    tab.locator("#query-text").fill("ASK { ?c a <https://w3id.org/tcap-kg/ontology#City> }")
    tab.get_by_role("button", name="Run").last.click()
    tab.wait_for_load_state()
    assert tab.locator("#results .results-count").inner_text().strip() == "Yes (true)"
    tab.goto(server + "/city/wuhan")
    assert tab.locator(".profile-table tbody tr[id^=component-C]").count() == 10
    assert tab.locator("noscript").count() >= 1
    tab.goto(server + "/compare")
    beijing = tab.locator("#heat-table tbody tr", has_text="Beijing")
    for empty in beijing.locator("td", has_text=re.compile(r"^\s*0\s*$")).all():
        assert empty.get_by_role("link").count() == 0, "an empty cell links nowhere"
    beijing.locator("td").nth(9).get_by_role("link").click()
    assert tab.locator("#claims article.claim").count() >= 1
    screenshot(tab, "compare-without-javascript")
    watch.assert_clean()


def test_validate_page_reports_a_broken_dataset(page, server, tmp_path):
    tab, watch = page
    broken = tmp_path / "dalian.ttl"
    broken.write_text(
        "@prefix tcap: <https://w3id.org/tcap-kg/ontology#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "<https://w3id.org/tcap-kg/id/city/dalian> a tcap:City ;\n"
        '    rdfs:label "Dalian"@en ;\n'
        '    <http://www.w3.org/2003/01/geo/wgs84_pos#lat> "north" .\n'
        "<https://w3id.org/tcap-kg/id/claim/dalian-1> a tcap:Claim ;\n"
        "    tcap:claimScope <https://w3id.org/tcap-kg/id/city/dalian> ;\n"
        '    tcap:statement "Dalian cooperates internationally."@en .\n',
        encoding="utf-8",
    )
    tab.goto(server + "/validate")
    tab.get_by_label("Upload files").set_input_files(str(broken))
    assert tab.get_by_label("Format of the pasted text").input_value() == "turtle"
    tab.get_by_role("button", name="Validate").click()
    report = tab.locator("#validate-report")
    report.locator(".report-body *").first.wait_for()
    text = report.inner_text()
    assert re.search(r"violation", text, re.IGNORECASE), text
    assert "dalian" in text.lower()
    screenshot(tab, "validate-report")
    watch.assert_clean(http_errors=True)


def test_validate_page_reports_a_syntax_error_with_its_line(page, server):
    tab, watch = page
    tab.goto(server + "/validate")
    tab.get_by_label("…or paste it").fill(
        "@prefix tcap: <https://w3id.org/tcap-kg/ontology#> .\n<a> a tcap:City ;\n  tcap:x .\n"
    )
    tab.get_by_role("button", name="Validate").click()
    report = tab.locator("#validate-report")
    report.locator(".report-body *").first.wait_for()
    assert re.search(r"\b3\b", report.inner_text()), report.inner_text()
    watch.assert_clean(http_errors=True)


def test_compare_shades_by_evidence_marks_shared_claims_and_sets_cities_side_by_side(page, server):
    """Issue 15 item 3: a cell is shaded by its strongest evidence, not its count; a claim about
    a group counted for each member is marked as shared; two or more cities can be set side by
    side, component by component, each claim with its strength. What is expected comes from the
    graph, so the test holds as the graph grows."""
    tab, watch = page
    found = cells(server)
    spread: dict[str, set[str]] = {}
    for (city, _), claims in found.items():
        for claim in claims:
            spread.setdefault(claim, set()).add(city)
    shared = sorted(
        cell
        for cell, claims in found.items()
        if all(len(spread[claim]) > 1 for claim in claims)
        and any(via != "city" for via in claims.values())
    )
    assert shared, "the graph has no cell made only of claims about a group"
    city, notation = shared[0]
    tab.goto(server + "/compare")
    column = int(notation.removeprefix("C")) - 1
    row = tab.locator("#heat-table tbody tr").filter(
        has=tab.locator("th", has_text=re.compile(rf"^\s*{re.escape(city)}\s*$"))
    )
    cell = row.locator("td").nth(column)
    assert "shared" in cell.get_attribute("class")
    assert "shared with other cities" in cell.get_by_role("link").get_attribute("aria-label")
    # The shade is the strength the cell's label names, and the cells use more than one shade.
    shades = set()
    for linked in tab.locator("#heat-table td.heat:has(a)").all():
        level = re.search(r"heat-s(\d)", linked.get_attribute("class")).group(1)
        label = linked.get_by_role("link").get_attribute("aria-label")
        named = {"1": "thin", "2": "moderate", "3": "strong"}[level]
        assert f"{named} evidence" in label, (level, label)
        shades.add(level)
    assert len(shades) >= 2, shades
    tab.locator("#heat-map svg").first.wait_for()
    legend = tab.locator("#heat-map .role-legend text").all_text_contents()
    assert "thin" in legend and "strong" in legend
    others = sorted({name for name, _ in found} - {city})[:2]
    picked = sorted([city, *others])
    pick = tab.locator("#pick")
    for name in picked:
        pick.get_by_label(name, exact=True).check()
    pick.get_by_role("button", name="Compare these cities").click()
    tab.wait_for_url(re.compile(r"city=.*city=.*city="))
    table = tab.locator("#side-by-side table")
    headers = table.locator("thead th").all_inner_texts()
    assert sorted(headers[1:]) == picked
    assert table.locator("tbody tr").count() == 10
    component_row = table.locator("tbody tr").filter(
        has=tab.locator("th", has_text=re.compile(rf"^\s*{notation}\b"))
    )
    claims_in_row = [found.get((name, notation), {}) for name in picked]
    via_group = sum(via != "city" for claims in claims_in_row for via in claims.values())
    assert component_row.locator(".badge-group").count() == via_group > 0
    total = sum(len(claims) for claims in claims_in_row)
    assert component_row.locator("[class*=badge-strength-]").count() == total
    screenshot(tab, "compare-side-by-side")
    watch.assert_clean()


def _type_query(tab, text):
    editor = tab.locator(".cm-editor .cm-content")
    editor.wait_for()
    editor.click()
    tab.keyboard.press("Control+a")
    tab.keyboard.press("Delete")
    tab.keyboard.insert_text(text)


def test_editor_completes_terms_and_adds_prefix_lines(page, server):
    """Issue 15 item 4: completion of the ontology's terms with their PREFIX line, and PREFIX
    lines added for well-known prefixes when the query runs."""
    tab, watch = page
    tab.goto(server + "/query")
    _type_query(tab, "SELECT ?c WHERE { ?c a ")
    tab.keyboard.type("tcap:Cit")
    option = tab.locator(".cm-tooltip-autocomplete li", has_text="tcap:City")
    option.first.click()
    text = tab.locator(".cm-content").inner_text()
    assert text.startswith("PREFIX tcap: <https://w3id.org/tcap-kg/ontology#>")
    assert "?c a tcap:City" in text
    _type_query(
        tab,
        "SELECT ?c ?name WHERE { ?c a tcap:City ; skos:prefLabel ?name "
        'FILTER(LANG(?name) = "en") }',
    )
    tab.keyboard.press("Control+Enter")
    tab.locator("#results table.results tbody tr").first.wait_for()
    text = tab.locator(".cm-content").inner_text()
    assert "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>" in text
    assert "PREFIX tcap: <https://w3id.org/tcap-kg/ontology#>" in text
    assert tab.locator("#results table.results tbody tr").count() == city_count(server)
    watch.assert_clean()


def test_editor_marks_the_line_of_a_syntax_error(page, server):
    tab, watch = page
    tab.goto(server + "/query")
    _type_query(tab, "SELECT ?x\nWHERE {\n  ?x ?p\n}")
    tab.keyboard.press("Control+Enter")
    alert = tab.locator("#results [role=alert]")
    alert.wait_for()
    marked = tab.locator(".cm-line.cm-error-line")
    marked.wait_for()
    lines = tab.locator(".cm-content .cm-line")
    index = [
        i
        for i in range(lines.count())
        if "cm-error-line" in (lines.nth(i).get_attribute("class") or "")
    ]
    assert len(index) == 1
    assert f"line {index[0] + 1}," in alert.inner_text()
    screenshot(tab, "query-error-line")
    watch.assert_clean(http_errors=True)


def test_each_run_has_an_address_and_back_returns_to_the_previous(page, server):
    tab, watch = page
    tab.goto(server + "/query")
    card = tab.locator("#q-international-cooperation")
    card.locator("summary").click()
    card.get_by_role("button", name="Run").click()
    tab.wait_for_url(re.compile(r"name=international-cooperation"))
    rows = tab.locator("#results table.results tbody tr")
    rows.first.wait_for()
    cooperation = rows.count()
    _type_query(
        tab, "PREFIX tcap: <https://w3id.org/tcap-kg/ontology#>\nSELECT ?c WHERE { ?c a tcap:City }"
    )
    tab.keyboard.press("Control+Enter")
    tab.wait_for_url(re.compile(r"query=PREFIX"))
    permalink = tab.url
    deadline = time.monotonic() + 10
    while rows.count() != city_count(server):
        assert time.monotonic() < deadline
        tab.wait_for_timeout(100)
    tab.go_back()
    tab.wait_for_url(re.compile(r"name=international-cooperation"))
    deadline = time.monotonic() + 10
    while rows.count() != cooperation:
        assert time.monotonic() < deadline, "back did not show the earlier result"
        tab.wait_for_timeout(100)
    tab.goto(permalink)  # a shared link shows the same result
    assert tab.locator("#results table.results tbody tr").count() == city_count(server)
    watch.assert_clean()


def test_results_show_labels_and_offer_a_bar_chart_and_a_map(page, server):
    tab, watch = page
    query = (
        "#defaultView:BarChart\n"
        "SELECT ?city (COUNT(?claim) AS ?claims) WHERE { "
        "?claim tcap:claimScope/tcap:hasMemberCity|tcap:claimScope ?city . ?city a tcap:City } "
        "GROUP BY ?city"
    )
    tab.goto(server + "/query")
    _type_query(tab, query)
    tab.keyboard.press("Control+Enter")
    chart = tab.locator("#result-chart svg")
    chart.wait_for()
    assert tab.locator("#result-chart .mark-rect path").count() == city_count(server)
    assert tab.locator("[data-view=bar][aria-pressed=true]").count() == 1
    tab.get_by_role("button", name="Table").click()
    first = tab.locator("#results table.results tbody td:nth-child(1) a").first
    deadline = time.monotonic() + 10
    while first.inner_text().startswith("https://"):
        assert time.monotonic() < deadline, "IRIs were not replaced by labels"
        tab.wait_for_timeout(100)
    assert first.get_attribute("title").startswith(CITY)
    assert first.inner_text() in city_names(server)
    _type_query(
        tab,
        "SELECT ?name ?lat ?long WHERE { ?c a tcap:City ; rdfs:label ?name ; wgs:lat ?lat ; "
        'wgs:long ?long FILTER(LANG(?name) = "en") }',
    )
    tab.keyboard.press("Control+Enter")
    tab.get_by_role("button", name="Map").click()
    tab.locator("#result-chart .mark-symbol path").first.wait_for()
    assert set(tab.locator("#result-chart .mark-text text").all_text_contents()) >= SIX_CITIES
    screenshot(tab, "query-result-map")
    watch.assert_clean()


def test_gallery_titles_follow_the_language(page, server):
    tab, watch = page
    tab.goto(server + "/query?lang=zh")
    title = tab.locator("#q-international-cooperation summary h3").inner_text()
    assert title == "哪些城市体现了国际合作？依据是什么？"  # noqa: RUF001
    watch.assert_clean()
