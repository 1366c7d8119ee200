"""The handbook templates' ``memo()``: a card row rendered once per card and page depth,
the same bytes as rendering it every time (real Jinja, the built-in templates)."""

from __future__ import annotations

from datetime import date

from kbcli.adapters.jinja_site import builtin_dir, environment
from kbcli.core.cards import Audience, Card, CardMeta, to_utc
from kbcli.core.catalog import Assessed
from kbcli.core.handbook import SiteOptions
from kbcli.core.handbook_views import card_summary
from kbcli.core.people import Roster
from kbcli.core.trust import TrustPolicy, assess

TODAY = date(2026, 11, 22)


def summary(path: str, title: str, verified: str | None) -> object:
    meta = CardMeta(title=title, verified_at=to_utc(verified) if verified else None)
    item = Assessed(Card(path, meta, ""), assess(meta, TrustPolicy(), path, TODAY))
    return card_summary(item, SiteOptions("KB", Audience.INTERNAL, TODAY), Roster())


def test_a_memoised_card_list_is_the_list_rendered_row_by_row() -> None:
    env = environment([builtin_dir()])
    cards = [
        summary("a/refunds.md", "Refunds <fast>", "2026-10-01"),
        summary("b/tax.md", "Tax & VAT", None),
    ]
    plain = env.from_string(
        '{% from "_card_row.html" import card_row %}'
        "{% for c in cards %}{{ card_row(c, root) }}{% endfor %}"
    )
    listed = env.from_string(
        '{% from "_card_list.html" import card_list %}{{ card_list(cards, root) }}'
    )
    for root in ("", "../", "", "../../", "../"):
        rows = plain.render(cards=cards, root=root)
        assert "Refunds &lt;fast&gt;" in rows and f'href="{root}b/tax.html"' in rows
        assert listed.render(cards=cards, root=root) == f'<ul class="card-list">\n{rows}</ul>'
    other = summary("a/refunds.md", "Refunds, renamed", "2026-10-01")  # same path, new title
    assert "Refunds, renamed" in listed.render(cards=[other], root="")


def test_templates_read_kb_dicts_as_jinjas_sandbox_reads_them() -> None:
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    card = summary("a/refunds.md", "Refunds <fast>", "2026-10-01")
    plain = {"title": "T & U", "items": "a key named like a method", "get": 1, "none": None}
    source = (
        "{{ card.title }}|{{ card.trust.state }}|{{ card.owner is none }}|{{ d.title }}|"
        "{{ d['items'] }}|{{ d.items is callable }}|{{ d.get('get') }}|{{ d.none }}|"
        "{{ d.missing is defined }}|{{ card.missing is defined }}"
    )
    stock = ImmutableSandboxedEnvironment(autoescape=True).from_string(source)
    ours = environment([builtin_dir()]).from_string(source)
    expected = stock.render(card=card, d=plain)
    assert ours.render(card=card, d=plain) == expected
    assert expected.startswith("Refunds &lt;fast&gt;|verified|") and "T &amp; U" in expected
