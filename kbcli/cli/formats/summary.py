"""The markdown summary appended to ``$GITHUB_STEP_SUMMARY`` (the job's summary page)."""

from __future__ import annotations

from kbcli.core.gate import CheckResult

MAX_ROWS = 100


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("\r", " ")


def render(result: CheckResult) -> str:
    mark = "❌" if result.exit_code else "✅"
    out = [f"### {mark} kb check: {_cell(result.summary())}", "", f"Scope: {_cell(result.scope)}"]
    if result.strict:
        out[-1] += " (strict: warnings count as errors)"
    out.append("")
    counts = result.rule_counts()
    if counts:
        out += ["| rule | severity | findings |", "|---|---|---:|"]
        out += [f"| `{rule}` | {level.value} | {n} |" for rule, level, n in counts]
        out.append("")
        rows = [
            f"| `{_cell(result.display_path(f.path))}:{f.line}` | {f.severity.value} | "
            f"`{f.rule}` | {_cell(f.message)} |"
            for f in sorted(result.findings, key=lambda f: (f.severity.value, f.path, f.line))
        ]
        out += ["<details><summary>Findings</summary>", ""]
        out += ["| card | severity | rule | message |", "|---|---|---|---|"]
        out += rows[:MAX_ROWS]
        if len(rows) > MAX_ROWS:
            out += ["", f"… and {len(rows) - MAX_ROWS} more (run `kb check` locally for all)"]
        out += ["", "</details>", ""]
    if result.golden:
        out += ["| golden query | expected | result |", "|---|---|---|"]
        for g in result.golden:
            verdict = "pass" if g.passed else f"**fail**: {_cell(g.message)}"
            out.append(f"| {_cell(g.query)} | `{_cell(g.expect)}` | {verdict} |")
        out.append("")
    return "\n".join(out) + "\n"
