"""A handbook built in GitHub Actions with no ``[handbook] url``: the 404 page's links
start at the host's root, which a GitHub Pages project site is not; kb build names the
setting and the likely address instead of publishing a broken 404 page in silence."""

from __future__ import annotations

import pytest

from tests.helpers import KbRepo, run_kb

CARD = "---\ntitle: Refunds\nowner: ana\nverified_at: 2026-11-01\n---\nBody.\n"


def _build(repo: KbRepo) -> tuple[int, str]:
    repo.write("billing/refunds.md", CARD)
    repo.commit("cards", when="2026-11-02T09:00:00Z")
    out = repo.path.parent / "site"
    result = run_kb("--kb", str(repo.path), "build", "--no-search", "-q", "--out", str(out))
    return result.exit_code, result.stderr


def test_a_pages_build_without_url_names_the_setting_and_address(
    kb_repo: KbRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_REPOSITORY", "Acme/handbook")
    code, stderr = _build(kb_repo)
    assert code == 0
    assert "404 page" in stderr
    assert 'url = "https://acme.github.io/handbook/"' in stderr and "KB_HANDBOOK_URL" in stderr


@pytest.mark.parametrize(
    ("env", "toml"),
    [
        (
            {"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "acme/handbook"},
            'url = "https://kb.acme.test"',
        ),
        ({"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "acme/acme.github.io"}, ""),
        ({}, ""),
    ],
    ids=["url-set", "user-site-at-root", "not-in-actions"],
)
def test_no_hint_when_the_404_page_already_links_right(
    kb_repo: KbRepo, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], toml: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    (kb_repo.path / "kb.toml").write_text(f"[handbook]\n{toml}\n", encoding="utf-8")
    code, stderr = _build(kb_repo)
    assert code == 0
    assert "404 page" not in stderr
