"""The bundled example-kb is the demo and the README's first command: keep it clean and varied."""

from __future__ import annotations

from collections import Counter
from datetime import date

from kbcli.adapters.card_files import CardFiles
from kbcli.config import load_config
from kbcli.core.catalog import Catalog
from tests.helpers import EXAMPLE_KB

TODAY = date(2026, 11, 22)


def test_example_kb_is_clean_and_shows_every_trust_state():
    config = load_config(EXAMPLE_KB, env={})
    assert config.warnings == ()
    catalog = Catalog(CardFiles(config).load_all(TODAY))
    assert len(catalog) >= 40
    assert catalog.problems() == []
    assessed = catalog.assess(config.trust_policy, TODAY)
    states = Counter(a.trust.state.value for a in assessed)
    assert set(states) == {"verified", "due", "expired", "unverified"}
    assert sum(a.trust.no_owner for a in assessed) >= 3
    folders = {c.path.split("/")[0] for c in catalog}
    assert len(folders) >= 5
    langs = Counter(c.meta.lang for c in catalog)
    assert langs["ru"] + langs["uk"] + langs["he"] >= 4
    statuses = Counter(c.meta.status.value for c in catalog)
    assert statuses["draft"] >= 2
    assert sum(c.meta.audience.value == "public" for c in catalog) >= 3
    owners = {c.meta.owner for c in catalog if c.meta.owner}
    assert owners - set(config.roster.people) - set(config.roster.teams)  # an unknown owner


def test_make_demo_runs_on_its_own_history_with_a_realistic_mix(tmp_path):
    """`make demo` (the README's first command) must not show the demo cards as doubted
    because kb's own developers edited them: it runs on a copy with its own history,
    where one card needs review for a reason a reader can see, and the rest are judged
    on their dates."""
    import json
    import subprocess

    from tests.helpers import run_kb

    root = EXAMPLE_KB.parent
    done = subprocess.run(
        ["make", "-s", "-C", str(root), "demo-repo", f"DEMO={tmp_path}"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    demo = tmp_path / "example-kb"
    listed = run_kb("--kb", str(demo), "--today", "2026-11-22", "list", "--json")
    assert listed.exit_code == 0, listed.output
    cards = json.loads(listed.stdout)
    cards = cards if isinstance(cards, list) else cards["cards"]
    states = Counter(c["trust"] for c in cards)
    assert {"verified", "due", "expired", "unverified", "needs-review"} <= set(states)
    doubted = {c["path"]: c["reasons"] for c in cards if c["trust"] == "needs-review"}
    assert {path: [r["rule"] for r in reasons] for path, reasons in doubted.items()} == {
        "policies/escalation-policy.md": ["edited-since-verified"],
        # its owner left (people.yaml): nobody keeps it current until it is reassigned
        "runbooks/degraded-email-delivery.md": ["owner-left"],
    }
    assert states["verified"] > states["needs-review"]
    found = run_kb("--kb", str(demo), "--today", "2026-11-22", "search", "--json", "refund")
    first = json.loads(found.stdout)[0]
    assert first["trust"] == "verified", first


def test_make_demo_runs_the_gate_and_the_report_as_a_team_would(tmp_path):
    """The demo is where a team copies its first commands from: it passed --allow-shallow to
    kb check and kb report on its own full history, a flag that in CI lets a shallow
    checkout through the gate. Without it the gate exits 1 on the demo's findings."""
    import subprocess

    from tests.helpers import run_kb

    root = EXAMPLE_KB.parent
    makefile = (root / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.partition("\ndemo:")[2].partition("\nbrowser:")[0]
    assert "kb check" in recipe and "--allow-shallow" not in recipe
    done = subprocess.run(
        ["make", "-s", "-C", str(root), "demo-repo", f"DEMO={tmp_path}"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    demo = str(tmp_path / "example-kb")
    gate = run_kb("--kb", demo, "--today", "2026-11-22", "check", "billing", "accounts")
    assert gate.exit_code == 1, gate.output
    assert "shallow" not in gate.stderr
    assert run_kb("--kb", demo, "report", "--limit", "5").exit_code == 0
