"""A link to an anchor that a site generator's layout makes from a header key (18F's
``questions:`` becomes a "Questions" section, #questions): true on that site, broken on
kb's page. kb check says so and what to do, and still reports it and every real one."""

from __future__ import annotations

from tests.helpers import KbRepo, run_kb


def test_a_layout_anchor_is_reported_with_why_and_what_to_do(kb_repo: KbRepo) -> None:
    kb_repo.write(
        "ops.md",
        "---\ntitle: Tech operations\nquestions:\n  - tech-ops\nsupport_hours: 9-5\n---\n"
        "## Mission\n\nKeep things running.\n",
    )
    kb_repo.write(
        "onboarding.md",
        "---\ntitle: Onboarding\n---\n"
        "[Ask us](ops.md#questions), see [hours](ops.md#support-hours), "
        "[mission](ops.md#mission) and [gone](ops.md#escalation).\n",
    )
    kb_repo.commit("cards")
    result = run_kb("--kb", str(kb_repo.path), "check")
    lines = [line for line in result.stdout.splitlines() if "broken-link" in line]
    assert result.exit_code == 1, result.output
    questions = next(line for line in lines if "#questions" in line)
    assert "'questions:'" in questions and "layout" in questions
    assert "link without #questions" in questions and "'## Questions'" in questions
    hours = next(line for line in lines if "#support-hours" in line)
    assert "'support_hours:'" in hours and "'## Support hours'" in hours
    gone = next(line for line in lines if "#escalation" in line)  # a real broken anchor
    assert "no such heading" in gone and "layout" not in gone
    assert not any("#mission" in line for line in lines)
    assert len(lines) == 3
