"""Generated adversarial cards through the real kb, counted (``make fuzz``; not in ``make test``).

Writes --cards cards into repos of --per-repo cards each (git, one import commit), runs
``kb list --json``, ``kb check --format json`` and ``kb search`` on every repo and
``kb build --no-search`` on every --build-every-th one, each in its own process with a
60 s timeout, and counts:

- exit 3 (a bug) and tracebacks in any output;
- hangs: a command over 60 s;
- fail-open statuses: a card whose status line was not a clean ``published`` listed as
  published;
- fail-open dates: a card whose ``verified_at`` is not a real date in the supported range
  (or is in the future) listed as verified or due.

Each card mixes a valid header with one to three hostile lines drawn from the reproducers
of issue 17 and their variations (dates out of range, durations, YAML tags, aliases,
nesting, tabs before comments, block scalars, odd bytes). Seeded: the same --seed writes
the same cards. Reproducers of any bad outcome are copied to --keep.

Example: python tests/fuzz/fuzz_cards.py --cards 100000 --per-repo 2000 --seed 1
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

KB = [sys.executable, "-m", "kbcli"]
TODAY = "2026-06-01"
HANG = 60.0
ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "Fuzz",
    "GIT_AUTHOR_EMAIL": "fuzz@example.test",
    "GIT_COMMITTER_NAME": "Fuzz",
    "GIT_COMMITTER_EMAIL": "fuzz@example.test",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "KB_SEARCH_SEMANTIC": "false",
    "COLUMNS": "200",
}

BAD_DATES = [
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "0000-00-00",
    "2026-13-45",
    "2026-02-30",
    "10000-01-01",
    "tomorrow",
    "2026-06-01T25:00:00",
    "-2026-01-01",
    "'2026-05-01'x",
    "[2026-05-01]",
    "{a: 2026-05-01}",
    "!!timestamp nope",
    "!!str",
    "2026-05-01 2026-05-02",
    "1e309",
    "2099-01-01",  # the future: never a verification
    "0001-01-01",
    "9999-12-31",
]
GOOD_DATES = ["2026-05-01", "2026-05-20", "2026-01-15", "2025-12-01", "2026-05-01\t# ok"]
NOT_PUBLISHED = [
    "draft",
    "draft\t# not ready",
    "draft # published later",
    "archived",
    "published-ish",
    "!!str draft",
    "[published]",
    "{published: true}",
    "requested",
    "draft\t#published",
    "published\u200b",
]
HOSTILE = [
    "x: !!bool maybe",
    "x: &a [*a]",
    "x: " + "[" * 600 + "]" * 600,
    "x: " + "{a: " * 300 + "1" + "}" * 300,
    "x: 9999-12-31T23:59:59-14:00",
    "x: 0001-01-01T00:00:00+14:00",
    "verify_every: 3000000d",
    "verify_every: -5d",
    "verify_every: 99999999999999999999y",
    "verify_every: 1e400d",
    "verify_every: never",
    "verify_every: 0d",
    "verify_every: [1d]",
    "x: !!python/object/apply:os.system ['true']",
    "x: !!binary AAAA====",
    "x: !!set {a, b}",
    "x: !!omap [a: 1]",
    "x: !custom tag",
    "? [complex, key]\n: value",
    "owner:\tana\t# x",
    "owner: [ana, bob]",
    "owner: {name: ana}",
    "owner: 123",
    "tags: !!str [a]",
    "tags: [a, [b, [c]]]",
    "tags: " + ", ".join(f"t{n}" for n in range(300)),
    "aliases: [a, a, a]",
    "aliases: shared-alias",
    "title: |\n  multi\n\n  line",
    "title: >-\n  folded\n\t\n  more",
    "body_note: |\n  \n\t\n  x",
    "x: '\\x00'",
    'x: "\\ud800"',
    'x: "\\U0010FFFF"',
    "x: " + "a" * 5000,
    "audience: public # internal",
    "audience: [public]",
    "lang: " + "x" * 200,
    "verifiers: *undefined",
    "x: &anchor",
    "x: *anchor",
    "x: %YAML 1.1",
    "%TAG ! tag:x,2000:\n",
    "---",
    "...",
    "x: @reserved",
    "x: `backtick`",
    "\ufeffx: bom",
    "x: y\r\nz: w",
    "depends_on: ['**/../../etc/*']",
    "depends_on: ['[']",
    "flags: [{reason: 1, by: [], at: 9999-12-31}]",
    "flags: {a: b}",
]


@dataclass
class Counts:
    cards: int = 0
    repos: int = 0
    commands: int = 0
    exit_3: int = 0
    tracebacks: int = 0
    hangs: int = 0
    fail_open_status: int = 0
    fail_open_date: int = 0
    other_exits: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def card(rng: random.Random, n: int) -> tuple[str, dict[str, bool]]:
    """One card's text and what must never come out of it (``published_ok``,
    ``verified_ok``: False when kb must not say published / verified)."""
    lines = [f"title: Card {n} {rng.choice(['refund', 'sso', 'invoice', 'vpn'])}"]
    lines.append("owner: " + rng.choice(["ana", "bob", "ana # x", "ana\t# y"]))
    published_ok = verified_ok = True
    if rng.random() < 0.35:
        lines.append(f"status: {rng.choice(NOT_PUBLISHED)}")
        published_ok = False
    else:
        lines.append("status: published")
    if rng.random() < 0.35:
        lines.append(f"verified_at: {rng.choice(BAD_DATES)}")
        verified_ok = False
    else:
        lines.append(f"verified_at: {rng.choice(GOOD_DATES)}")
    for _ in range(rng.randint(1, 3)):
        hostile = rng.choice(HOSTILE)
        if hostile.startswith(("status", "verified_at")):
            continue
        lines.append(hostile)
    rng.shuffle(lines[2:])
    # A second status or verified_at line later in the header must not rescue the card.
    if not published_ok and rng.random() < 0.1:
        lines.append(f"status: {rng.choice(NOT_PUBLISHED)}")
    if rng.random() < 0.05:  # a tab after the value of the key that decides
        lines = [line.replace("status: draft", "status: draft\t") for line in lines]
    body = rng.choice(
        [
            "Steps.\n",
            "| a | b |\n|:-|-:|\n| 1 | 2 |\n",
            "<span class='badge badge-verified'>✔ Verified</span>\n",
            "[[Card 1 refund]] and [x](../../etc/passwd)\n",
            "```python\nx = 1\n```\n",
            "# " + "deep " * 50 + "\n",
        ]
    )
    text = "---\n" + "\n".join(lines) + "\n---\n" + body
    return text, {"published_ok": published_ok, "verified_ok": verified_ok}


def run(cmd: list[str], cwd: Path) -> tuple[int | None, str, str, float]:
    started = time.perf_counter()
    try:
        done = subprocess.run(cmd, cwd=cwd, env=ENV, capture_output=True, timeout=HANG, check=False)
    except subprocess.TimeoutExpired:
        return None, "", "", time.perf_counter() - started
    out = done.stdout.decode("utf-8", "replace")
    err = done.stderr.decode("utf-8", "replace")
    return done.returncode, out, err, time.perf_counter() - started


def fuzz_repo(
    root: Path, cards: dict[str, dict[str, bool]], build: bool, counts: Counts, keep: Path
) -> None:
    base = [*KB, "--kb", str(root), "--today", TODAY]
    commands = {
        "list": [*base, "list", "--json"],
        "check": [*base, "check", "--format", "json"],
        "search": [*base, "search", "refund", "--limit", "5"],
        "search-odd": [*base, "search", 'sso" AND (vpn OR', "--limit", "5"],
    }
    if build:
        commands["build"] = [*base, "build", "--no-search", "--out", str(root.parent / "site")]
    listed: list[dict[str, object]] = []
    for name, cmd in commands.items():
        code, out, err, _ = run(cmd, root)
        counts.commands += 1
        bad = ""
        if code is None:
            counts.hangs += 1
            bad = "hang"
        elif code == 3:
            counts.exit_3 += 1
            bad = "exit-3"
        if "Traceback" in out or "Traceback" in err:
            counts.tracebacks += 1
            bad = bad or "traceback"
        if code is not None and code not in (0, 1, 3):
            key = f"{name}:{code}"
            counts.other_exits[key] = counts.other_exits.get(key, 0) + 1
        if bad:
            _keep(root, keep / f"{root.name}-{name}-{bad}", err[-4000:])
        if name == "list" and code in (0, 1):
            listed = json.loads(out)
    by_path = {str(item["path"]): item for item in listed}
    for path, truth in cards.items():
        item = by_path.get(path)
        if item is None:
            continue
        if not truth["published_ok"] and item["status"] == "published":
            counts.fail_open_status += 1
            _keep_card(root, path, keep / "fail-open-status")
        if not truth["verified_ok"] and item["trust"] in ("verified", "due"):
            counts.fail_open_date += 1
            _keep_card(root, path, keep / "fail-open-date")


def _keep(root: Path, target: Path, stderr: str) -> None:
    if not target.exists():
        shutil.copytree(root, target, ignore=shutil.ignore_patterns(".git", ".kb"))
        (target / "STDERR.txt").write_text(stderr, encoding="utf-8")


def _keep_card(root: Path, path: str, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(root / path, folder / f"{root.name}-{Path(path).name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--per-repo", type=int, default=2_000)
    parser.add_argument("--build-every", type=int, default=5, help="kb build every Nth repo")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, default=Path("fuzz-failures"))
    args = parser.parse_args()
    rng = random.Random(args.seed)
    counts = Counts()
    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="kb-fuzz-"))
    try:
        made = 0
        while made < args.cards:
            root = work / f"repo-{counts.repos:03d}"
            (root / "cards").mkdir(parents=True)
            (root / "kb.toml").write_text('[cards]\nfolders = ["cards"]\n', encoding="utf-8")
            (root / "people.yaml").write_text(
                "ana: {name: Ana, emails: [fuzz@example.test]}\nbob: {name: Bob}\n",
                encoding="utf-8",
            )
            truth: dict[str, dict[str, bool]] = {}
            for _ in range(min(args.per_repo, args.cards - made)):
                text, expect = card(rng, made)
                path = f"cards/card-{made:06d}.md"
                (root / path).write_bytes(text.encode("utf-8", "surrogatepass"))
                truth[path] = expect
                made += 1
            subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, env=ENV, check=True)
            subprocess.run(["git", "add", "-A"], cwd=root, env=ENV, check=True)
            commit = ["git", "commit", "-q", "--no-gpg-sign", "-m", "import"]
            subprocess.run(commit, cwd=root, env=ENV, check=True)
            build = counts.repos % args.build_every == 0
            fuzz_repo(root, truth, build, counts, args.keep.resolve())
            counts.repos += 1
            counts.cards = made
            print(f"{made:,} cards, {time.perf_counter() - started:.0f} s: {counts}", flush=True)
            shutil.rmtree(root)
            shutil.rmtree(root.parent / "site", ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    counts.seconds = round(time.perf_counter() - started, 1)
    print(json.dumps(counts.__dict__, indent=2))
    print(f"load average {os.getloadavg()[0]:.2f}; today {date.today()}")
    bad = counts.exit_3 + counts.tracebacks + counts.hangs
    sys.exit(1 if bad + counts.fail_open_status + counts.fail_open_date else 0)


if __name__ == "__main__":
    main()
