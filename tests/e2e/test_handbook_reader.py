"""The handbook as a reader meets it, in a real Chromium: served under a sub-path (a
GitHub Pages project site), searched in one language among several, read on a phone,
by keyboard, printed.

The browser, page and build helpers are test_handbook's (same Debian chromium, same CSP).
"""

from __future__ import annotations

import functools
import threading
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_handbook import (  # noqa: F401 (fixtures)
    TODAY,
    _build,
    _search,
    browser,
    example_site,
    page,
)
from tests.helpers import KbRepo, copy_example, git, run_kb

pytestmark = pytest.mark.browser
PREFIX = "/handbook/"


class _ProjectSite(SimpleHTTPRequestHandler):
    """GitHub Pages for a project: the site under /handbook/, its 404.html for any miss."""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        target = Path(self.translate_path(path.removeprefix(PREFIX.rstrip("/"))))
        if path.startswith(PREFIX) and (target.is_file() or (target / "index.html").is_file()):
            self.path = self.path.removeprefix(PREFIX.rstrip("/"))
            return super().do_GET()
        body = (Path(self.directory) / "404.html").read_bytes()
        self.send_response(HTTPStatus.NOT_FOUND)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _serve_under_prefix(site: Path) -> str:
    handler = functools.partial(_ProjectSite, directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}"


def _example(tmp_path: Path, url: str = "") -> Path:
    """example-kb committed as a kb import, its handbook published at ``url``."""
    root = copy_example(tmp_path / "example-kb")
    if url:
        toml = root / "kb.toml"
        text = toml.read_text(encoding="utf-8")
        toml.write_text(text.replace("[handbook]\n", f'[handbook]\nurl = "{url}"\n'), "utf-8")
    git(root, "init", "-q", "-b", "main")
    KbRepo(root).commit("import the cards\n\nKb-Import: example", when="2026-11-20T10:00:00Z")
    return root


def test_the_404_page_of_a_site_under_a_sub_path_links_into_that_site(
    page: Any,  # noqa: F811
    tmp_path: Path,
) -> None:
    """A project site lives at /handbook/: its 404 page, served at any missing path, must
    load its style and search and lead home (root-absolute links went to the host's root)."""
    root = _example(tmp_path, "https://nimbus.example.org/handbook")
    site = tmp_path / "site"
    result = run_kb("--kb", str(root), "--today", TODAY, "build", "--out", str(site))
    assert result.exit_code == 0, result.output
    host = _serve_under_prefix(site)

    response = page.goto(host + PREFIX + "billing/no-such-card.html")
    assert response is not None and response.status == 404
    assert page.locator("h1").inner_text() == "Page not found"
    page.errors.remove(
        "Failed to load resource: the server responded with a status of 404 (Not Found)"
    )
    css = page.locator(".site-header").evaluate("e => getComputedStyle(e).display")
    assert css != "inline"  # the style sheet loaded (an unstyled header is inline)
    page.wait_for_selector("#search-input[data-ready]")  # the search script and index loaded
    page.fill("#search-input", "proration")
    page.wait_for_selector("#search-results li a")
    result_url = page.locator("#search-results li a").first.evaluate("a => a.href")
    assert result_url.startswith(host + PREFIX)

    page.locator("main a", has_text="home page").click()
    page.wait_for_load_state()
    assert page.url == host + PREFIX + "index.html"
    assert page.title() == "Nimbus Support Handbook"
    assert page.errors == []


def _result_languages(tab: Any, done: Any) -> list[str]:
    """The results' languages once ``done`` holds (polled: the CSP forbids eval)."""
    langs: list[str] = []
    for _ in range(50):
        links = tab.locator("#search-results li a")
        langs = links.evaluate_all("els => els.map(e => e.hreflang)")
        if done(langs):
            break
        tab.wait_for_timeout(100)
    return langs


def test_search_filters_by_language_when_the_site_has_several(
    page: Any,  # noqa: F811
    example_site: str,  # noqa: F811
) -> None:
    """Every language's index is searched at once, each stemming the query its own way:
    a reader keeps to their language with the filter, in that language's own name."""
    page.goto(example_site + "index.html")
    page.wait_for_selector("#search-input[data-ready]")
    menu = page.locator("#search-lang")
    assert menu.is_visible()
    options = menu.locator("option").evaluate_all("els => els.map(e => [e.value, e.text])")
    assert [value for value, _ in options] == ["", "en", "he", "ru", "uk"]
    assert dict(options)["ru"] == "русский (ru)"
    _search(page, "пароль")
    assert "Как сбросить пароль" in page.locator("#search-results li a").all_inner_texts()
    page.select_option("#search-lang", "en")
    langs = _result_languages(page, lambda v: "ru" not in v)
    assert "ru" not in langs
    page.select_option("#search-lang", "ru")
    langs = _result_languages(page, lambda v: v and set(v) == {"ru"})
    assert langs and set(langs) == {"ru"}
    assert "Как сбросить пароль" in page.locator("#search-results li a").all_inner_texts()
    assert page.errors == []


def test_a_site_in_one_language_shows_no_language_filter(
    page: Any,  # noqa: F811
    kb_repo: KbRepo,
    tmp_path: Path,
) -> None:
    kb_repo.write("a.md", "---\ntitle: Refunds\n---\nHow refunds work.\n")
    kb_repo.write("b.md", "---\ntitle: Taxes\n---\nHow taxes work.\n")
    kb_repo.commit("cards")
    site = _build(kb_repo.path, tmp_path / "site")
    page.goto(site + "index.html")
    _search(page, "refunds")
    assert page.locator("#search-lang").is_hidden()
    assert page.errors == []


def _luminance(rgb: str) -> float:
    """WCAG relative luminance of a computed ``rgb(r, g, b)`` colour."""
    channels = [int(c) / 255 for c in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(fg: str, bg: str) -> float:
    high, low = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (high + 0.05) / (low + 0.05)


BADGE_CLASSES = ("verified", "due", "expired", "unverified", "needs-review", "current", "stale")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_trust_badge_is_readable_in_light_and_dark(
    page: Any,  # noqa: F811
    example_site: str,  # noqa: F811
    scheme: str,
) -> None:
    """Badge text is small (0.8rem): WCAG AA asks 4.5:1 against its background."""
    page.emulate_media(color_scheme=scheme)
    page.goto(example_site + "index.html")
    colours = page.evaluate(
        """classes => classes.map(name => {
            const badge = document.createElement('span');
            badge.className = 'badge badge-' + name;
            badge.textContent = name;
            document.querySelector('main').appendChild(badge);
            const style = getComputedStyle(badge);
            return [name, style.color, style.backgroundColor];
        })""",
        list(BADGE_CLASSES),
    )
    low = {name: round(_contrast(fg, bg), 2) for name, fg, bg in colours if _contrast(fg, bg) < 4.5}
    assert low == {}, f"badges under 4.5:1 in {scheme} mode"
