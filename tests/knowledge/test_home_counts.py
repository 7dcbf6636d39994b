"""The home page shows the knowledge counts (named query knowledge-counts) in both languages."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from tcap_kg.settings import Settings
from tcap_kg.web import create_app


@pytest.fixture(scope="module")
def app() -> Iterator[Flask]:
    built = create_app(Settings.from_env({}, store="memory:"))
    yield built
    built.extensions["tcap"].close()


def test_home_page_shows_the_evidence_counts(app: Flask, run_named_query) -> None:
    counts = run_named_query("knowledge-counts")[0]
    page = app.test_client().get("/?lang=en").data.decode()
    assert 'id="evidence-counts"' in page
    for name in (
        "verifiedClaims",
        "secondaryClaims",
        "seedBlogClaims",
        "cooperations",
        "pagesRead",
    ):
        assert f"<strong>{counts[name]}</strong>" in page, name
    assert f"<strong>{counts['studyComponents']}/10</strong>" in page
    assert "claims from the seed blog post" in page
    share = round(100 * int(counts["seedBlogClaims"] or 0) / int(counts["claims"] or 1))
    assert f"({share}%)" in page


def test_home_page_evidence_counts_in_chinese(app: Flask) -> None:
    page = app.test_client().get("/?lang=zh").data.decode()
    assert "证据一览" in page and "条论断出自最初的博客文章" in page
