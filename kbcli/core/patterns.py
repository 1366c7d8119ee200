"""Regular expressions compiled the first time they are used, not when their module loads.

A one-shot ``kb search`` loads about twenty modules that keep module-level patterns;
compiling them cost ~3.5 ms of its start-up (a third of a millisecond for some), and a
search uses few of them. ``lazy`` stands for ``re.compile`` at module level: the pattern
is compiled on the first call of any of its methods, which then sit on the object itself,
so later calls cost what a compiled pattern's do.
"""

import re
from typing import cast

# What a compiled pattern offers; each is copied onto the lazy pattern once compiled.
_METHODS = ("match", "fullmatch", "search", "finditer", "findall", "sub", "subn", "split")
_FACTS = ("flags", "groups", "groupindex", "scanner")


class _LazyPattern:
    def __init__(self, pattern: str, flags: int) -> None:
        self.pattern = pattern  # readable without compiling (a pattern built from another)
        self._flags = flags

    def __getattr__(self, name: str) -> object:
        # Only for names not set yet: the first use compiles and sets them all.
        if name not in _METHODS and name not in _FACTS:
            raise AttributeError(name)
        compiled = re.compile(self.pattern, self._flags)
        for attr in (*_METHODS, *_FACTS):
            setattr(self, attr, getattr(compiled, attr))
        self.compiled = compiled
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"lazy({self.pattern!r}, {self._flags})"


def lazy(pattern: str, flags: int = 0) -> "re.Pattern[str]":
    """``re.compile(pattern, flags)``, compiled on first use (see the module docstring).

    Use it where the pattern's methods are called; a function that needs a real
    ``re.Pattern`` (``re.sub(p, ...)``, ``isinstance``) gets ``re.compile`` instead.
    """
    return cast("re.Pattern[str]", _LazyPattern(pattern, flags))
