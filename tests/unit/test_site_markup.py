"""A generator's block markup as plain Markdown: every word kept, code and other text untouched."""

from __future__ import annotations

import pytest

from kbcli.core.site_markup import plain_markup, with_plain_markup


@pytest.mark.parametrize(
    "body",
    [
        "Title\n===\n\nText.\n",  # a setext heading's underline is no tab
        "```\n!!! note\n    in a fence\n```\n",
        "!!!\n    no kind, no title: not an admonition\n",
        ":::note\nnever closed\n",
    ],
)
def test_text_that_is_no_block_markup_stays_as_written(body: str) -> None:
    assert plain_markup(body, "MkDocs") == plain_markup(body, "Docusaurus") == body


def test_other_shapes_are_left_alone() -> None:
    body = '!!! note "x"\n    y\n'
    assert plain_markup(body, "Hugo") == body
    assert plain_markup(body, "") == body


def test_crlf_files_keep_their_line_endings_and_header() -> None:
    text = '---\r\ntitle: A\r\n---\r\n!!! tip ""\r\n    Short.\r\nAfter.\r\n'
    assert with_plain_markup(text, "MkDocs") == (
        "---\r\ntitle: A\r\n---\r\n> Short.\r\n\r\nAfter.\r\n"
    )


def test_a_block_inside_a_list_keeps_the_lists_indent() -> None:
    body = '1. Step\n\n    ??? info "More"\n        Detail & more.\n'
    assert plain_markup(body, "MkDocs") == (
        "1. Step\n\n    <details>\n    <summary>More</summary>\n\n    Detail & more.\n\n"
        "    </details>\n"
    )


def test_an_open_details_block_and_a_title_with_markup_characters() -> None:
    body = '???+ question "A <b> & c"\n    Yes.\n'
    assert plain_markup(body, "MkDocs") == (
        "<details open>\n<summary>A &lt;b&gt; &amp; c</summary>\n\nYes.\n\n</details>\n"
    )
