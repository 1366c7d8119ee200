"""Templates are sandboxed: a knowledge repo's templates come from anyone who can open a
pull request, so neither a handbook template (kb build) nor a card template (kb new) may
reach Python internals. Real repo, real Jinja, the real kb entry point."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import KbRepo, run_kb

PWNED = "pwned-by-template"
ESCAPES = {
    "globals": "{{ cycler.__init__.__globals__.os.system('touch " + PWNED + "') }}",
    "mro": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "format": "{{ '{0.__class__.__init__.__globals__}'.format(title) }}",
    # memo() calls from Python: it must refuse anything but a template's own macro.
    # A card's fields are read straight from its dict; its class is still the sandbox's.
    "card-class": "{{ card.__class__.__mro__[1].__subclasses__() }}",
    "memo": "{{ memo('{0.__class__.__init__.__globals__}'.format, title) }}",
}


@pytest.mark.parametrize("payload", ESCAPES.values(), ids=ESCAPES.keys())
def test_a_handbook_template_cannot_reach_python(
    kb_repo: KbRepo, tmp_path: Path, payload: str
) -> None:
    kb_repo.write("a.md", "---\ntitle: A\nowner: ana\n---\nbody\n")
    kb_repo.write(
        "templates/handbook/card.html",
        '{% extends "default:card.html" %}{% block footer %}' + payload + "{% endblock %}",
    )
    kb_repo.commit("cards")
    out = tmp_path / "site"
    result = run_kb("build", "--out", str(out), "--no-search", cwd=kb_repo.path)
    assert result.exit_code == 2, result.output
    assert "sandboxed" in result.stderr and "Traceback" not in result.output
    assert not (kb_repo.path / PWNED).exists() and not Path(PWNED).exists()
    assert "subclasses" not in result.stdout and "<class" not in result.output


def test_a_card_template_cannot_reach_python(kb_repo: KbRepo) -> None:
    kb_repo.write("templates/evil.md", "---\ntitle: {{ title }}\n---\n" + ESCAPES["globals"])
    result = run_kb("new", "--no-edit", "-t", "X", "-T", "evil", cwd=kb_repo.path)
    assert result.exit_code == 2, result.output
    assert "sandboxed" in result.stderr and "Traceback" not in result.output
    assert not (kb_repo.path / PWNED).exists() and not list(kb_repo.path.glob("x*.md"))
    plain = run_kb("new", "--no-edit", "-t", "Plain", cwd=kb_repo.path)
    assert plain.exit_code == 0, plain.output
