"""``[handbook] public_stale``: what a help center does with a card that is not current.
``notice`` (the default) shows it saying it may be out of date; ``omit`` leaves it out of
the site (links to it become plain text) and the build says how many it left out."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import KbRepo, make_repo, run_kb

TODAY = "2026-11-22"


def _card(title: str, verified: str, body: str = "Body.") -> str:
    return (
        f"---\ntitle: {title}\nowner: ana\nverified_at: {verified}\naudience: public\n---\n{body}\n"
    )


def _help_center(tmp_path: Path, setting: str) -> KbRepo:
    repo = make_repo(tmp_path / "kb", kb_toml=f"[handbook]\n{setting}\n")
    repo.write("help/refunds.md", _card("Refunds", "2026-11-01", "See [invoices](invoices.md)."))
    repo.write("help/invoices.md", _card("Invoices", "2025-01-01", "Download them."))  # expired
    repo.commit("cards", when="2026-11-02T09:00:00Z")
    return repo


def _build(repo: KbRepo, out: Path) -> tuple[int, str, str]:
    result = run_kb(
        "--kb", str(repo.path), "--today", TODAY, "build", "--audience", "public",
        "--no-search", "--out", str(out),
    )  # fmt: skip
    return result.exit_code, result.stdout, result.stderr


def test_omit_leaves_an_expired_card_out_of_the_help_center(tmp_path: Path) -> None:
    repo = _help_center(tmp_path, 'public_stale = "omit"')
    out = tmp_path / "site"
    code, stdout, stderr = _build(repo, out)
    assert code == 0, stdout + stderr
    assert (out / "help/refunds.html").is_file()
    assert not (out / "help/invoices.html").exists()
    home = (out / "index.html").read_text(encoding="utf-8")
    assert "Invoices" not in home and "Refunds" in home
    refunds = (out / "help/refunds.html").read_text(encoding="utf-8")
    assert 'href="invoices.html"' not in refunds and "invoices" in refunds  # text, no link
    assert "1 public card(s) left out of the site as not current" in stderr
    assert "1 card," in stdout


def test_notice_keeps_an_expired_card_and_says_it_may_be_out_of_date(tmp_path: Path) -> None:
    repo = _help_center(tmp_path, 'public_stale = "notice"')
    out = tmp_path / "site"
    code, stdout, stderr = _build(repo, out)
    assert code == 0, stdout + stderr
    page = (out / "help/invoices.html").read_text(encoding="utf-8")
    assert "This article may be out of date" in page and "May be out of date" in page
    assert "Expired" not in page and "expired" not in page
    assert "left out" not in stderr


def test_a_card_verified_again_comes_back_into_an_omitting_help_center(tmp_path: Path) -> None:
    repo = _help_center(tmp_path, 'public_stale = "omit"')
    out = tmp_path / "site"
    assert _build(repo, out)[0] == 0
    repo.write("help/invoices.md", _card("Invoices", "2026-11-20", "Download them."))
    repo.commit("verify invoices", when="2026-11-20T09:00:00Z")
    code, stdout, stderr = _build(repo, out)
    assert code == 0, stdout + stderr
    assert (out / "help/invoices.html").is_file()
    assert 'href="invoices.html"' in (out / "help/refunds.html").read_text(encoding="utf-8")


def test_an_unknown_public_stale_value_is_a_config_error(tmp_path: Path) -> None:
    repo = _help_center(tmp_path, 'public_stale = "hide"')
    code, stdout, stderr = _build(repo, tmp_path / "site")
    assert code == 2
    assert "public_stale" in stdout + stderr and "notice or omit" in stdout + stderr
