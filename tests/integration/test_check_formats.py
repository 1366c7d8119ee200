"""Every kb check format against its consumer's schema or documented shape."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import xmlschema

from tests.cli.test_check_cli import PEOPLE, TODAY, card
from tests.helpers import KbRepo, make_repo, run_kb

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """One repo with errors, warnings, odd characters and a golden query; every format."""
    repo: KbRepo = make_repo(tmp_path_factory.mktemp("formats") / "kb", people=PEOPLE)
    repo.write("billing/ok.md", card("Fine card"))
    repo.write(
        "billing/old.md", card('Old, 100% stale: <really> & "quoted"', verified="2026-01-01")
    )
    repo.write("billing/due.md", card("Due soon", verified="2026-08-30"))
    repo.write(
        "a dir/with, space.md",
        card("Spaced", body="[x](missing%20file.md) [[100% sure, really: yes]]\n"),
    )
    repo.write("billing/bad.md", "---\ntitle: [unclosed\n---\n# Bad \x01 control\n")
    repo.commit("cards", when="2026-11-01T10:00:00Z", email="ana@example.test")
    results = {}
    for name in ("json", "github", "junit", "sarif", "gitlab", "text"):
        result = run_kb("--today", TODAY, "check", "--format", name, cwd=repo.path)
        assert result.exit_code == 1, result.output
        results[name] = result.stdout
    return results


def test_json_validates_against_its_schema_and_names_each_card_once(outputs: dict[str, str]):
    schema = json.loads((SCHEMAS / "kb-check.schema.json").read_text())
    data = json.loads(outputs["json"])
    jsonschema.Draft202012Validator(schema).validate(data)
    assert data["version"] == 2 and data["exit_code"] == 1
    assert data["summary"]["cards"] == 5
    assert data["summary"]["errors"] == sum(f["severity"] == "error" for f in data["findings"])
    assert set(data["cards"]) == {f["path"] for f in data["findings"]}
    assert data["cards"]["billing/old.md"]["title"] == 'Old, 100% stale: <really> & "quoted"'
    assert outputs["json"].count("100% stale: <really>") == 1  # not once per finding
    for finding in data["findings"]:
        assert finding["severity"] in ("error", "warning") and finding["line"] >= 1


def test_the_readme_documents_the_json_shape_the_schema_requires():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    row = next(line for line in readme.splitlines() if line.startswith("| `json` |"))
    schema = json.loads((SCHEMAS / "kb-check.schema.json").read_text())
    for key in schema["required"]:
        assert re.search(rf"\b{key}\b", row), key
    for key in schema["properties"]["findings"]["items"]["required"]:
        assert re.search(rf"\b{key}\b", row), key
    assert "version 2" in row


def test_junit_validates_against_the_junit_schema(outputs: dict[str, str]):
    schema = xmlschema.XMLSchema(str(SCHEMAS / "junit-10.xsd"))
    schema.validate(outputs["junit"])
    tree = schema.to_dict(outputs["junit"])
    suite = tree["testsuite"][0]
    cases = suite["testcase"]
    # One case per clean card plus one per (card, rule) that fired.
    findings = json.loads(outputs["json"])["findings"]
    pairs = {(f["path"], f["rule"]) for f in findings}
    clean = 5 - len({f["path"] for f in findings})
    assert len(cases) == int(suite["@tests"]) == len(pairs) + clean
    failed = [c for c in cases if "failure" in c]
    error_pairs = {(f["path"], f["rule"]) for f in findings if f["severity"] == "error"}
    assert int(suite["@failures"]) == len(failed) == len(error_pairs)
    assert {(c["@classname"], c["@name"]) for c in failed} == error_pairs


def test_sarif_validates_against_the_sarif_2_1_0_schema(outputs: dict[str, str]):
    schema = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text())
    data = json.loads(outputs["sarif"])
    jsonschema.Draft4Validator(
        schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    ).validate(data)
    run = data["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]
    }
    assert "a%20dir/with%2C%20space.md" in uris


def test_gitlab_code_quality_shape(outputs: dict[str, str]):
    issues = json.loads(outputs["gitlab"])
    findings = json.loads(outputs["json"])["findings"]
    assert len(issues) == len(findings)
    for issue in issues:
        assert isinstance(issue["description"], str) and issue["description"]
        assert isinstance(issue["check_name"], str)
        assert re.fullmatch(r"[0-9a-f]{32}", issue["fingerprint"])
        assert issue["severity"] in ("info", "minor", "major", "critical", "blocker")
        assert isinstance(issue["location"]["path"], str)
        assert isinstance(issue["location"]["lines"]["begin"], int)
    assert len({i["fingerprint"] for i in issues}) == len(issues)


def _unescape(text: str) -> str:
    return (
        text.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":").replace("%2C", ",")
    ).replace("%25", "%")


def test_github_annotations_escape_as_the_runner_expects(outputs: dict[str, str]):
    pattern = re.compile(r"^::(error|warning) (file=[^,]*,line=\d+,col=\d+,title=[^:]*)::(.*)$")
    findings = json.loads(outputs["json"])["findings"]
    commands = [line for line in outputs["github"].splitlines() if line.startswith("::")]
    assert len(commands) == len(findings)
    for line, finding in zip(commands, findings, strict=True):
        match = pattern.match(line)
        assert match, line
        assert match.group(1) == finding["severity"]
        props = dict(p.split("=", 1) for p in match.group(2).split(","))
        assert _unescape(props["file"]) == finding["path"]
        assert int(props["line"]) == finding["line"]
        assert _unescape(match.group(3)) == finding["message"]
        assert "\n" not in match.group(3) and "%" not in match.group(3).replace("%25", "").replace(
            "%0A", ""
        ).replace("%0D", "")
    assert "file=a dir/with%2C space.md," in outputs["github"]
    assert "[[100%25 sure, really: yes]]" in outputs["github"]
    assert outputs["github"].splitlines()[-1].startswith("✖ kb check:")


def test_text_lists_every_finding_under_its_card(outputs: dict[str, str]):
    text = outputs["text"]
    for finding in json.loads(outputs["json"])["findings"]:
        assert finding["message"] in text
    assert "billing/ok.md" not in text
