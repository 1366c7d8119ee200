"""TOML headers as YAML: every value read back the same, or a reason to leave the file."""

from __future__ import annotations

import tomllib

import pytest
import yaml

from kbcli.core.toml_front import as_yaml, has_toml_header


def test_every_value_reads_back_the_same() -> None:
    front = (
        'title = "C# tips: a, [b] & #c"\nday = 2020-01-02\n'
        "when = 2020-02-11T10:00:00+02:00\ntags = [\"a, b\", 'it is']\nn = 1.5\n"
        'text = """two\nlines # not a comment"""\n[params]\n  x = true\n'
        '[[menu]]\nname = "m"\nweight = 2\n'
    )
    converted = as_yaml(f"+++\n{front}+++\nBody # here.\n")
    header, _, body = converted.removeprefix("---\n").partition("---\n")
    assert yaml.safe_load(header) == tomllib.loads(front)
    assert body == "Body # here.\n"


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ('+++\ntitle = "x"  # note\n+++\n', "comment"),
        ("+++\n# note\ntitle = 1\n+++\n", "comment"),
        ('+++\ntitle = "x"\n', "never closed"),
        ("+++\nat = 07:30:00\n+++\n", "time of day"),
        ("+++\n[a.b]\nc = 1\n+++\n", "table inside a table"),
        ('+++\n"two words" = 1\n+++\n', "plain word"),
        ("+++\ntitle = \n+++\n", "cannot be read"),
    ],
)
def test_a_header_kb_cannot_write_back_exactly_is_left_with_the_reason(text: str, why: str) -> None:
    assert has_toml_header(text)
    with pytest.raises(ValueError, match=why):
        as_yaml(text)


def test_only_a_leading_plus_line_is_a_toml_header() -> None:
    assert has_toml_header("\ufeff+++\r\ntitle = 1\r\n+++\r\n")
    assert not has_toml_header("---\ntitle: x\n---\n")
    assert not has_toml_header("text\n+++\n")
