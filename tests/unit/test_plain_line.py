"""Snippets read as text: the markdown and templating around a card's words dropped."""

import pytest

from kbcli.core.plain_line import display_title, plain_line
from kbcli.core.snippets import make_snippet


@pytest.mark.parametrize(
    ("line", "plain"),
    [
        # links: the text stays, the target goes, whatever the target holds
        ("See [the guide](https://x.org/a_(b)) now", "See the guide now"),
        ('Next [Get reimbursed >]({% page "/travel/four" %})', "Next Get reimbursed >"),
        ("[Complete your trip][completing-trip], then", "Complete your trip, then"),
        ("[Collapsed][] link", "Collapsed link"),
        ("![a screenshot](img/shot.png) above", "a screenshot above"),
        ("[[Wiki page]] here", "Wiki page here"),
        ("Footnote[^1] here", "Footnote here"),
        ("<https://example.org> is the site", "https://example.org is the site"),
        # a link wrapped over two lines: each half
        ("1. [Completing trip", "Completing trip"),
        ('   information]({% page "/faq/#trip" %}), with details', "information, with details"),
        # a link's definition is no text at all
        ('[completing-trip]: {% page "/faq/" %}', ""),
        # templating: Liquid, Hugo, Jinja
        ('Ask in {% slack_channel "travel" %} today', "Ask in slack channel travel today"),
        ("{% raw %}Text{% endraw %}", "Text"),
        ('{% image "_img/map.png" "a map of the offices" %}', "image a map of the offices"),
        ("Host {{ site.host }} and {{< figure src=x >}} end", "Host  and  end"),
        ('Half of a tag {% include "x.html"', "Half of a tag "),
        # HTML
        ("Set up <em>before</em> onboarding", "Set up before onboarding"),
        ("one<br>two<br/>three", "one two three"),
        ("<!-- hidden --> shown", " shown"),
        ("Tom &amp; Jerry &lt;3", "Tom & Jerry <3"),
        # emphasis, strikethrough, escapes
        ("**Bold** and __strong__ and *it* and _em_", "Bold and strong and it and em"),
        ("~~old~~ new", "old new"),
        ("snake_case and 2 * 3 and a*b", "snake_case and 2 * 3 and a*b"),
        (r"a \*literal\* star", "a *literal* star"),
        # line starts: headings, quotes, list items; a number that is text stays
        ("## A heading", "A heading"),
        ("> - quoted item", "quoted item"),
        ("  * item", "item"),
        ("12. twelfth", "twelfth"),
        ("10 days of leave", "10 days of leave"),
        # code spans keep their text, markup inside included
        ("Run `kb __init__ *x* [a](b)` now", "Run kb __init__ *x* [a](b) now"),
        ("``a ` tick``", "a ` tick"),
        ("`tar cf {{target.tar}} {{file}}`", "tar cf {{target.tar}} {{file}}"),
        # plain text is left alone
        ("Just words (and brackets [like this]).", "Just words (and brackets [like this])."),
    ],
)
def test_a_line_reads_without_its_markup(line: str, plain: str) -> None:
    assert plain_line(line) == plain


def _marked(text: str, words: set[str]) -> tuple[str, list[str]]:
    snippet = make_snippet(text, lambda w: w.lower() in words)
    return snippet.text, [snippet.text[s:e] for s, e in snippet.highlights]


def test_a_snippet_shows_link_text_highlighted_without_the_link() -> None:
    text = '# Travel\n\nNext [Get reimbursed >]({% page "/travel/reimbursed-trip" %})\n'
    assert _marked(text, {"reimbursed"}) == ("Next Get reimbursed >", ["reimbursed"])


def test_a_match_inside_a_link_target_does_not_choose_the_passage() -> None:
    """The second line names the trip only in its target: a reader sees no match there."""
    text = "Book a trip early.\n\n[Read this](/trip-refund-trip) first.\n"
    assert _marked(text, {"trip"}) == ("Book a trip early.", ["trip"])


def test_a_snippet_of_markup_only_lines_falls_back_to_readable_text() -> None:
    text = '{% include "nav.html" %}\n<div class="x">\nThe first words.\n'
    assert _marked(text, {"nothing"}) == ("The first words.", [])


def test_highlights_move_with_the_text_they_mark() -> None:
    text = "Use **`kb search`** for a *quick* refund &amp; [refund policy](/refund).\n"
    plain, marked = _marked(text, {"refund", "search"})
    assert plain == "Use kb search for a quick refund & refund policy."
    assert marked == ["search", "refund", "refund"]


def test_the_lines_of_a_tag_that_goes_on_over_lines_are_not_text() -> None:
    text = (
        '{% include "step-indicator.html"\nsteps: travel-steps.first_time_steps\n'
        "current_step: two %} Get a card\n\nThe card pays for travel.\n"
    )
    assert _marked(text, {"steps"}) == ("Get a card", [])
    assert _marked(text, {"card"}) == ("Get a card", ["card"])


@pytest.mark.parametrize(
    ("title", "shown"),
    [
        ("Logging in &amp; Networks", "Logging in & Networks"),
        ("Set up TTS <em>before</em> GSA onboarding", "Set up TTS before GSA onboarding"),
        ("Leaving TTS & Offboarding", "Leaving TTS & Offboarding"),  # a bare & is text
        ("Use `git` *safely*", "Use git safely"),
        ("1. Before you start", "1. Before you start"),  # a title is no list item
        ("- and # are text here", "- and # are text here"),
        ("snake_case and 2 * 3", "snake_case and 2 * 3"),
        ("<br>", "<br>"),  # nothing but markup: shown as written, never blank
        ("Set KB_DIR=<path> <b>first</b>", "Set KB_DIR=<path> first"),  # <path>: no HTML tag
        ("<img src=x onerror=alert(1)>Evil", "<img src=x onerror=alert(1)>Evil"),  # escaped
    ],
)
def test_a_title_is_shown_as_its_words(title: str, shown: str) -> None:
    assert display_title(title) == shown
