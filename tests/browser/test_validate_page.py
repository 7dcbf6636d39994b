"""The validate page in real headless Chromium: several files checked together, the report naming
each file, with and without JavaScript, and a syntax error shown with its lines."""

from __future__ import annotations

import zipfile
from pathlib import Path

from browser_support import screenshot

REPO = Path(__file__).resolve().parents[2]
DALIAN_CSV = REPO / "templates" / "csv" / "dalian"


def _broken_set(folder: Path) -> list[Path]:
    """The Dalian template set with a word in the latitude cell."""
    cities = folder / "cities.csv"
    text = (DALIAN_CSV / "cities.csv").read_text(encoding="utf-8")
    cities.write_text(text.replace("38.91222", "north"), encoding="utf-8")
    claims = folder / "claims.csv"
    claims.write_bytes((DALIAN_CSV / "claims.csv").read_bytes())
    return [cities, claims]


def test_several_files_are_checked_together_and_the_report_names_each(page, server, tmp_path):
    tab, watch = page
    tab.goto(server + "/validate")
    tab.get_by_label("Upload files").set_input_files([str(p) for p in _broken_set(tmp_path)])
    tab.get_by_role("button", name="Validate").click()
    report = tab.locator("#validate-report .validation-report")
    report.wait_for()
    text = report.inner_text()
    assert "cities.csv row 2, column latitude" in text, text
    assert "request body" not in text
    # checked together: the claim's city is the one in cities.csv, so no scope violation
    assert "tcap:claimScope" not in text
    screenshot(tab, "validate-several-files")
    watch.assert_clean(http_errors=True)


def test_a_zip_without_javascript(plain_page, server, tmp_path):
    tab, watch = plain_page
    archive = tmp_path / "dalian.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for path in _broken_set(tmp_path):
            bundle.write(path, f"dalian/{path.name}")
    tab.goto(server + "/validate")
    tab.get_by_label("Upload files").set_input_files(str(archive))
    tab.get_by_role("button", name="Validate").click()
    tab.wait_for_load_state()
    text = tab.locator("main").inner_text()
    assert "dalian.zip/dalian/cities.csv row 2, column latitude" in text, text
    watch.assert_clean()


def test_a_syntax_error_shows_the_line_before_with_a_caret(page, server):
    tab, watch = page
    tab.goto(server + "/validate")
    tab.get_by_label("…or paste it").fill(
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "<https://w3id.org/tcap-kg/id/city/x> a <https://w3id.org/tcap-kg/ontology#City> ;\n"
        '    rdfs:label "X"@en\n'
        '    rdfs:label "Y"@fr .\n'
    )
    tab.get_by_role("button", name="Validate").click()
    alert = tab.locator("#validate-report [role=alert]")
    alert.wait_for()
    text = alert.inner_text()
    assert "pasted text:4:5" in text and "missing at the end of line 3" in text, text
    assert '3 |     rdfs:label "X"@en' in text and "^" in text
    watch.assert_clean(http_errors=True)
