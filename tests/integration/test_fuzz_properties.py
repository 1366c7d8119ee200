"""Property tests over hostile input (the bounded version of ``make fuzz``): generated front
matter, Slack exports and search queries never crash kb and never fail open."""

from __future__ import annotations

import json
import re
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kbcli.adapters.card_files import card_from_bytes
from kbcli.core import rules
from kbcli.core.cards import Status
from kbcli.errors import KbError
from tests.fuzz.fuzz_cards import BAD_DATES, HOSTILE, NOT_PUBLISHED
from tests.helpers import KbRepo, run_kb

SPACE = st.sampled_from([" ", "  ", "\t", " \t"])
COMMENT = st.sampled_from(["", " # ok", "\t# published", "  #x"])
DATES = st.dates(min_value=date(2000, 1, 1), max_value=date(2026, 5, 31))


@st.composite
def header(draw: st.DrawFn) -> tuple[str, bool, date | None]:
    """A header, whether its status line says published, and its real verified_at."""
    lines = [f"title: {draw(st.sampled_from(['A', 'B: c', 'é', '[x]']))}", "owner: ana"]
    published = draw(st.booleans())
    if published:
        status = draw(st.sampled_from(["published", "'published'", '"published"']))
    else:
        status = draw(st.sampled_from(NOT_PUBLISHED))
    lines.append(f"status:{draw(SPACE)}{status}{draw(COMMENT) if published else ''}")
    when: date | None = None
    if draw(st.booleans()):
        when = draw(DATES)
        lines.append(f"verified_at:{draw(SPACE)}{when.isoformat()}{draw(COMMENT)}")
    else:
        lines.append(f"verified_at: {draw(st.sampled_from(BAD_DATES))}")
    extra = draw(st.lists(st.sampled_from(HOSTILE), max_size=3))
    # "---" and "..." close the header: what follows is body, not a hostile line.
    extra = [line for line in extra if not line.startswith(("status", "verified_at", "---", "..."))]
    order = draw(st.permutations(lines[2:] + extra))
    return "\n".join(lines[:2] + list(order)), published, when


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(header(), st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_generated_front_matter_never_crashes_and_never_fails_open(
    generated: tuple[str, bool, date | None], newline: str, bom: bool
) -> None:
    text, published, when = generated
    data = (("\ufeff" if bom else "") + f"---\n{text}\n---\nbody\n").replace("\n", newline)
    card = card_from_bytes("c.md", data.encode("utf-8", "surrogatepass"), date(2026, 6, 1))
    # card-unreadable is what an exception inside the reader becomes: a bug, not input.
    assert [p for p in card.problems if p.rule == rules.CARD_UNREADABLE] == []
    if card.meta.status is Status.PUBLISHED:
        assert published, text
    got = card.meta.verified_at
    if got is not None:
        assert (got.date() if isinstance(got, datetime) else got) == when, text


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)
MESSAGE = st.fixed_dictionaries(
    {"ts": st.sampled_from(["1793749200.000100", "1.2", "x", ""])},
    optional={
        "text": st.text(max_size=40) | JSON,
        "user": st.sampled_from(["U1", "U2", "", "../x"]) | JSON,
        "thread_ts": st.sampled_from(["1793749200.000100", "1793749201.000200"]) | JSON,
        "reactions": JSON,
        "files": JSON,
        "blocks": JSON,
        "subtype": st.sampled_from(["bot_message", "channel_join"]) | JSON,
    },
)


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    users=st.lists(
        st.fixed_dictionaries(
            {"id": st.sampled_from(["U1", "U2"])},
            optional={"name": st.text(max_size=10) | JSON, "real_name": JSON, "profile": JSON},
        ),
        max_size=3,
    )
    | JSON,
    channels=st.lists(
        st.fixed_dictionaries(
            {"id": st.just("C1")},
            optional={"name": st.sampled_from(["general", "../x", "", "a/b"]) | JSON},
        ),
        max_size=2,
    )
    | JSON,
    days=st.lists(MESSAGE, max_size=6) | JSON,
)
def test_generated_slack_exports_are_read_or_refused_never_crash(
    tmp_path_factory: pytest.TempPathFactory, users: object, channels: object, days: object
) -> None:
    from kbcli.adapters.slack_export import iter_threads, open_export

    path = tmp_path_factory.mktemp("export") / "export.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("users.json", json.dumps(users))
        archive.writestr("channels.json", json.dumps(channels))
        archive.writestr("general/2026-11-01.json", json.dumps(days))
    try:
        export = open_export(path)
        for channel in export.channels:
            for _ in iter_threads(export, channel):
                pass
    except KbError as error:  # refused: one sentence that names the file
        assert str(error) and "Traceback" not in str(error)


QUERY = st.lists(
    st.sampled_from([*'abc "-:*()~^?\\!/[]{}+|&', "tag:", "is:", "owner:", "refund"]),
    max_size=12,
).map("".join) | st.text(max_size=30)


@pytest.fixture(scope="module")
def search_repo(tmp_path_factory: pytest.TempPathFactory) -> KbRepo:
    from tests.helpers import make_repo

    repo = make_repo(tmp_path_factory.mktemp("q") / "kb")
    repo.write("a.md", "---\ntitle: Refund a charge\nowner: ana\ntags: [billing]\n---\nRefund.\n")
    repo.write("b.md", "---\ntitle: SSO lockout\nowner: bob\n---\nLocked out of SAML.\n")
    repo.commit("cards")
    return repo


@pytest.mark.slow
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(QUERY)
def test_generated_queries_answer_or_refuse_never_crash(search_repo: KbRepo, query: str) -> None:
    result = run_kb("search", "--json", "--", query, cwd=search_repo.path)
    assert result.exit_code in (0, 1, 2), (query, result.output)
    assert "Traceback" not in result.output
    if result.exit_code == 0:
        json.loads(result.stdout)
    if result.exit_code == 2:
        assert re.search(r"kb: error: .+", result.stderr), result.stderr


def test_a_slack_message_whose_subtype_is_a_list_is_skipped(tmp_path: Path) -> None:
    """Found by the property test above: an unhashable subtype raised TypeError (exit 3)."""
    from kbcli.adapters.slack_export import iter_threads, open_export

    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("users.json", "[]")
        archive.writestr("channels.json", '[{"id": "C1", "name": "general"}]')
        day = [
            {"ts": "1793749200.000100", "user": "U1", "text": "odd", "subtype": []},
            {"ts": "1793749201.000100", "user": "U1", "text": "plain question?"},
        ]
        archive.writestr("general/2026-11-01.json", json.dumps(day))
    export = open_export(path)
    threads = [t for c in export.channels for t in iter_threads(export, c)]
    assert [m.text for t in threads for m in t.messages] == ["plain question?"]
