"""The pages as the server renders them (what a reader without JavaScript gets), through the
Flask test client over the shipped graph: language choice, content, errors, downloads, headers."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape

from tcap_kg.bulk import load_dumps
from tcap_kg.catalogue import get_query
from tcap_kg.settings import Settings
from tcap_kg.web import create_app
from tcap_kg.web.pages import evidence, facts
from tcap_kg.web.pages.charts import extent
from tcap_kg.web.pages.i18n import STRINGS, pick

CITY = "https://w3id.org/tcap-kg/id/city/"


@pytest.fixture(scope="module")
def app() -> Iterator[Flask]:
    built = create_app(Settings.from_env({}, store="memory:"))
    yield built
    built.extensions["tcap"].close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


class Text(HTMLParser):
    """The visible text of a page, and its ids."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.ids: set[str] = set()
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        self.ids |= {value for name, value in attrs if name == "id" and value}

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)

    @property
    def text(self) -> str:
        return re.sub(r"\s+", " ", " ".join(self.parts))


def read(html: bytes) -> Text:
    parser = Text()
    parser.feed(html.decode("utf-8"))
    return parser


@pytest.mark.parametrize(
    "path", ["/", "/cities", "/city/beijing", "/compare", "/map", "/query", "/validate"]
)
def test_pages_render_with_security_headers(client: FlaskClient, path: str) -> None:
    answer = client.get(path)
    assert answer.status_code == 200
    assert answer.mimetype == "text/html"
    policy = answer.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-eval" not in policy
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert "Accept-Language" in answer.headers["Vary"]
    assert b'<main id="content"' in answer.data


def test_language_from_browser_then_cookie_then_parameter(client: FlaskClient) -> None:
    chinese = client.get("/cities", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"})
    assert b'<html lang="zh-Hans">' in chinese.data
    assert "北京市" in read(chinese.data).text
    chosen = client.get("/cities?lang=en", headers={"Accept-Language": "zh-CN"})
    assert b'<html lang="en">' in chosen.data
    assert "tcap_lang=en" in chosen.headers["Set-Cookie"]
    remembered = client.get("/city/beijing", headers={"Accept-Language": "zh-CN"})
    assert b'<html lang="en">' in remembered.data
    unknown = client.get("/?lang=xx")
    assert b'<html lang="en">' in unknown.data


def test_every_interface_string_has_both_languages_with_the_same_placeholders() -> None:
    for key, (english, chinese) in STRINGS.items():
        assert english.strip() and chinese.strip(), key
        assert set(re.findall(r"{(\w+)}", english)) == set(re.findall(r"{(\w+)}", chinese)), key


def test_city_page_content_without_javascript(client: FlaskClient) -> None:
    page = read(client.get("/city/shenzhen").data)
    assert {"names", "profile", "gaps", "claims"} <= page.ids
    assert {f"component-C{n}" for n in range(1, 11)} <= page.ids
    assert "Q15174" in page.text and "1795565" in page.text
    assert "Guangdong" in page.text
    assert "About the group: The six Chinese cities" in page.text


def test_claims_about_a_listed_group_count_for_its_members_and_general_claims_for_none(
    shipped_store: object,
) -> None:
    claims, _ = facts.claims_about_city(shipped_store, CITY + "wuhan")
    via_group = [c for c in claims if not c.direct]
    assert via_group and all(
        v.startswith("https://w3id.org/tcap-kg/id/city-group/") for c in via_group for v in c.via
    )
    general = "https://w3id.org/tcap-kg/id/city-group/chinese-smart-cities"
    assert all(general not in c.via for c in claims)
    assert facts.memberless_claim_count(shipped_store) >= 1
    cities, groups = facts.comparison(shipped_store, "en")
    wuhan = next(row for row in cities if row.iri == CITY + "wuhan")
    assert wuhan.count("https://w3id.org/tcap-kg/ontology#C10") >= 1
    assert any(group.iri == general for group in groups)


def test_unknown_city_and_cell_are_html_404s(client: FlaskClient) -> None:
    for path in (
        "/city/atlantis",
        "/city/Bei%20jing",
        "/compare?scope=city/atlantis&component=C1",
        "/compare?scope=city/beijing&component=C99",
    ):
        answer = client.get(path)
        assert answer.status_code == 404, path
        assert answer.mimetype == "text/html"
        assert "Not found" in read(answer.data).text


def test_compare_cell_lists_its_claims(client: FlaskClient) -> None:
    page = read(client.get("/compare?scope=city/tianjin&component=C10").data)
    assert "Claims: Tianjin \u00d7 C10" in page.text
    assert any(i.startswith("claim-") for i in page.ids)


def test_named_query_runs_on_the_server(client: FlaskClient) -> None:
    page = client.get("/query?name=city-component-gaps&city=" + CITY + "beijing")
    assert page.status_code == 200
    assert '<table class="data sortable results">' in page.data.decode()
    missing = client.get("/query?name=city-component-gaps")
    assert missing.status_code == 400
    assert "needs parameter 'city'" in read(missing.data).text
    unknown = client.get("/query?name=no-such-query")
    assert unknown.status_code == 404


def test_editor_query_errors_are_shown_with_their_status(client: FlaskClient) -> None:
    broken = client.post("/query", data={"query": "SELECT ?x WHERE { ?x ?p }"})
    assert broken.status_code == 400
    assert 'role="alert"' in broken.data.decode()
    refused = client.post(
        "/query", data={"query": "SELECT * WHERE { SERVICE <http://example.org/> { ?s ?p ?o } }"}
    )
    assert refused.status_code == 403
    assert "forbidden" in read(refused.data).text


def test_downloads_are_files_in_the_standard_formats(client: FlaskClient) -> None:
    query = "SELECT ?city WHERE { ?city a <https://w3id.org/tcap-kg/ontology#City> } ORDER BY ?city"
    as_csv = client.post("/query", data={"query": query, "download": "csv"})
    assert as_csv.mimetype == "text/csv"
    assert as_csv.headers["Content-Disposition"] == 'attachment; filename="results.csv"'
    rows = list(csv.reader(io.StringIO(as_csv.data.decode())))
    assert rows[0] == ["city"] and len(rows) == 1 + 19  # header and the shipped cities
    as_json = client.post("/query", data={"name": "international-cooperation", "download": "json"})
    assert as_json.mimetype == "application/sparql-results+json"
    assert len(as_json.get_json()["results"]["bindings"]) >= 6
    graph = client.post(
        "/query",
        data={"query": "CONSTRUCT { ?c a ?t } WHERE { ?c a ?t } LIMIT 2", "download": "csv"},
    )
    assert graph.headers["Content-Disposition"].endswith('.ttl"')


def test_iris_link_to_local_pages(client: FlaskClient) -> None:
    page = client.get(
        "/query?query=SELECT+%3Fc+WHERE+%7B+%3Fc+a+%3Chttps%3A%2F%2Fw3id.org%2Ftcap-kg%2Fontology%23City%3E+%7D"
    ).data.decode()
    assert 'href="/city/beijing"' in page


def test_labels_fall_back_from_the_readers_language_to_english_to_any() -> None:
    both = {"en": "Beijing", "zh-hans": "北京市"}
    assert pick(both, "zh") == "北京市" and pick(both, "en") == "Beijing"
    assert pick({"en": "Hubei"}, "zh") == "Hubei"
    assert pick({"": "Cities", "de": "Städte"}, "zh") == "Cities"
    assert pick({"de": "Städte"}, "en") == "Städte"
    assert pick({}, "en") == ""


def test_map_extent_fits_the_cities_with_a_margin() -> None:
    box = extent([{"lat": 30.0, "long": 114.0}])["geometry"]["coordinates"]
    longs, lats = [p[0] for p in box], [p[1] for p in box]
    assert max(longs) - min(longs) >= 24 and max(lats) - min(lats) >= 16
    spread = extent([{"lat": 22.5, "long": 114.0}, {"lat": 39.9, "long": 116.4}])["geometry"][
        "coordinates"
    ]
    assert min(p[1] for p in spread) < 22.5 and max(p[1] for p in spread) > 39.9


def test_a_named_query_opens_in_the_editor(client: FlaskClient) -> None:
    page = client.get("/query?name=components&edit=1").data.decode()
    textarea = re.search(r'<textarea id="query-text"[^>]*>(.*?)</textarea>', page, re.S)
    assert textarea is not None
    assert "SELECT" in textarea.group(1)
    assert str(escape(get_query("components").title)) in page


def test_statements_from_unvalidated_graphs_are_shown_apart_with_their_graph(
    tmp_path: Path,
) -> None:
    """Issue 18 §2: data loaded with --no-validate that adds a name and a claim to a shipped city
    must not look like ours: the page's names, claims and counts ignore it, and a section names
    the graph it comes from."""
    dump = tmp_path / "extra.nt"
    claim = "https://example.org/claim/beijing-is-the-best"
    dump.write_text(
        f'<{CITY}beijing> <http://www.w3.org/2000/01/rdf-schema#label> "Best City On Earth"@en .\n'
        f"<{claim}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
        "<https://w3id.org/tcap-kg/ontology#Claim> .\n"
        f"<{claim}> <https://w3id.org/tcap-kg/ontology#claimScope> <{CITY}beijing> .\n",
        encoding="utf-8",
    )
    graph = "https://w3id.org/tcap-kg/graph/dataset/extra"
    built = create_app(Settings.from_env({}, store="memory:"))
    try:
        before = read(built.test_client().get("/city/beijing").data)
        with built.extensions["tcap"].engine.writing() as store:
            load_dumps(store, [dump], graph)
        answer = built.test_client().get("/city/beijing")
        page = read(answer.data)
        html = answer.data.decode()
        main = html[: html.index('id="other-graphs"')]
        assert "Best City On Earth" not in main
        assert "beijing-is-the-best" not in main
        assert "other-graphs" in page.ids
        section = html[html.index('id="other-graphs"') :]
        assert "Best City On Earth" in section and graph in section
        assert "loaded without validation" in section
        assert section.count("<tr>") == 1 + 2  # header, the label and the claim's scope
        assert page.text.count("Claims with their sources") == before.text.count(
            "Claims with their sources"
        )
        doc = (
            built.test_client()
            .get("/doc/city/beijing", headers={"Accept": "text/html"})
            .data.decode()
        )
        assert "Best City On Earth" in doc[doc.index('id="other-graphs"') :]
        assert "Best City On Earth" not in doc[: doc.index('id="other-graphs"')]
    finally:
        built.extensions["tcap"].close()


def test_evidence_strength_is_the_weaker_of_record_kind_and_verification() -> None:
    paper, news, blog = 4, 2, 1
    verified, secondary, memory = 2, 1, 0
    assert evidence.level([paper], [verified]) == evidence.STRONG
    assert evidence.level([paper], [secondary]) == evidence.MODERATE
    assert evidence.level([news], [verified]) == evidence.MODERATE
    assert evidence.level([paper], [memory]) == evidence.THIN
    assert evidence.level([blog], [verified]) == evidence.THIN
    assert evidence.level([blog, paper], [memory, verified]) == evidence.STRONG
    assert evidence.level([], []) == evidence.THIN


def test_a_group_claim_is_shared_and_a_blog_claim_is_never_the_darkest(
    shipped_store: object,
) -> None:
    rows, _ = facts.comparison(shipped_store, "en")
    assert any(row.shared(component) for row in rows for component in row.cells)
    assert any(row.strength(c) == evidence.STRONG for row in rows for c in row.cells)
    levels = facts.claim_levels(shipped_store)
    blog = [claim for claim in levels if "/claim/sss-blog-2023-" in claim]
    assert blog and all(levels[claim] == evidence.THIN for claim in blog)


def test_chinese_city_names_sort_by_pinyin(client: FlaskClient) -> None:
    """By code point 上海市 (U+4E0A) would come before 北京市 (U+5317); a Chinese reader expects
    pinyin order: Beijing, Chongqing, Shanghai, Shenzhen, Tianjin, Wuhan."""
    page = client.get("/cities?lang=zh").get_data(as_text=True)
    names = re.findall(r'<th scope="row"><a href="/city/([a-z]+)">', page)
    chinese = ["beijing", "chongqing", "shanghai", "shenzhen", "tianjin", "wuhan"]
    assert [name for name in names if name in chinese] == chinese


def test_validation_report_in_chinese(client: FlaskClient) -> None:
    answer = client.post(
        "/validate?format=html&lang=zh",
        data=b"<https://w3id.org/tcap-kg/id/city/x> a <https://w3id.org/tcap-kg/ontology#City> .",
        content_type="text/turtle",
    )
    text = read(answer.data).text
    assert "校验报告" in text and "不符合约束" in text and "违规" in text
