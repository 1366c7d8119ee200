"""A layout include with named parameters (18F: ``{% include "step-indicator.html"
steps: travel-steps.first_time_steps current_step: ... %}``, 31 pages) is the site's
layout: the handbook page showed it as "include steps: travel-steps.first_time_steps
current_step: ...". Named parameters are no words; a quoted "Note:" still is."""

from __future__ import annotations

from kbcli.core.template_tags import parse_tag
from tests.helpers import KbRepo, run_kb

INCLUDE = (
    '{% include "step-indicator.html"\nsteps: travel-steps.first_time_steps\n'
    "current_step: step_indicator.current_step\nhide_steps: step_indicator.hide_steps %}"
)


def test_named_parameters_are_not_read_as_words() -> None:
    include = parse_tag(INCLUDE)
    assert include is not None and include.reading == ""
    alert = parse_tag('{% alert "Note:" "be careful" %}')
    assert alert is not None and alert.reading == "alert Note: be careful"
    channel = parse_tag('{% slack_channel "help" level: 2 %}')
    assert channel is not None and channel.reading == "slack channel help"


def test_a_layout_include_shows_nothing_on_the_page(kb_repo: KbRepo) -> None:
    kb_repo.write("travel/concur.md", f"---\ntitle: Concur\n---\n{INCLUDE}\n\nGet a vendor ID.\n")
    kb_repo.commit("a card")
    site = kb_repo.path.parent / "site"
    built = run_kb("--kb", str(kb_repo.path), "build", "--out", str(site), "--no-search")
    assert built.exit_code == 0, built.output
    html = (site / "travel/concur.html").read_text(encoding="utf-8")
    assert "Get a vendor ID." in html
    assert "first_time_steps" not in html and "current_step" not in html
