"""The built handbook in a real Chromium: search, trust badges, backlinks, XSS, public build.

Debian's chromium is driven by Playwright (no browser download). Without chromium
these tests skip locally and fail when CI is set: CI must really run them.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import KbRepo, copy_example, git, run_kb, start_kb_serve

pytestmark = pytest.mark.browser
TODAY = "2026-11-22"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path:
        return path
    if os.environ.get("CI"):
        pytest.fail("chromium is not installed; CI must run the browser tests (make browser)")
    pytest.skip("chromium is not installed (run 'make browser' to install Debian's chromium)")


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@functools.cache
def _serve(site: str) -> str:
    handler = functools.partial(_Quiet, directory=site)
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}/"


def _build(root: Path, out: Path, *args: str) -> str:
    result = run_kb("--kb", str(root), "--today", TODAY, "build", "--out", str(out), *args)
    assert result.exit_code == 0, result.output
    return _serve(str(out))


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    executable = _chromium()
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile), executable_path=executable, headless=True, args=ARGS
        )
        yield context
        context.close()


@pytest.fixture(scope="module")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> str:
    """example-kb in a git repo, built once for the module and served on 127.0.0.1."""
    root = copy_example(tmp_path_factory.mktemp("e2e") / "example-kb")
    git(root, "init", "-q", "-b", "main")
    # A kb import: the cards keep the verification dates they came with.
    KbRepo(root).commit("import the cards\n\nKb-Import: example", when="2026-11-20T10:00:00Z")
    return _build(root, root.parent / "site")


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    page = browser.new_page()
    # Badges are recomputed for the day the page is read: read them on the build's day.
    page.clock.set_fixed_time(f"{TODAY}T12:00:00Z")
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.errors = errors
    yield page
    page.close()


def _search(page: Any, text: str) -> None:
    page.wait_for_selector("#search-input[data-ready]")
    page.fill("#search-input", "")
    page.wait_for_selector("#search-results", state="hidden")
    page.fill("#search-input", text)
    page.wait_for_selector("#search-results li a")


def _poll(page: Any, selector: str, done: Any, attr: str = "trust") -> list[str]:
    """Poll from Python: the site's CSP forbids the eval that wait_for_function needs."""
    values: list[str] = []
    for _ in range(50):
        values = page.locator(selector).evaluate_all(f"els => els.map(e => e.dataset.{attr})")
        if done(values):
            break
        page.wait_for_timeout(100)
    return values


def test_home_search_open_result_badge_and_backlink(page: Any, example_site: str) -> None:
    page.goto(example_site + "index.html")
    assert page.title() == "Nimbus Support Handbook"
    assert page.locator("h2", has_text="Most urgent").is_visible()
    _search(page, "proration")
    first = page.locator("#search-results li").first
    assert first.locator(".badge").count() == 1  # results carry the trust badge
    first.locator("a").click()
    page.wait_for_url(re.compile(r"/billing/plan-change-proration\.html$"))
    assert page.locator("h1").inner_text() == "Plan changes and proration"

    page.goto(example_site + "accounts/sso-lockout-bypass.html")
    badge = page.locator(".trust .badge")
    assert badge.get_attribute("data-trust") == "expired"
    assert "Expired" in badge.inner_text()
    assert "2025-11-04" in page.locator(".trust-detail").inner_text()

    page.goto(example_site + "policies/refund-policy.html")
    backlink = page.locator(
        "section[aria-labelledby=backlinks-h] a", has_text="Processing a refund"
    )
    backlink.click()
    page.wait_for_url(re.compile(r"/billing/refund-request-processing\.html$"))
    assert "Last edit" in page.locator(".facts").inner_text()
    assert page.errors == []


def test_badges_age_in_the_browser_after_the_build(page: Any, example_site: str) -> None:
    """Built on TODAY; read on later days (the browser's clock is set): the badge follows."""
    url = example_site + "accounts/reset-password.html"
    raw = page.request.get(url).text()  # what a reader without script sees: the build's day
    assert 'data-trust="verified"' in raw and "as of 2026-11-22" in raw

    page.goto(url)
    badge = page.locator(".trust .badge")
    assert badge.get_attribute("data-trust") == "verified"
    assert "Verified" in badge.inner_text()

    page.clock.set_fixed_time("2027-01-25T12:00:00Z")  # within 14 days of 2027-01-30
    page.goto(url)
    assert badge.get_attribute("data-trust") == "due"
    assert "Due for review" in badge.inner_text()

    page.clock.set_fixed_time("2027-02-01T12:00:00Z")  # after the card expired
    page.goto(url)
    assert badge.get_attribute("data-trust") == "expired"
    assert "Expired" in badge.inner_text()
    assert "2027-02-01" in (badge.get_attribute("title") or "")
    home = page.goto(example_site + "index.html")
    assert home is not None
    row = page.locator(".card-row", has=page.locator('a[href$="accounts/reset-password.html"]'))
    assert row.first.locator(".badge").get_attribute("data-trust") == "expired"
    assert not page.errors


def test_search_result_badges_age_like_the_page_they_open(page: Any, example_site: str) -> None:
    """Read after the card expired: its search result must not say ✔ Verified while the page
    it opens says Expired (a result's trust is the build day's unless recomputed)."""
    page.clock.set_fixed_time("2027-02-01T12:00:00Z")  # the card expires 2027-01-30
    page.goto(example_site + "index.html")
    _search(page, "reset your password")
    result = page.locator(
        "#search-results li", has=page.locator('a[href$="accounts/reset-password.html"]')
    ).first
    badge = result.locator(".badge")
    assert badge.get_attribute("data-trust") == "expired"
    assert "Expired" in badge.inner_text() and "✔" not in badge.inner_text()
    result.locator("a").click()
    page.wait_for_url(re.compile(r"/accounts/reset-password\.html$"))
    assert page.locator(".trust .badge").get_attribute("data-trust") == "expired"
    assert page.errors == []


def test_the_trust_filter_keeps_the_cards_in_that_state_on_the_day_it_is_read(
    page: Any, example_site: str
) -> None:
    """The index holds the build day's states: after a card expired, "verified" must no
    longer list it and "expired" must (its page and badge say Expired)."""
    page.clock.set_fixed_time("2027-02-01T12:00:00Z")  # the card expires 2027-01-30
    page.goto(example_site + "index.html")
    _search(page, "reset your password")
    wanted = 'a[href$="accounts/reset-password.html"]'
    page.select_option("#search-trust", "expired")
    states = _poll(page, "#search-results .badge", lambda s: s and set(s) == {"expired"})
    assert states and set(states) == {"expired"}
    assert page.locator(f"#search-results {wanted}").count() == 1
    page.select_option("#search-trust", "verified")
    states = _poll(page, "#search-results .badge", lambda s: not s or set(s) == {"verified"})
    assert set(states) <= {"verified"}
    assert page.locator(f"#search-results {wanted}").count() == 0
    assert page.errors == []


def test_search_finds_other_languages_and_filters_by_trust(page: Any, example_site: str) -> None:
    page.goto(example_site + "index.html")
    _search(page, "пароль")
    titles = page.locator("#search-results li a").all_inner_texts()
    assert "Как сбросить пароль" in titles
    _search(page, "הסיסמה")
    assert "איך לאפס את הסיסמה" in page.locator("#search-results li a").all_inner_texts()
    page.fill("#search-input", "refund")
    page.select_option("#search-trust", "expired")
    states = _poll(page, "#search-results .badge", lambda s: s and set(s) == {"expired"})
    assert states and set(states) == {"expired"}
    assert page.errors == []


def test_keyboard_and_rtl(page: Any, example_site: str) -> None:
    page.goto(example_site + "accounts/he-reset-password.html")
    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert page.evaluate("document.documentElement.lang") == "he"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    page.goto(example_site + "index.html")
    page.wait_for_selector("#search-input[data-ready]")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "search-input"
    page.keyboard.type("webhook")
    page.wait_for_selector("#search-results li a")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.closest('#search-results') !== null")
    assert page.errors == []


def test_health_chart_is_svg_without_script(page: Any, example_site: str) -> None:
    page.goto(example_site + "health.html")
    assert page.locator("figure.chart svg[role=img]").count() == 1
    assert page.locator("table.findings tbody tr").count() > 5
    assert page.errors == []


XSS_TITLE = "<img src=x onerror=\"window.__pwned=1;alert('title')\">Evil"
XSS_TAGS = ["<img src=x onerror=alert(1)>", '"><script>alert(2)</script>']
XSS_LANG = '" onmouseover="alert(1)'
XSS_BODY = """
<script>window.__pwned = 1; alert('script')</script>

<img src="x" onerror="window.__pwned=1;alert('img')">

<svg><script>window.__pwned=1</script><a xlink:href="javascript:alert('svg')">svg</a></svg>

<svg onload="window.__pwned=1;alert('svgload')"></svg>

<iframe src="javascript:alert('iframe')"></iframe>

<a href="javascript:alert('a')">click me</a> and <a href="JaVaScRiPt:alert(1)">case</a>

[md link](javascript:alert('md')) and [entity](&#106;avascript:alert('e'))

<details open ontoggle="window.__pwned=1;alert('toggle')"><summary>x</summary></details>

<div style="background:url(javascript:alert(1))" onclick="alert('div')">div</div>

<form action="javascript:alert(1)"><button>go</button></form>

<math><mtext><table><mglyph><style><img src=x onerror=alert('math')>
</style></mglyph></table></mtext></math>

<object data="javascript:alert(1)"></object><embed src="javascript:alert(1)">

<meta http-equiv="refresh" content="0;url=javascript:alert(1)">

`<script>alert('code')</script>` and [[<script>alert('wiki')</script>]]
"""


@pytest.fixture(scope="module")
def xss_site(tmp_path_factory: pytest.TempPathFactory) -> str:
    root = tmp_path_factory.mktemp("xss") / "kb"
    repo = KbRepo(root)
    root.mkdir()
    (root / "kb.toml").write_text(
        '[handbook]\ntitle = "</title><script>alert(1)</script>"\n', encoding="utf-8"
    )
    repo.write(
        "evil.md",
        "---\n"
        f"title: {json.dumps(XSS_TITLE)}\n"
        "owner: '<script>window.__pwned=1</script>'\n"
        "verified_at: 2026-11-01\n"
        f"tags: {json.dumps(XSS_TAGS)}\n"
        f"lang: {json.dumps(XSS_LANG)}\n"
        "aliases: ['javascript:alert(1)']\n"
        f"---\n{XSS_BODY}",
    )
    repo.write("ok.md", "---\ntitle: Fine\n---\nSee [[javascript:alert(1)]] and [evil](evil.md).\n")
    return _build(root, root.parent / "site")


def test_xss_payloads_never_run(browser: Any, xss_site: str, tmp_path: Path) -> None:
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    pages = ["evil.html", "ok.html", "index.html", "tags/index.html", "owners/index.html"]
    for url in pages:
        page.goto(xss_site + url)
        page.wait_for_load_state("load")
        for link in page.locator("main a, main summary, main div, main details").all()[:60]:
            with contextlib.suppress(Exception):
                link.hover(timeout=300)
        assert page.evaluate("window.__pwned") is None, url
    for tag_link in page.locator("a.tag").all():
        href = tag_link.get_attribute("href") or ""
        assert not href.lower().startswith("javascript")
    page.goto(xss_site + "evil.html")
    assert "Evil" in page.locator("h1").inner_text()  # the title is shown as text
    assert "<img" in page.locator("h1").inner_text()
    page.close()
    assert dialogs == []


def test_xss_raw_html_has_no_dangerous_constructs(xss_site: str) -> None:
    import urllib.request

    for url in ("evil.html", "ok.html", "index.html"):
        with urllib.request.urlopen(xss_site + url) as response:
            html = response.read().decode("utf-8")
        scripts = re.findall(r"<script\b[^>]*>", html, flags=re.I)
        assert scripts == ['<script src="' + "../" * url.count("/") + 'static/handbook.js" defer>']
        assert not re.search(r"<[^>]+\son\w+\s*=", html, flags=re.I), url
        assert not re.search(r"(href|src|action|data)\s*=\s*[\"']?\s*javascript:", html, re.I)
        for tag in ("iframe", "object", "embed", "form", "svg", "math", "style", "meta http"):
            body = html.split("<main", 1)[1]
            if tag == "svg":
                continue  # only the health page has an svg, and it is ours
            assert f"<{tag}" not in body.lower(), (url, tag)


def test_a_cards_fake_badge_is_plain_text_and_tables_align_under_the_csp(
    page: Any, tmp_path: Path
) -> None:
    root = tmp_path / "kb"
    root.mkdir()
    (root / "kb.toml").write_text("", encoding="utf-8")
    repo = KbRepo(root)
    repo.write(
        "fake.md",
        "---\ntitle: Fake badge\nowner: ana\n---\n"
        '<span class="badge badge-verified" data-trust="verified">'
        '<span aria-hidden="true">✔</span> <span class="badge-word">Verified</span></span>\n\n'
        "| left | middle | right |\n|:-----|:------:|------:|\n| a | b | c |\n",
    )
    repo.write("real.md", "---\ntitle: Real\nowner: ana\nverified_at: 2026-11-20\n---\nok\n")
    site = _build(root, tmp_path / "site", "--no-search")

    def look(selector: str) -> dict[str, str]:
        return page.locator(selector).first.evaluate(
            "e => { const s = getComputedStyle(e);"
            " return {bg: s.backgroundColor, radius: s.borderRadius, color: s.color,"
            " border: s.borderTopStyle, align: s.textAlign}; }"
        )

    page.goto(site + "real.html")
    real = look(".trust .badge-verified")
    assert real["border"] == "solid" and real["bg"] != "rgba(0, 0, 0, 0)"
    page.goto(site + "fake.html")
    assert page.locator(".card-body .badge, .card-body [data-trust]").count() == 0
    fake = look(".card-body p > span")
    assert "Verified" in page.locator(".card-body p > span").first.inner_text()
    assert (fake["bg"], fake["radius"], fake["border"]) == ("rgba(0, 0, 0, 0)", "0px", "none")
    # The page's own badge is the only one: the card says "not verified".
    assert page.locator(".trust .badge").get_attribute("data-trust") != "verified"
    aligned = [look(f".card-body td:nth-child({n})")["align"] for n in (1, 2, 3)]
    assert aligned == ["left", "center", "right"]
    assert [look(f".card-body th:nth-child({n})")["align"] for n in (1, 2, 3)] == aligned
    assert not [e for e in page.errors if "Content Security Policy" in e], page.errors


def test_public_build_has_no_internal_card_reachable(browser: Any, tmp_path: Path) -> None:
    root = copy_example(tmp_path / "kb")
    base = _build(root, tmp_path / "public", "--audience", "public")
    page = browser.new_page()
    page.goto(base + "index.html")
    assert page.locator("a[href$='health.html']").count() == 0
    hrefs = page.locator("a").evaluate_all("els => els.map(e => e.href)")
    internal = {
        p.relative_to(root).as_posix().removesuffix(".md") + ".html"
        for p in root.rglob("*.md")
        if "audience: public" not in p.read_text(encoding="utf-8")
    }
    seen: set[str] = set()
    todo = [h for h in hrefs if h.startswith(base)]
    while todo:  # crawl every page reachable from home
        url = todo.pop().split("#")[0]
        if url in seen or not url.endswith(".html"):
            continue
        seen.add(url)
        response = page.goto(url)
        assert response is not None and response.ok, url
        assert url.removeprefix(base) not in internal, f"internal card reachable: {url}"
        todo += [
            h
            for h in page.locator("a").evaluate_all("els => els.map(e => e.href)")
            if h.startswith(base)
        ]
    assert len(seen) > 10
    page.goto(base + "index.html")
    _search(page, "password")
    results = page.locator("#search-results li a").evaluate_all("els => els.map(e => e.href)")
    assert results and not any(r.removeprefix(base) in internal for r in results)
    page.fill("#search-input", "Stripe refund approval")  # words of internal billing cards
    page.wait_for_timeout(600)
    hits = page.locator("#search-results li a").evaluate_all("els => els.map(e => e.href)")
    assert not any(h.removeprefix(base) in internal for h in hits)
    page.close()


def test_kb_serve_reloads_the_open_page_after_a_save(browser: Any, kb_repo: KbRepo) -> None:
    kb_repo.write("faq/refunds.md", "---\ntitle: Refunds\nowner: ana\n---\nFirst version.\n")
    process, url = start_kb_serve(kb_repo)
    page = browser.new_page()
    try:
        assert url.startswith("http://127.0.0.1:")
        page.goto(url + "faq/refunds.html")
        assert "First version." in page.locator(".card-body").inner_text()
        page.wait_for_timeout(800)  # the reload script has seen build 0
        kb_repo.write("faq/refunds.md", "---\ntitle: Refunds\nowner: ana\n---\nSecond version.\n")
        page.wait_for_selector("text=Second version.", timeout=20000)  # reloaded by itself
    finally:
        page.close()
        process.terminate()
        process.communicate(timeout=10)


def test_handbook_opened_as_a_file_says_search_needs_a_web_server(
    page: Any, kb_repo: KbRepo, tmp_path: Path
) -> None:
    """Double-clicking index.html is what a new user tries first: say what search needs."""
    kb_repo.write("a.md", "---\ntitle: A card\nowner: ana\n---\nSome text.\n")
    kb_repo.commit("a card")
    site = tmp_path / "site"
    result = run_kb("--kb", str(kb_repo.path), "build", "--out", str(site))
    assert result.exit_code == 0, result.output
    assert "kb serve" in result.stdout.strip().splitlines()[-1]
    page.goto((site / "index.html").as_uri())
    status = page.locator("#search-status")
    for _ in range(50):
        if status.inner_text():
            break
        page.wait_for_timeout(100)
    assert "kb serve" in status.inner_text()
    assert "was not built" not in status.inner_text()


def _hits(page: Any, text: str) -> list[str]:
    """The result links' paths for ``text``, once the search has answered (also none)."""
    page.wait_for_selector("#search-input[data-ready]")
    status = page.locator("#search-status")
    page.fill("#search-input", "")
    for _ in range(50):  # the last answer is cleared (it may have been "0 results")
        if not status.inner_text():
            break
        page.wait_for_timeout(50)
    page.fill("#search-input", text)
    for _ in range(50):
        if "result" in status.inner_text():
            break
        page.wait_for_timeout(100)
    assert "result" in status.inner_text(), f"no answer for {text!r}"
    links = page.locator("#search-results li a").evaluate_all("els => els.map(e => e.href)")
    return sorted(re.sub(r"^https?://[^/]+/", "", link) for link in links)


def _tags(page: Any) -> list[str]:
    """The search's tag menu, once the search is ready (its first option means any tag)."""
    page.wait_for_selector("#search-input[data-ready]")
    values = page.locator("#search-tag option").evaluate_all("els => els.map(e => e.value)")
    return [value for value in values if value]


def _delta(site: Path) -> dict[str, Any]:
    return json.loads((site / "pagefind-delta" / "kb-delta.json").read_text(encoding="utf-8"))


def test_search_after_an_edit_a_delete_and_a_fold(
    page: Any, kb_repo: KbRepo, tmp_path: Path
) -> None:
    """The index is a base plus a delta of the pages changed since: an edited card is
    found by its new words and not by its old ones, a deleted card never, the tag menu
    offers the tags the site has now, and after the fold (kb build --full) the answers
    are the same from one index."""
    for n in range(12):
        kb_repo.write(f"cards/c{n}.md", f"---\ntitle: Card {n}\n---\nCommon words about tea.\n")
    edited = "---\ntitle: Edited\ntags: [{tag}]\n---\nThe {word} hops about tea.\n"
    kb_repo.write("cards/edited.md", edited.format(tag="marsupial", word="quokka"))
    doomed = "---\ntitle: Doomed\ntags: [whale]\n---\nThe narwhal swims about tea.\n"
    kb_repo.write("cards/doomed.md", doomed)
    kb_repo.commit("cards")
    site_dir = tmp_path / "site"
    site = _build(kb_repo.path, site_dir)
    assert _delta(site_dir) == {"drop": [], "languages": {}}  # a whole index: no delta
    page.goto(site + "index.html")
    assert _hits(page, "quokka") == ["cards/edited.html"]
    assert _tags(page) == ["marsupial", "whale"]

    kb_repo.write("cards/edited.md", edited.format(tag="burrower", word="wombat"))
    _build(kb_repo.path, site_dir)
    assert _delta(site_dir)["languages"]  # the edit went into the delta
    page.goto(site + "index.html")
    assert _hits(page, "wombat") == ["cards/edited.html"]
    assert _hits(page, "quokka") == []
    assert "cards/edited.html" in _hits(page, "tea")  # once, from the delta
    assert len(_hits(page, "tea")) == 14
    assert _tags(page) == ["burrower", "whale"]  # the edit took "marsupial" away

    (kb_repo.path / "cards" / "doomed.md").unlink()
    _build(kb_repo.path, site_dir)
    assert _delta(site_dir)["drop"]  # still a delta, now dropping the deleted page too
    page.goto(site + "cards/c1.html")
    assert _hits(page, "narwhal") == []
    assert _hits(page, "wombat") == ["cards/edited.html"]
    assert len(_hits(page, "tea")) == 13
    assert _tags(page) == ["burrower"]  # the deleted card's tag with it

    _build(kb_repo.path, site_dir, "--full")
    assert _delta(site_dir) == {"drop": [], "languages": {}}
    page.goto(site + "index.html")
    assert (_hits(page, "wombat"), _hits(page, "quokka"), _hits(page, "narwhal")) == (
        ["cards/edited.html"],
        [],
        [],
    )
    assert len(_hits(page, "tea")) == 13
    assert _tags(page) == ["burrower"]
    assert page.errors == []
