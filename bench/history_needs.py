"""What the rules need from each card version: counts from one cold history pass.

The issue asks for a history pass that reads a version's front matter "only where
the rules need it". This script counts, on one repository, what every change of every
card (deleted cards included) turned out to be once both versions were read, and so
which reads a design could have skipped without changing a finding:

- the walk: commits, card entries (added, modified, renamed, deleted) and the distinct
  blob ids they name; entries whose new version was already read (same blob id: no
  read, which the pass already does) and versions the index still lists (read from the
  work tree, not through cat-file);
- the changes: created, deleted, body edited, front-matter keys changed, front matter
  only, a tracked key changed (``core.history.TRACKED``: what stamps, owners, the trend
  and the health view read), a stamp without an edit (what ``bulk_runs`` looks for);
- the versions a "last N versions" design would not read, and how many stamps without
  an edit and tracked-key changes sit among them (what findings would lose).

A version's facts are only known once it is read: a change that left the tracked keys
alone cannot be told from one that changed them from the blob ids alone. The counts say
how much a design could skip if it knew; ``history_designs.py`` times what knowing
costs (pickaxe, patches).

Example: python bench/history_needs.py REPO
"""

from __future__ import annotations

import gc
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def walk_counts(repo: Path) -> Counter[str]:
    """Card entries of kb's walk and the blob ids they name (``*.md`` anywhere)."""
    log = subprocess.run(
        ["git", "log", "--reverse", "-M", "--raw", "--no-abbrev", "-z", "--format=%x1e"],
        cwd=repo,
        capture_output=True,
        check=True,
    ).stdout
    tips = subprocess.run(
        ["git", "ls-files", "-s", "-z", "--", "*.md"], cwd=repo, capture_output=True, check=True
    ).stdout
    listed = {entry.split(b" ")[1] for entry in tips.split(b"\0") if entry.count(b" ") >= 2}
    counts: Counter[str] = Counter()
    seen: set[bytes] = set()
    for record in log.split(b"\x1e")[1:]:
        counts["commits"] += 1
        tokens = record.split(b"\0")
        index = 0
        while index < len(tokens):
            token = tokens[index].lstrip(b"\n")
            index += 1
            if token[:1] != b":":
                continue
            _, _, old, new, status = token.split(b" ", 4)
            paths = tokens[index : index + (2 if status[:1] in b"RC" else 1)]
            index += len(paths)
            if not any(path.endswith(b".md") for path in paths):
                continue
            counts[f"entries {status[:1].decode()}"] += 1
            for blob in (old, new) if status[:1] in b"MRT" else (new,):
                if not blob.strip(b"0"):
                    continue
                if blob in seen:
                    counts["blob named again (no read)"] += 1
                else:
                    seen.add(blob)
                    key = "from the work tree" if blob in listed else "through cat-file"
                    counts[f"distinct blobs, {key}"] += 1
    return counts


def change_counts(repo: Path, last: tuple[int, ...]) -> Counter[str]:
    from kbcli.adapters.git_history import load_history

    with tempfile.TemporaryDirectory() as cache:
        history = load_history(repo, Path(cache), allow_shallow=True)
    assert history is not None
    counts: Counter[str] = Counter()
    for card in (*history.cards.values(), *history.deleted):
        changes = card.changes
        counts["cards (live and deleted)"] += 1
        counts[f"cards with {min(len(changes), 9)}{'+' if len(changes) >= 9 else ''} changes"] += 1
        for position, change in enumerate(changes):
            counts["changes"] += 1
            kind = (
                "created"
                if change.created
                else "deleted"
                if change.deleted
                else "body and keys"
                if change.body_changed and change.keys
                else "body only"
                if change.body_changed
                else "front matter only"
                if change.keys
                else "neither (rename or mode)"
            )
            counts[f"  {kind}"] += 1
            if change.values and not change.created and not change.deleted:
                counts["  a tracked key changed"] += 1
            if change.is_stamp_only:
                counts["  stamp without an edit"] += 1
            for keep in last:
                if position < len(changes) - keep:
                    counts[f"older than the last {keep}: changes"] += 1
                    counts[f"older than the last {keep}: stamps without an edit"] += (
                        change.is_stamp_only
                    )
                    counts[f"older than the last {keep}: tracked key changed"] += bool(
                        change.values
                    )
    return counts


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    gc.disable()
    repo = Path(sys.argv[1])
    for name, value in sorted(walk_counts(repo).items()):
        print(f"{name:55s} {value:9d}")
    for name, value in sorted(change_counts(repo, (1, 3)).items()):
        print(f"{name:55s} {value:9d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
