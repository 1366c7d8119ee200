"""``kb report --json`` and ``kb check --format json`` write their findings a few thousand
at a time (the findings of 100,000 cards never sit in memory as one text): the bytes are
the ones the whole document written at once gave, across batch boundaries and when empty."""

from __future__ import annotations

import json
import random

import pytest

from kbcli.cli.formats.json import as_data, pieces, render
from kbcli.cli.output import print_json
from kbcli.core.findings import Finding
from kbcli.core.gate import CheckResult, GoldenOutcome
from kbcli.core.rules import Severity

TEXTS = ["plain", 'quote " and \\ back', "line\nbreak\ttab", "ünïcödé ✔ \u2028 \x01", ""]


def findings(count: int, seed: int = 1) -> list[Finding]:
    rng = random.Random(seed)
    rules = ["broken-link", "expired", "no-owner", "not-a-rule"]
    return [
        Finding(
            rng.choice(rules),
            rng.choice([Severity.ERROR, Severity.WARNING]),
            f"folder {i % 97}/card-{i // 3}.md",
            rng.randint(1, 400),
            rng.choice(TEXTS) + f" {i}",
            rng.randint(1, 9),
            rng.choice(TEXTS),
        )
        for i in range(count)
    ]


def whole_report(rows: list[dict[str, object]]) -> dict[str, object]:
    return {"today": "2026-11-22", "cards": 3, "findings": rows, "skipped": ["x"], "trend": []}


@pytest.mark.parametrize("count", [0, 1, 4096, 4097, 9000])
def test_report_rows_written_in_batches_are_the_whole_documents_bytes(count, capsys):
    rows = [
        {"rule": f.rule, "severity": f.severity.value, "path": f.path, "message": f.message}
        for f in findings(count)
    ]
    print_json(whole_report(rows))
    whole = capsys.readouterr().out
    print_json(whole_report([]), rows=("findings", iter(rows)))
    streamed = capsys.readouterr().out
    assert streamed == whole
    assert json.loads(streamed)["findings"] == rows


def test_a_row_orjson_cannot_encode_still_reads_back(capsys):
    rows = [{"n": 10**30}, {"n": 1}]
    print_json(whole_report([]), rows=("findings", iter(rows)))
    assert json.loads(capsys.readouterr().out) == whole_report(rows)


def test_rows_for_a_key_that_is_not_an_empty_list_is_a_bug_not_wrong_output(capsys):
    with pytest.raises(ValueError):
        print_json({"findings": [1]}, rows=("findings", iter([])))


def plain_render(result: CheckResult) -> str:
    """kb check's json text as the whole document was made before it was written in pieces."""
    data = as_data(result)
    found, golden, cards = data.pop("findings"), data.pop("golden"), data.pop("cards")
    encode = json.JSONEncoder(ensure_ascii=False).encode
    parts = [json.dumps(data, ensure_ascii=False, indent=2)[:-2] + ","]
    for key, items in (("findings", found), ("golden", golden)):
        rows = ",\n".join("    " + encode(item) for item in items)
        parts.append(f'  "{key}": [\n{rows}\n  ]' if rows else f'  "{key}": []')
    rows = ",\n".join(f"    {encode(path)}: {encode(c)}" for path, c in cards.items())
    parts.append(f'  "cards": {{\n{rows}\n  }}' if rows else '  "cards": {}')
    return parts[0] + "\n" + ",\n".join(parts[1:]) + "\n}\n"


@pytest.mark.parametrize("count", [0, 3, 4096, 9000])
def test_check_json_in_pieces_is_the_whole_documents_text(count):
    golden = (GoldenOutcome("refund", "billing/refunds.md", 3, None, False, "not found ✔"),)
    for outcomes in ((), golden):
        result = CheckResult(tuple(findings(count, seed=count)), ("a.md", "b.md"), golden=outcomes)
        text = "".join(pieces(result))
        assert text == plain_render(result) == render(result)
        assert json.loads(text) == as_data(result)


def test_check_counts_agree_with_the_findings_and_grouping_is_not_shared():
    result = CheckResult(tuple(findings(500)), ("a.md",))
    grouped = result.by_card()
    assert result.cards_with_findings == len(grouped) == len({f.path for f in result.findings})
    assert result.exit_code == (1 if result.errors else 0)
    grouped[next(iter(grouped))].clear()  # a caller's changes stay its own
    assert all(result.by_card().values())


def test_a_kb_process_that_ends_at_once_still_writes_all_its_output(tmp_path):
    """kb report and kb check end their process without freeing every card one by one
    (``gc_pause.end``): the output is still all there, the exit code still the check's."""
    import subprocess
    import sys

    from tests.cli.test_check_cli import PEOPLE, TODAY, card
    from tests.helpers import make_repo, run_kb

    repo = make_repo(tmp_path / "kb", people=PEOPLE)
    for i in range(30):
        repo.write(f"billing/c{i}.md", card(f"Card {i}", verified="2026-01-01" if i % 2 else None))
    repo.commit("cards", when="2026-11-01T10:00:00Z", email="ana@example.test")
    kb = [sys.executable, "-m", "kbcli", "--today", TODAY]
    for args, code in ((["report", "--json"], 0), (["check", "--format", "json"], 1)):
        done = subprocess.run([*kb, *args], cwd=repo.path, capture_output=True, check=False)
        assert done.returncode == code, done.stderr
        in_process = run_kb("--today", TODAY, *args, cwd=repo.path)
        got, expected = json.loads(done.stdout), json.loads(in_process.stdout)
        got.pop("seconds", None), expected.pop("seconds", None)
        assert got == expected and len(got["findings"]) >= 30
    with (tmp_path / "out.txt").open("wb") as out:
        code = subprocess.run([*kb, "check"], cwd=repo.path, stdout=out, check=False).returncode
    assert code == 1 and (tmp_path / "out.txt").read_text().count("billing/c") >= 30
