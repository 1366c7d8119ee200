"""The regression corpus: every provenance case staged in a real git repo, and kb's verdicts.

``bench/provenance_cases.py`` makes the repo (real commits with forged author dates,
spoofed authors, split bulk runs, SSH-signed stamps) and writes down the verdict each
card must get. These tests hold every surface to it: list, show, search, JSON, the
trust score, the report, check and the handbook.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.helpers import REPO_ROOT, git, run_kb

TODAY = "2026-11-22"
KEY = ("ed25519", "sign", "never")  # gpg --quick-gen-key: algorithm, usage, expiry


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "provenance_cases", REPO_ROOT / "bench" / "provenance_cases.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


def _staged(root: Path, *, signed: bool) -> dict[str, dict[str, object]]:
    expected: dict[str, dict[str, object]] = _generator().stage(root, signed=signed)
    return expected


def _verdicts(root: Path) -> dict[str, tuple[str, list[str]]]:
    result = run_kb("--today", TODAY, "list", "--json", cwd=root)
    assert result.exit_code == 0, result.output
    return {
        card["path"]: (card["trust"], sorted({r["rule"] for r in card["reasons"]}))
        for card in json.loads(result.stdout)
    }


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, dict[str, object]]]:
    root = tmp_path_factory.mktemp("corpus") / "kb"
    return root, _staged(root, signed=False)


def test_every_staged_card_gets_its_expected_verdict(corpus):
    root, expected = corpus
    got = _verdicts(root)
    want = {path: (e["state"], e["reasons"]) for path, e in expected.items()}
    assert {p: got[p] for p in want} == want
    # The corpus covers every case the verdict knows, and honest controls.
    reasons = {r for e in expected.values() for r in e["reasons"]}  # type: ignore[attr-defined]
    assert reasons >= {
        "verified-by-non-verifier",
        "committer-not-verifier",
        "bulk-reverification",
        "backdated-verification",
        "future-verification",
        "edited-since-verified",
        "dependency-changed",
        "flagged",
        "roster-changed-with-stamp",
        "self-granted-verifier",
    }
    assert got["staged-0/clean.md"] == ("verified", [])
    assert got["staged-0/nine-0.md"] == ("verified", [])  # 9 stamps: below the threshold
    assert got["staged-0/ci-merge.md"] == ("verified", [])  # committed by the merge bot


def test_split_bulk_and_author_spoof_are_reported(corpus):
    root, _ = corpus
    got = _verdicts(root)
    split = [p for p in got if "/split-" in p]
    assert len(split) == 27
    assert all(got[p] == ("needs-review", ["bulk-reverification"]) for p in split)
    assert got["staged-0/author-spoof.md"] == ("needs-review", ["committer-not-verifier"])
    assert got["staged-0/name-spoof.md"] == ("needs-review", ["verified-by-non-verifier"])


def test_list_state_filter_and_search_agree_with_the_verdicts(corpus):
    root, expected = corpus
    doubted = sorted(p for p, e in expected.items() if e["state"] == "needs-review")
    listed = run_kb("--today", TODAY, "list", "--state", "needs-review", "--json", cwd=root)
    assert sorted(c["path"] for c in json.loads(listed.stdout)) == doubted
    found = run_kb(
        "--today", TODAY, "search", "is:needs-review", "--limit", "500", "--paths-only", cwd=root
    )
    assert found.exit_code == 0, found.output
    assert sorted(found.stdout.split()) == doubted
    fresh = run_kb(
        "--today", TODAY, "search", "is:verified", "--limit", "500", "--paths-only", cwd=root
    )
    assert set(fresh.stdout.split()).isdisjoint(doubted)
    assert "staged-0/clean.md" in fresh.stdout.split()


def test_search_ranks_verified_first_and_says_why_the_others_need_review(corpus):
    root, _ = corpus
    query = ("--today", TODAY, "search", "admin console runbook", "--limit", "20")
    hits = json.loads(run_kb(*query, "--json", "--explain", cwd=root).stdout)
    verified = [h for h in hits if h["trust"] == "verified"]
    doubted = [h for h in hits if h["trust"] == "needs-review"]
    assert verified and doubted
    assert hits[0]["trust"] == "verified"  # same text everywhere: the verdict decides
    assert {h["explain"]["trust_factor"] for h in verified} == {1.2}  # the boost
    assert {h["explain"]["trust_factor"] for h in doubted} == {0.7}  # the penalty, not the boost
    assert all(h["reasons"] for h in doubted) and not any(h["reasons"] for h in verified)
    text = run_kb(*query, cwd=root).stdout
    doubted_lines = [line for line in text.splitlines() if "staged-0/bulk-" in line]
    assert doubted_lines and all("✖ needs review" in line for line in doubted_lines)
    assert "✖ needs review: re-stamped with 29 other cards by Bo Verifier 0 (bo-0)" in text


def test_show_prints_needs_review_with_its_reasons(corpus):
    root, _ = corpus
    shown = run_kb("--today", TODAY, "show", "staged-0/split-00.md", cwd=root)
    assert shown.exit_code == 0, shown.output
    assert "✖ needs review" in shown.stdout and "✔" not in shown.stdout
    assert "re-stamped with 26 other cards" in shown.stdout
    assert "in 3 commits" in shown.stdout and "bulk-reverification" in shown.stdout
    data = json.loads(run_kb("--today", TODAY, "show", "--json", "clean", cwd=root).stdout)
    assert (data["trust"], data["reasons"]) == ("verified", [])


def test_trust_score_and_report_count_needs_review_as_not_verified(corpus):
    root, expected = corpus
    report = json.loads(run_kb("--today", TODAY, "report", "--json", cwd=root).stdout)
    clean = sum(1 for e in expected.values() if e["state"] == "verified")
    assert report["verified"] == clean
    assert report["states"]["needs-review"] == len(expected) - clean
    assert report["trust_score"] == pytest.approx(clean / len(expected))


def test_check_fails_on_the_staged_cases(corpus):
    root, _ = corpus
    result = run_kb("--today", TODAY, "check", "--format", "json", cwd=root)
    assert result.exit_code == 1, result.output
    rules = {f["rule"] for f in json.loads(result.stdout)["findings"]}
    assert {"committer-not-verifier", "self-granted-verifier", "roster-changed-with-stamp"} <= rules


def test_handbook_badge_and_card_page_show_needs_review(corpus, tmp_path):
    root, _ = corpus
    out = tmp_path / "site"
    result = run_kb("--today", TODAY, "build", "--out", str(out), "--no-search", cwd=root)
    assert result.exit_code == 0, result.output
    page = (out / "staged-0" / "self-granted.html").read_text(encoding="utf-8")
    assert 'data-trust="needs-review"' in page and "Needs review" in page
    assert 'class="review-box"' in page and "self-granted-verifier" in page
    clean = (out / "staged-0" / "clean.html").read_text(encoding="utf-8")
    assert 'data-trust="verified"' in clean and 'class="review-box"' not in clean


def _signing_config(root: Path, key: Path) -> None:
    git(root, "config", "gpg.format", "ssh")
    git(root, "config", "user.signingkey", str(key))


def _needs(tool: str) -> None:
    """Skip without ``tool`` locally; fail in CI, which must run these (make signing)."""
    if shutil.which(tool) is None:
        if os.environ.get("CI"):
            pytest.fail(f"{tool} is not installed; CI must run the signing tests (make signing)")
        pytest.skip(f"{tool} is not installed (run 'make signing')")


def test_require_signed_counts_only_stamps_signed_by_a_verifier_key(tmp_path, monkeypatch):
    _needs("ssh-keygen")
    root = tmp_path / "kb"
    expected = _staged(root, signed=True)
    got = _verdicts(root)
    assert got == {p: (e["state"], e["reasons"]) for p, e in expected.items()} | {
        p: got[p] for p in got if p not in expected
    }
    assert got["staged-0/clean.md"] == ("verified", [])  # signed by the owner's key
    assert got["staged-0/forged-signature.md"] == ("needs-review", ["signature-not-verifier"])
    assert got["staged-0/nine-0.md"] == ("needs-review", ["unsigned-verification"])
    # kb verify --sign, end to end: the owner signs with their roster key.
    keys = root.parent / "kb-keys"
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Ana Owner 0")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "ana-0@corp.test")
    _signing_config(root, keys / "ana-0")
    signed = run_kb("--today", TODAY, "verify", "--sign", "staged-0/nine-0.md", cwd=root)
    assert signed.exit_code == 0, signed.output
    unsigned = run_kb("--today", TODAY, "verify", "staged-0/nine-1.md", cwd=root)
    assert unsigned.exit_code == 0 and "require_signed" in unsigned.stderr
    got = _verdicts(root)
    assert got["staged-0/nine-0.md"] == ("verified", [])
    assert got["staged-0/nine-1.md"] == ("needs-review", ["unsigned-verification"])
    raw = subprocess.run(
        ["git", "cat-file", "commit", "HEAD~1"], cwd=root, text=True, capture_output=True
    )
    assert "-----BEGIN SSH SIGNATURE-----" in raw.stdout  # kb verify --sign used git -S


def test_require_signed_with_gpg_keys_from_the_roster(tmp_path, monkeypatch):
    """A GPG-signed stamp counts when the key is the verifier's in people.yaml; the same
    stamp signed with a key that is not in the roster does not."""
    _needs("gpg")
    root = tmp_path / "kb"
    _staged(root, signed=True)
    home = tmp_path / "gnupg"
    home.mkdir(mode=0o700)
    monkeypatch.setenv("GNUPGHOME", str(home))

    def new_key(uid: str) -> str:
        subprocess.run(
            [*("gpg", "--batch", "--quiet", "--passphrase", "", "--quick-gen-key"), uid, *KEY],
            check=True,
            capture_output=True,
        )
        listed = subprocess.run(
            ["gpg", "--with-colons", "--list-keys", uid], check=True, capture_output=True, text=True
        ).stdout
        return next(line.split(":")[9] for line in listed.splitlines() if line.startswith("fpr"))

    bo_key, stranger_key = new_key("Bo <bo-0@corp.test>"), new_key("Mallory <m@evil.test>")
    armored = subprocess.run(
        ["gpg", "--armor", "--export", bo_key], check=True, capture_output=True, text=True
    ).stdout
    people = root / "people.yaml"
    lines = people.read_text(encoding="utf-8").splitlines(keepends=True)
    at = lines.index("bo-0:\n")
    assert lines[at + 3].startswith("  signing_keys:")  # bo's SSH key: GPG replaces it
    lines[at + 3] = "  signing_keys:\n    - |\n" + _indent(armored, 6)
    text = "".join(lines)
    people.write_text(text, encoding="utf-8")
    git(root, "commit", "-q", "-m", "bo's GPG key", "--", "people.yaml")
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Bo Verifier 0")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "bo-0@corp.test")
    git(root, "config", "gpg.format", "openpgp")
    git(root, "config", "user.signingkey", bo_key)
    signed = run_kb("--today", TODAY, "verify", "--sign", "staged-0/nine-3.md", cwd=root)
    assert signed.exit_code == 0, signed.output
    git(root, "config", "user.signingkey", stranger_key)
    forged = run_kb("--today", TODAY, "verify", "--sign", "staged-0/nine-4.md", cwd=root)
    assert forged.exit_code == 0, forged.output
    got = _verdicts(root)
    assert got["staged-0/nine-3.md"] == ("verified", [])
    assert got["staged-0/nine-4.md"] == ("needs-review", ["signature-not-verifier"])
    subprocess.run(["gpgconf", "--kill", "gpg-agent"], check=False, capture_output=True)


def _indent(text: str, spaces: int) -> str:
    return "".join(" " * spaces + line + "\n" for line in text.splitlines())
