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


def test_memo_in_loops_blocks_and_with_template_globals_renders_as_stock_jinja() -> None:
    """kb's quicker calls of ``memo`` and plain-dict globals: a memoised macro called in a
    loop (where Jinja passes loop variables) and inside a block, and a template given its
    own globals, render the same as Jinja's own sandbox, with memo() a plain call."""
    from jinja2 import DictLoader
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    templates = {
        "base.html": "<{% block body %}{% endblock %}>",
        "page.html": (
            '{% extends "base.html" %}{% macro row(x, n) %}[{{ x }}:{{ n }}|{{ greeting }}]'
            "{% endmacro %}{% block body %}{% for x in items %}{{ loop.index }}"
            "{{ memo(row, x, loop.index) }}{{ memo(row, x, 0) }}{% endfor %}{% endblock %}"
        ),
    }
    stock = ImmutableSandboxedEnvironment(autoescape=True, loader=DictLoader(templates))
    stock.globals["memo"] = lambda macro, *args: macro(*args)
    ours = environment([builtin_dir()])
    ours.loader = DictLoader(templates)
    context = {"items": ["a<b", "c", "a<b"]}
    for env in (stock, ours):
        env.globals["greeting"] = "hi"
    expected = stock.get_template("page.html", globals={"greeting": "yo"}).render(context)
    assert expected == ("<1[a&lt;b:1|yo][a&lt;b:0|yo]2[c:2|yo][c:0|yo]3[a&lt;b:3|yo][a&lt;b:0|yo]>")
    assert ours.get_template("page.html", globals={"greeting": "yo"}).render(context) == expected


def test_quick_escaping_outputs_what_markupsafe_escapes() -> None:
    """kb's templates escape output to plain strings (quicker than ``Markup``): every kind
    of value, in pages, macros, set blocks, calls and joins, gives the bytes Jinja's own
    sandbox gives."""
    from jinja2.sandbox import ImmutableSandboxedEnvironment
    from markupsafe import Markup

    class Html:
        def __html__(self) -> str:
            return "<b>kept</b>"

    source = (
        "{% macro m(x) %}<{{ x }}>{% endmacro %}"
        "{% macro c(x) %}<{{ x }}>{{ caller() }}{% endmacro %}"
        "{% set block %}[{{ s }}]{% endset %}"
        "{% for v in values %}{{ v }}|{{ m(v) }}|{{ v ~ s }}|{{ v|e }}|{% endfor %}"
        "{{ block }}{% call c(s) %}{{ s }}{% endcall %}{{ s|safe }}{{ values|join(', ') }}"
    )
    values = ["a<b & \"c\" 'd'", Markup("<i>safe</i>"), 42, 1.5, None, True, Html(), "", "é\u00a0"]
    stock = ImmutableSandboxedEnvironment(autoescape=True).from_string(source)
    ours = environment([builtin_dir()]).from_string(source)
    expected = stock.render(values=values, s="<s>")
    assert "a&lt;b &amp; &#34;c&#34; &#39;d&#39;" in expected and "<b>kept</b>" in expected
    assert ours.render(values=values, s="<s>") == expected
