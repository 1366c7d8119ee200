"""Hostile or careless input never takes kb down: each reproducer from the robustness
issue, through the real entry point on a real git repository."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import KbRepo, run_kb

TODAY = "2026-06-01"
PEOPLE = "ana: {name: Ana Souza, emails: [ana@example.test]}\n"


def test_a_card_saved_with_a_byte_order_mark_has_a_history(kb_repo: KbRepo) -> None:
    (kb_repo.path / "people.yaml").write_text(PEOPLE)
    lines = ["\ufeff---", "title: Refunds", "owner: ana", "verified_at: 2026-05-01", "---", "x"]
    text = "\r\n".join(lines) + "\r\n"
    kb_repo.write("refunds.md", text)
    kb_repo.commit("add refunds", when="2026-05-01T10:00:00Z")
    result = run_kb("--today", TODAY, "history", "refunds", "--json", cwd=kb_repo.path)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["last_verification"] is not None


def test_a_tab_before_a_comment_does_not_publish_a_draft(kb_repo: KbRepo) -> None:
    kb_repo.write("wip.md", "---\ntitle: WIP\nstatus: draft\t# not ready\nowner: ana\n---\nx\n")
    kb_repo.commit("add wip")
    result = run_kb("--today", TODAY, "list", "--json", cwd=kb_repo.path)
    assert result.exit_code in (0, 1), result.output
    assert '"draft"' in result.stdout and "unknown-status" not in result.stdout


PAIRS = zip("abcdefgh", "bcdefghi", strict=True)
BOMB = "\n".join(  # 441 bytes that expand to 9**9 values
    ["a: &a [x, x, x, x, x, x, x, x, x]"]
    + [f"{c}: &{c} [{', '.join(['*' + p] * 9)}]" for p, c in PAIRS]
)
ONE_LINE_KILLERS = {
    "date-overflow": "verified_at: 0001-01-01T00:00:00+14:00",
    "huge-duration": "verified_at: 2026-01-01\nverify_every: 3000000d",
    "bad-bool-tag": "x: !!bool maybe",
    "recursive-alias": "x: &a [*a]",
    "deep-nesting": "x: " + "[" * 600 + "]" * 600,
    "unknown-key-date": "x: 9999-12-31T23:59:59-14:00",
    "alias-bomb": BOMB,
}


def _repo_with(kb_repo: KbRepo, *bad_lines: str) -> KbRepo:
    kb_repo.write("good.md", "---\ntitle: Good\nowner: ana\nverified_at: 2026-05-01\n---\nbody\n")
    for n, line in enumerate(bad_lines):
        kb_repo.write(f"bad{n}.md", f"---\ntitle: Bad {n}\nowner: ana\n{line}\n---\nbody text\n")
    kb_repo.commit("cards", when="2026-05-01T10:00:00Z")
    return kb_repo


@pytest.mark.parametrize("line", ONE_LINE_KILLERS.values(), ids=ONE_LINE_KILLERS.keys())
def test_one_hostile_line_is_one_finding_not_a_crash(kb_repo: KbRepo, line: str) -> None:
    _repo_with(kb_repo, line)
    for args in (["list"], ["check"], ["search", "body"]):
        result = run_kb("--today", TODAY, *args, cwd=kb_repo.path)
        assert result.exit_code in (0, 1), (args, result.output)
        assert "Traceback" not in result.output, args
    listed = run_kb("--today", TODAY, "list", "--json", cwd=kb_repo.path)
    assert "good.md" in listed.stdout and "bad0.md" in listed.stdout
    if "verified_at" in line:  # fail closed: never shown as verified
        check = run_kb("--today", TODAY, "check", "--format", "json", cwd=kb_repo.path)
        assert "bad0.md" in check.stdout and check.exit_code == 1


def test_build_and_trend_survive_every_hostile_card_at_once(kb_repo: KbRepo, tmp_path) -> None:
    _repo_with(kb_repo, *ONE_LINE_KILLERS.values())
    built = run_kb("--today", TODAY, "build", "--out", str(tmp_path / "site"), cwd=kb_repo.path)
    assert built.exit_code in (0, 1), built.output
    trend = run_kb("--today", TODAY, "report", "--trend", cwd=kb_repo.path)
    assert trend.exit_code in (0, 1), trend.output
    assert "Traceback" not in built.output + trend.output


def test_history_rules_see_a_card_saved_with_a_byte_order_mark(kb_repo: KbRepo) -> None:
    """A stamp set by someone who is neither owner nor verifier is an error, BOM or not."""
    people = PEOPLE + "bob: {name: Bob Stone, emails: [bob@example.test]}\n"
    (kb_repo.path / "people.yaml").write_text(people)
    lines = ["\ufeff---", "title: Refunds", "owner: ana", "verified_at: 2026-01-01", "---", "x"]
    kb_repo.write("refunds.md", "\r\n".join(lines) + "\r\n")
    kb_repo.commit("add refunds", when="2026-01-01T10:00:00Z")
    lines[3] = "verified_at: 2026-05-01"
    kb_repo.write("refunds.md", "\r\n".join(lines) + "\r\n")
    kb_repo.commit(
        "stamp", when="2026-05-01T10:00:00Z", author="Bob Stone", email="bob@example.test"
    )
    result = run_kb("--today", TODAY, "check", "--format", "json", cwd=kb_repo.path)
    assert result.exit_code == 1, result.output
    rules = {finding["rule"] for finding in json.loads(result.stdout)["findings"]}
    assert "verified-by-non-verifier" in rules


def _crowd(kb_repo: KbRepo, cards: int) -> tuple[int, str, str]:
    for n in range(cards):
        kb_repo.write(
            f"c/{cards}-{n:04d}.md",
            f"---\ntitle: C{n}\nowner: ana\naliases: [shared-{cards}]\n---\n",
        )
    result = run_kb("--today", TODAY, "list", cwd=kb_repo.path)
    checked = run_kb("--today", TODAY, "check", "--format", "json", "c", cwd=kb_repo.path)
    return result.exit_code, result.stderr, checked.stdout


def test_a_crowd_on_one_alias_writes_findings_that_grow_linearly(kb_repo: KbRepo) -> None:
    """N cards on one alias used to write N messages naming all N cards (N squared)."""
    code, small, _ = _crowd(kb_repo, 50)
    assert code == 1
    lines = [line for line in small.splitlines() if "[duplicate-alias]" in line]
    assert len(lines) == 50
    assert "is also claimed by c/50-0000.md" in lines[-1] and "and 44 more" in lines[-1]
    code, large, report = _crowd(kb_repo, 400)
    large_lines = [line for line in large.splitlines() if "shared-400" in line]
    assert code == 1 and len(large_lines) == 400
    per_line_small = sum(map(len, lines)) / len(lines)
    per_line_large = sum(map(len, large_lines)) / len(large_lines)
    assert per_line_large < per_line_small * 1.2  # the same size per finding, not 8 times
    data = json.loads(report)
    duplicates = [f for f in data["findings"] if f["rule"] == "duplicate-alias"]
    assert len(duplicates) == 450 and len(data["cards"]) == 450
    assert len(data["findings"]) > 450  # never-verified too: still one title per card
    assert report.count('"C7"') == 2  # c/50-0007.md and c/400-0007.md, once each


def test_a_front_matter_over_the_limit_fails_closed_and_the_limit_is_configurable(
    kb_repo: KbRepo,
) -> None:
    notes = "".join(f"note_{n}: plain line {n}\n" for n in range(4000))  # ~100,000 chars
    kb_repo.write("big.md", f"---\ntitle: Big\nowner: ana\nstatus: published\n{notes}---\nx\n")
    kb_repo.write("ok.md", "---\ntitle: Fine\nowner: ana\n---\nx\n")
    kb_repo.commit("cards")
    result = run_kb("--today", TODAY, "list", "--json", cwd=kb_repo.path)
    assert result.exit_code == 1, result.output
    listed = {c["path"]: c for c in json.loads(result.stdout)}
    assert listed["ok.md"]["title"] == "Fine"
    assert listed["big.md"]["status"] == "draft" and not listed["big.md"]["owner"]
    message = " ".join(result.stderr.split())
    assert "big.md:1" in message and "over the limit of 65,536" in message
    assert "max_front_matter" in message and "[card-unreadable]" in message
    (kb_repo.path / "kb.toml").write_text("[cards]\nmax_front_matter = 200000\n")
    result = run_kb("--today", TODAY, "list", "--json", cwd=kb_repo.path)
    listed = {c["path"]: c for c in json.loads(result.stdout)}
    assert listed["big.md"]["status"] == "published" and listed["big.md"]["title"] == "Big"
    assert "over the limit" not in result.stderr


def _bounded_run(args: list[str], cwd: Path) -> tuple[int, str, float]:
    """kb in its own process with its heap capped at 512 MB (RLIMIT_DATA): a bomb that
    inflated would die of MemoryError (exit 3) instead of passing."""
    import resource
    import subprocess
    import sys
    import time

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_DATA, (512 * 2**20, 512 * 2**20))

    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "kbcli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        preexec_fn=cap,
        timeout=60,
    )
    return done.returncode, done.stdout + done.stderr, time.perf_counter() - started


def test_a_zip_bomb_is_refused_with_exit_2_quickly_and_in_bounded_memory(tmp_path: Path) -> None:
    import zipfile

    root = tmp_path / "kb"
    root.mkdir()
    (root / "kb.toml").write_text("")
    bomb = tmp_path / "export.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("users.json", "[]")
        archive.writestr("channels.json", '[{"id": "C1", "name": "general"}]')
        archive.writestr("general/2026-11-01.json", "[" + " " * (100 * 2**20) + "]")
    assert bomb.stat().st_size * 1000 < 100 * 2**20  # a ratio of 1000:1 or more
    code, stderr, seconds = _bounded_run(["capture", "slack", str(bomb), "--latest", "3"], root)
    assert code == 2, stderr
    assert "zip bomb" in stderr and "general/2026-11-01.json" in stderr
    assert seconds < 5 * 3  # 5 s on a quiet machine; CI shares its cores


def test_an_alias_bomb_is_one_finding_quickly_and_in_bounded_memory(kb_repo: KbRepo) -> None:
    """Exit 1, not 2: the bomb is a finding on its card and every other card still works
    (exit 2 would let one hostile card stop the whole repository's CI)."""
    kb_repo.write("bomb.md", f"---\ntitle: Bomb\n{BOMB}\n---\nx\n")
    kb_repo.write("ok.md", "---\ntitle: Fine\nowner: ana\n---\nx\n")
    kb_repo.commit("cards")
    code, output, seconds = _bounded_run(["--today", TODAY, "check"], kb_repo.path)
    assert code == 1, output
    assert "bomb.md" in output and "more than 10,000 values" in " ".join(output.split())
    assert "ok.md" in output  # the other card is still checked
    assert seconds < 5 * 3


@pytest.mark.parametrize(
    "header",
    [
        "status: {published: true}",  # a status kb does not know
        "status: published\u200b",
        "status: requested\nx: &a [*a]",  # a header YAML cannot read
        "status: draft\t# not ready\nx: " + "[" * 600 + "]" * 600,
        "status: draft\nx: !!python/object/apply:os.system ['true']",
    ],
)
def test_a_card_whose_status_kb_cannot_read_is_never_published(
    kb_repo: KbRepo, header: str
) -> None:
    """Found by make fuzz: both fell back to the default status, published."""
    kb_repo.write("odd.md", f"---\ntitle: Odd\nowner: ana\n{header}\n---\nx\n")
    kb_repo.commit("odd")
    result = run_kb("--today", TODAY, "list", "--json", cwd=kb_repo.path)
    assert result.exit_code == 1, result.output
    (card,) = json.loads(result.stdout)
    assert card["status"] == "draft" and card["problems"]


def test_show_of_a_card_kb_cannot_read_says_why_and_exits_1(kb_repo: KbRepo) -> None:
    """A header kb cannot parse left kb show printing an empty, ownerless draft with exit 0:
    the reader could not tell a broken file from an empty card."""
    kb_repo.write("bad card.md", "---\ntitle: Bad\nowner: [ana\n---\n# Bad\n\nThe steps.\n")
    kb_repo.path.joinpath("latin.md").write_bytes(b"---\ntitle: L\n---\n# caf\xe9\n")
    kb_repo.commit("cards", when="2026-05-01T10:00:00Z")
    for ref, where, rule in (
        ("bad card.md", "bad card.md:4:", "yaml-syntax"),
        ("latin.md", "latin.md:4:", "not-utf8"),
    ):
        result = run_kb("--today", TODAY, "show", ref, cwd=kb_repo.path)
        assert result.exit_code == 1, result.output
        assert where in result.stderr and f"[{rule}]" in result.stderr
        assert "--raw" in result.stderr


def test_a_folder_named_people_yaml_is_said_to_be_a_folder(kb_repo: KbRepo) -> None:
    """Read as "no roster", the identity checks were skipped with a warning that sent the
    user looking for a file that is there."""
    _repo_with(kb_repo)
    (kb_repo.path / "people.yaml").mkdir()
    result = run_kb("--today", TODAY, "check", cwd=kb_repo.path)
    assert result.exit_code == 2, result.output
    assert "people.yaml: is a folder, not a file" in result.stderr
    assert "there is no people.yaml" not in result.output
