"""A pattern compiled on first use (``core.patterns.lazy``) finds what ``re.compile``'s
finds: the search, snippets and card parsing that use them answer as before."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kbcli.core.patterns import lazy

PATTERNS = [
    (r"[^\W_]+", 0),
    (r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE),
    (r"^\s*(\d{1,9})\s*([dwmy])\s*$", re.IGNORECASE),
    (r"(?P<word>[a-zа-я]+)'s\b", 0),
]
TEXT = st.text(alphabet="ab зя'# 12dwMY\n_", max_size=40)


@given(which=st.sampled_from(PATTERNS), text=TEXT)
def test_a_lazy_pattern_answers_as_the_compiled_one(which: tuple[str, int], text: str) -> None:
    source, flags = which
    compiled, late = re.compile(source, flags), lazy(source, flags)

    def spans(matches: object) -> list[object]:
        return [(m.span(), m.groups()) for m in matches]  # type: ignore[attr-defined]

    assert late.pattern == source
    assert spans(late.finditer(text)) == spans(compiled.finditer(text))
    assert late.findall(text) == compiled.findall(text)
    assert late.sub("-", text) == compiled.sub("-", text)
    assert late.split(text) == compiled.split(text)
    assert bool(late.match(text)) == bool(compiled.match(text))
    assert bool(late.search(text, 1)) == bool(compiled.search(text, 1))
    assert (late.flags, late.groups, late.groupindex) == (
        compiled.flags,
        compiled.groups,
        compiled.groupindex,
    )


def test_reading_the_source_does_not_compile() -> None:
    late = lazy(r"(unbalanced")
    assert late.pattern == "(unbalanced"  # a pattern built from another's source
    with pytest.raises(re.error):  # an invalid pattern fails when first used
        late.search("x")
