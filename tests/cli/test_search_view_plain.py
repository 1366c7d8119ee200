"""kb search's terminal view through a pipe, printed without rich, is what rich prints.

A one-shot search writing to a pipe (a script, ``| head``, an editor) prints the hits
without importing rich when nothing in them needs rich's rules (brackets, backslashes,
control characters, tabs, ``:emoji:`` codes); the bytes must be those rich would write.
"""

from __future__ import annotations

import io
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kbcli.cli.views import search as view
from kbcli.core.cards import CardMeta, Status
from kbcli.core.durations import parse_duration
from kbcli.core.people import Person, Roster
from kbcli.core.trust import Reason, Trust, TrustState
from kbcli.usecases.search import Hit

# Text a user could put in a title, a snippet or a path, biased to what rich treats specially.
TEXT = st.lists(
    st.sampled_from(
        [
            *"ab ABéß語✔-_/.:[]\\\t\r\n\x1b\x07@#=",
            *(":smile:", "[bold]", "[/]", "[Link](x)", "[a", "[user]", "\ue000"),
        ]
    ),
    max_size=12,
).map("".join)


def _hit(title: str, path: str, snippet: str, owner: str | None, state: TrustState) -> Hit:
    meta = CardMeta(
        title=title, owner=owner, status=Status.DRAFT if "-" in path else Status.PUBLISHED
    )
    reasons = (Reason("r", f"reason {title}"),) if state is TrustState.NEEDS_REVIEW else ()
    trust = Trust(state, date(2026, 1, 1), None, parse_duration("3m"), not owner, reasons)
    ranges = ((0, min(2, len(snippet))),) if snippet else ()
    return Hit(path, title, meta, trust, 1.0, 1.0, 1.0, snippet=snippet, highlights=ranges)


def _rich(hits: list[Hit], roster: Roster) -> str:
    from rich.console import Console
    from rich.markup import escape

    out = io.StringIO()
    console = Console(file=out, highlight=False, soft_wrap=False, emoji=False)  # as kb prints
    for hit in hits:
        for line in view._hit_markup(hit, roster, escape):
            console.print(line, soft_wrap=True)
    return out.getvalue()


def _plain(hits: list[Hit], roster: Roster) -> str | None:
    from kbcli.cli.output import NeedsRich, plain_lines, plain_text

    try:
        return plain_lines(line for h in hits for line in view._hit_markup(h, roster, plain_text))
    except NeedsRich:
        return None


ROSTER = Roster({"ana": Person("ana", "Ana Souza"), "bo": Person("bo", "B[o]")})
HIT_ROWS = st.lists(  # up to four hits: title, path, snippet, owner (known, odd or unknown), state
    st.tuples(
        TEXT,
        TEXT,
        TEXT,
        st.sampled_from([None, "ana", "bo", "zé"]),
        st.sampled_from(list(TrustState)),
    ),
    max_size=4,
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=HIT_ROWS)
def test_the_plain_view_is_what_rich_prints_or_rich_prints_it(
    rows: list[tuple[str, str, str, str | None, TrustState]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    hits = [_hit(*row) for row in rows]
    plain = _plain(hits, ROSTER)
    if plain is not None:
        assert plain == _rich(hits, ROSTER)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=HIT_ROWS,
    term=st.sampled_from(["xterm-256color", "xterm", "dumb"]),
)
def test_the_colour_view_in_one_print_is_what_a_print_per_line_writes(
    rows: list[tuple[str, str, str, str | None, TrustState]],
    term: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from rich.markup import escape

    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("TERM", term)
    hits = [_hit(*row) for row in rows]
    capsys.readouterr()
    view.print_lines([line for h in hits for line in view._hit_markup(h, ROSTER, escape)])
    printed = capsys.readouterr().out
    assert printed == _rich(hits, ROSTER)
    if hits and term != "dumb":
        assert "\x1b[" in printed  # coloured: a terminal's view (rich gives "dumb" none)


def test_ordinary_hits_through_a_pipe_are_printed_without_rich(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    hits = [
        _hit("Refunds", "billing/refunds.md", "Refund a duplicate charge", "ana", TrustState.DUE),
        _hit(
            "Old [Draft]",
            "a-b/old.md",
            "see [Link](https://x.org) [",
            None,
            TrustState.NEEDS_REVIEW,
        ),
    ]
    plain = _plain(hits, ROSTER)
    assert plain == _rich(hits, ROSTER)
    assert plain is not None and plain.splitlines()[0] == (
        "◷ due  Refunds  billing/refunds.md  Ana Souza (ana)  — Refund a duplicate charge"
    )
    # A terminal to rich (FORCE_COLOR) gets rich's colours, never the plain view.
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert _plain(hits, ROSTER) is None


def test_brackets_print_as_they_are_like_rich_prints_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    hits = [_hit("[bold]x [user] [Link](u) [a", "p[q].md", "[/] y]", "ana", TrustState.DUE)]
    plain = _plain(hits, ROSTER)
    assert plain is not None and plain == _rich(hits, ROSTER)
    assert "[bold]x [user] [Link](u) [a  p[q].md" in plain


def test_text_rich_would_change_is_left_to_rich(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    for title in ("a :smile: b", "tab\there", "back\\slash", "bell\x07"):
        hits = [_hit(title, "p.md", "", "ana", TrustState.VERIFIED)]
        assert _plain(hits, ROSTER) is None, title
