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
