"""Every in-page link lands: a crawler starts at the home page in each language, follows every
link to this server (pages, their query strings, `/doc/` and `/ontology.html`, the machine
interfaces in the footer), and checks each `#anchor` against the ids of the page it points into.
Links to other hosts are collected, never fetched (the tests stay on 127.0.0.1)."""

from __future__ import annotations

import http.cookiejar
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser

import pytest

# Pages whose every link is followed, at most; far above what the shipped graph makes.
MOST_PAGES = 2000
SKIP_FETCH = ("/dump.",)


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        for name in ("id",) + (("name",) if tag == "a" else ()):
            if found.get(name):
                self.ids.add(found[name] or "")
        if tag == "a" and found.get("href"):
            self.links.append(found["href"] or "")


def without_language(url: str) -> str:
    """The URL without `lang=`: the crawl stays in the language its start URL chose (a cookie),
    and the language switch on every page would otherwise double every URL."""
    parts = urllib.parse.urlsplit(url)
    query = [(k, v) for k, v in urllib.parse.parse_qsl(parts.query) if k != "lang"]
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_link_and_anchor_resolves(server, lang, record_property):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("Accept", "text/html,*/*;q=0.8"), ("Accept-Language", "en")]
    pages: dict[str, set[str] | None] = {}  # URL without fragment -> ids (None: not HTML)
    broken: list[str] = []
    outside: set[str] = set()
    todo = [(f"{server}/?lang={lang}", "start")]
    anchors: list[tuple[str, str, str]] = []
    while todo:
        url, found_on = todo.pop()
        if url in pages:
            continue
        assert len(pages) < MOST_PAGES, "the crawl does not end"
        try:
            with opener.open(url, timeout=30) as answer:
                final = answer.geturl()
                body = answer.read()
                html = answer.headers.get_content_type() == "text/html"
        except urllib.error.HTTPError as error:
            broken.append(f"{url} ({error.code}) linked from {found_on}")
            pages[url] = None
            continue
        if not html:
            pages[url] = None
            continue
        parser = Links()
        parser.feed(body.decode("utf-8"))
        pages[url] = parser.ids
        if final != url:
            pages[final] = parser.ids
        for link in parser.links:
            target = urllib.parse.urljoin(final, link)
            address, _, fragment = target.partition("#")
            address = without_language(address)
            if not address.startswith(server):
                outside.add(address)
                continue
            if fragment:
                anchors.append((address, fragment, final))
            if address not in pages and not any(skip in address for skip in SKIP_FETCH):
                todo.append((address, final))
    missing = [
        f"#{fragment} in {address} (linked from {source})"
        for address, fragment, source in anchors
        if pages.get(address) is not None and fragment not in (pages[address] or set())
    ]
    record_property(
        "figure",
        f"crawl {lang}: {len(pages)} URLs fetched, {len(anchors)} anchored links checked, "
        f"{len(broken)} broken, {len(missing)} missing anchors, {len(outside)} outside links "
        "(not fetched)",
    )
    assert not broken, broken
    assert not missing, missing[:20]
