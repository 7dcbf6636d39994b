"""Every in-page link lands: a crawler starts at the home page in each language, follows every
link to this server (pages, their query strings, `/doc/` and `/ontology.html`, the machine
interfaces in the footer), and checks each `#anchor` against the ids of the page it points into.
Links to other hosts are collected, never fetched (the tests stay on 127.0.0.1).

Every page is read whole (some 3,800 addresses per language, about 40 s); a test below proves on
a small site of its own that the crawler finds a broken link and a missing anchor however deep
they lie.
"""

from __future__ import annotations

import http.cookiejar
import http.server
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest

# Pages read, at most; far above what the shipped graph makes.
MOST_PAGES = 10_000
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


@dataclass
class Crawl:
    """What a crawl from one start page found."""

    server: str
    opener: urllib.request.OpenerDirector
    read: dict[str, set[str] | None] = field(default_factory=dict)  # URL -> ids (None: not HTML)
    broken: list[str] = field(default_factory=list)
    outside: set[str] = field(default_factory=set)
    anchors: list[tuple[str, str, str]] = field(default_factory=list)

    def run(self, start: str) -> None:
        todo = [(start, "start")]
        while todo:
            url, found_on = todo.pop()
            if url in self.read:
                continue
            assert len(self.read) < MOST_PAGES, "the crawl does not end"
            todo += [(link, url) for link in self._read(url, found_on)]

    def missing_anchors(self) -> list[str]:
        return [
            f"#{fragment} in {address} (linked from {source})"
            for address, fragment, source in self.anchors
            if self.read.get(address) is not None and fragment not in (self.read[address] or set())
        ]

    def _read(self, url: str, found_on: str) -> Iterator[str]:
        """Read a page whole; yield the addresses on this server it links to."""
        try:
            with self.opener.open(url, timeout=30) as answer:
                final = answer.geturl()
                body = answer.read()
                html = answer.headers.get_content_type() == "text/html"
        except urllib.error.HTTPError as error:
            self.broken.append(f"{url} ({error.code}) linked from {found_on}")
            self.read[url] = None
            return
        if not html:
            self.read[url] = None
            return
        parser = Links()
        parser.feed(body.decode("utf-8"))
        self.read[url] = self.read[final] = parser.ids
        for link in parser.links:
            address, _, fragment = urllib.parse.urljoin(final, link).partition("#")
            address = without_language(address)
            if not address.startswith(self.server):
                self.outside.add(address)
                continue
            if fragment:
                self.anchors.append((address, fragment, final))
            if not any(skip in address for skip in SKIP_FETCH):
                yield address


def crawl(server: str, start: str) -> Crawl:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("Accept", "text/html,*/*;q=0.8"), ("Accept-Language", "en")]
    found = Crawl(server, opener)
    found.run(start)
    return found


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_link_and_anchor_resolves(server, lang, record_property):
    found = crawl(server, f"{server}/?lang={lang}")
    missing = found.missing_anchors()
    record_property(
        "figure",
        f"crawl {lang}: {len(found.read)} URLs fetched, {len(found.anchors)} anchored links "
        f"checked, {len(found.broken)} broken, {len(missing)} missing anchors, "
        f"{len(found.outside)} outside links (not fetched)",
    )
    assert not found.broken, found.broken[:20]
    assert not missing, missing[:20]


SITE = {
    "/": '<a href="/item/1">1</a> <a href="/about#team">team</a> <a href="/item/1#top">top</a>',
    "/about": '<h1 id="team">Team</h1>',
    **{f"/item/{n}": f'<p id="top"></p><a href="/item/{n + 1}">next</a>' for n in range(1, 9)},
    "/item/9": '<a href="/item/10">next</a> <a href="/item/5#bottom">back</a>',
}


class _Site(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = SITE.get(self.path)
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write((body or "not found").encode())

    def log_message(self, *args: object) -> None:
        pass


def test_the_crawler_finds_a_broken_link_and_a_missing_anchor_deep_in_a_site():
    """`/item/10` does not exist and `/item/5` has no `#bottom`; both are ten links deep, and the
    anchors that do exist are not reported."""
    site = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    try:
        server = f"http://127.0.0.1:{site.server_address[1]}"
        found = crawl(server, server + "/")
    finally:
        site.shutdown()
    assert len(found.read) == len(SITE) + 1
    assert found.broken == [f"{server}/item/10 (404) linked from {server}/item/9"]
    assert found.missing_anchors() == [f"#bottom in {server}/item/5 (linked from {server}/item/9)"]
