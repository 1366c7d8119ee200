"""kb serve: local only, live reload, and only what changed is rebuilt on save."""

from __future__ import annotations

import re
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.helpers import KbRepo, start_kb_serve


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


def _wait_for(check: object, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return True
        time.sleep(0.2)
    return False


def test_serve_rebuilds_the_saved_card_and_reloads(kb_repo: KbRepo) -> None:
    kb_repo.write("faq/refunds.md", "---\ntitle: Refunds\nowner: ana\n---\nFirst version.\n")
    kb_repo.write("faq/tax.md", "---\ntitle: Tax\nowner: ana\n---\nSee [[Refunds]].\n")
    process, base = start_kb_serve(kb_repo)
    try:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", base), "kb serve ended before serving"
        status, page = _get(base + "faq/refunds.html")
        assert status == 200 and "First version." in page
        assert '<script src="/__kb/livereload.js"' in page
        assert _get(base + "__kb/livereload.js")[0] == 200
        assert _get(base + "__kb/build")[1] == "0"
        status, missing = _get(base + "faq/gone.html")
        assert status == 404 and "Page not found" in missing

        kb_repo.write("faq/refunds.md", "---\ntitle: Refunds\nowner: ana\n---\nSecond version.\n")
        assert _wait_for(lambda: _get(base + "__kb/build")[1] == "1"), "no rebuild after save"
        assert "Second version." in _get(base + "faq/refunds.html")[1]
        site = kb_repo.path / ".kb/serve/faq/refunds.html"
        assert "livereload" not in site.read_text(encoding="utf-8")  # injected, not written
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=10)
    assert "1 body rendered" in output  # only the saved card was rendered again
    assert "Traceback" not in output


def test_serve_sees_a_card_saved_the_moment_it_says_it_is_serving(kb_repo: KbRepo) -> None:
    # The watches must be in place before kb serve gives its address: a save in between
    # was missed until the next save (every time, when saved at once).
    kb_repo.write("faq/refunds.md", "---\ntitle: Refunds\nowner: ana\n---\nFirst version.\n")
    process, base = start_kb_serve(kb_repo)
    try:
        kb_repo.write("faq/refunds.md", "---\ntitle: Refunds\nowner: ana\n---\nSaved at once.\n")
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", base), "kb serve ended before serving"
        assert _wait_for(lambda: _get(base + "__kb/build")[1] == "1"), "the save was missed"
        assert "Saved at once." in _get(base + "faq/refunds.html")[1]
    finally:
        process.terminate()
        process.communicate(timeout=10)


def test_serve_warns_before_listening_beyond_this_machine(kb_repo: KbRepo, tmp_path: Path) -> None:
    from tests.helpers import run_kb

    result = run_kb("--kb", str(kb_repo.path), "serve", "--host", "256.1.1.1", "--no-search")
    assert result.exit_code == 2
    assert "anyone who can reach this machine" in result.stderr
    assert "cannot serve on 256.1.1.1" in result.stderr


def test_serve_serves_the_site_at_its_published_path_too(kb_repo: KbRepo) -> None:
    """[handbook] url puts the site under /handbook/: the 404 page links from there, so
    kb serve answers there as well (and at /), and its 404 page leads home."""
    (kb_repo.path / "kb.toml").write_text(
        '[handbook]\nurl = "https://org.github.io/handbook/"\n', encoding="utf-8"
    )
    kb_repo.write("faq/refunds.md", "---\ntitle: Refunds\nowner: ana\n---\nFirst version.\n")
    process, base = start_kb_serve(kb_repo)
    try:
        assert base, "kb serve ended before serving"
        assert _get(base + "handbook/faq/refunds.html")[0] == 200
        assert _get(base + "faq/refunds.html")[0] == 200
        status, missing = _get(base + "handbook/faq/gone.html")
        assert status == 404 and 'href="/handbook/index.html"' in missing
        assert _get(base + "handbook/static/handbook.css")[0] == 200
    finally:
        process.terminate()
        process.communicate(timeout=10)
