"""kb report --format markdown fits an owner's digest in a GitHub issue body.

The nightly workflow posts each owner's digest as an issue (gh issue edit --body-file);
GitHub refuses a body over 65,536 characters, which failed the job for a tldr-pages
owner of 4,727 cards (a 369,514-character digest) and every owner after them.
"""

from __future__ import annotations

import json

from tests.helpers import KbRepo, run_kb

GITHUB_BODY_LIMIT = 65_536


def test_a_big_owners_digest_fits_an_issue_and_says_what_it_left_out(kb_repo: KbRepo) -> None:
    kb_repo.write("people.yaml", "ana:\n  name: Ana Souza\n  emails: [ana@example.test]\n")
    long = "a long title about the many ways a command line tool can be used " * 2
    for n in range(400):
        verified = "2026-06-01" if n < 50 else "2026-09-20"  # 50 expired, 350 due
        head = f"title: {long}{n:03}\nowner: ana\nverified_at: {verified}\n"
        kb_repo.write(f"pages/card-{n:03}.md", f"---\n{head}---\nBody {n}.\n")
    kb_repo.commit("cards\n\nKb-Import: guru", when="2026-10-01T10:00:00Z")  # dates kept
    base = ("--kb", str(kb_repo.path), "--today", "2026-12-10", "report")
    digest = run_kb(*base, "--format", "markdown", "--owner", "ana")
    assert digest.exit_code == 0, digest.output
    assert len(digest.stdout) < GITHUB_BODY_LIMIT
    listed = [line for line in digest.stdout.splitlines() if line.startswith("- [ ] ")]
    # The most urgent come first and stay: every expired card is listed.
    assert all("expired" in line for line in listed[:50])
    (more,) = [line for line in digest.stdout.splitlines() if line.startswith("- …and ")]
    assert (
        more
        == f"- …and {400 - len(listed)} more card(s): `kb report --owner ana --json` lists them all"
    )
    everything = json.loads(run_kb(*base, "--json", "--owner", "ana").stdout)
    assert len(everything["owners"][0]["to_verify"]) == 400
