"""The lead paragraph is indexed from where it sits in the body (``lead_span``): the
words found there are the words of the paragraph itself, in every kind of layout."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kbcli.adapters.text_analysis import Analysis
from kbcli.core.languages import WORD
from kbcli.core.pointers import lead_paragraph, lead_span

LINES = [
    *("", "   ", "# Title", "## Usage", "```", "```sh", "> Archiving utility.", ">", "> > x"),
    *("Refund a charge's fee", "  indented 's text", "- item", "`tar cf x`", "м'ята ok"),
    *("<!-- hint -->", "\t> quoted\t", "#hashtag", "Привет мир", "שלום עולם"),
    *("[a]dd [m]aximum", "> extrac[t] it", "[x] box", "e[x]"),
]
BREAKS = ["\n", "\r\n", "\r", "\u2028"]


@settings(max_examples=200, deadline=None)
@given(
    lines=st.lists(st.sampled_from(LINES), max_size=10),
    breaks=st.lists(st.sampled_from(BREAKS), min_size=10, max_size=10),
    lang=st.sampled_from(["en", "ru", "uk", "he"]),
)
def test_the_lead_paragraph_has_the_words_of_its_place_in_the_body(
    lines: list[str], breaks: list[str], lang: str
) -> None:
    body = "".join(line + sep for line, sep in zip(lines, breaks, strict=False))
    start, end = lead_span(body)
    lead = lead_paragraph(body)
    assert WORD.findall(body[start:end]) == WORD.findall(lead)
    analysis = Analysis()
    assert analysis.term_text(lang, body[start:end]) == " ".join(analysis.terms(lang, lead))


def test_a_body_without_a_paragraph_has_no_lead() -> None:
    assert lead_span("# Title\n\n## Usage\n\n") == (0, 0)
    assert lead_span("# Title\n\n> Says what it is.\n> Twice.\n\n- more\n") == (9, 37)
