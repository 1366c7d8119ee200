"""The search query language, parsed without touching the index.

    refund "duplicate charge" -chargeback tag:billing owner:ana is:verified -is:expired

- plain words rank cards (all of them required while that finds enough);
- ``"exact phrases"`` must appear as written (after analysis);
- ``-word`` and ``-"a phrase"`` exclude cards that contain them;
- a command's option is a term, not an exclusion: a dash before a digit (``kill -9``), or
  before one or two letters or digits right after a word or another option (``rm -rf``,
  ``ls -la``, ``python3 -m venv``); ``-word`` anywhere else excludes (``tar -xzf``
  excludes "xzf": ``tar xzf`` searches it);
- ``key:value`` filters on front matter: ``tag:``, ``owner:``, ``status:``, ``audience:``,
  ``lang:`` and any other key (``ticket_refs:SUP-1388``); ``-key:value`` excludes;
- ``is:verified|due|expired|unverified|needs-review|unowned`` filter on the trust verdict
  as of the run's day (``core/verdict.py``),
  ``is:draft|published|archived`` on status; ``-is:...`` excludes.

Values may be quoted: ``owner:"Ana Souza"``. A ``"`` inside a word is a letter of it (the
Hebrew acronym ``מנכ"ל``, ``5"``); a quote that is never closed quotes nothing.
"""

# No ``from __future__ import annotations`` here: NamedTuple field types written as
# strings are compiled by typing when each class is made (~0.1 ms a class at start-up).
import re
from typing import NamedTuple

from kbcli.core.patterns import lazy

TRUST_STATES = ("verified", "due", "expired", "unverified", "needs-review", "unowned")
STATUS_STATES = ("draft", "requested", "published", "archived")
IS_VALUES = TRUST_STATES + STATUS_STATES
# Filter keys spelled the way people type them, mapped to the front-matter key.
KEY_ALIASES = {"tag": "tags", "tags": "tags", "alias": "aliases", "verifier": "verifiers"}
# The filters kb documents: one written with nothing after the colon is a usage error
# (``tag:`` alone was searched as the word "tag"); other ``word:`` stay words, as in a
# pasted log line.
FILTER_KEYS = frozenset(
    {*KEY_ALIASES, "aliases", "verifiers", "is", "owner", "status", "audience", "lang"}
)

_TOKEN = lazy(
    r"""(?P<neg>-)?(?:
        (?P<key>[A-Za-z_][\w.\-]*):(?!//)(?:"(?P<qvalue>[^"]*)"?|(?P<value>[^\s"]+))
      | "(?P<phrase>[^"]*)(?P<close>")?
      | (?P<word>[^\s"][^\s]*)
    )""",
    re.VERBOSE,
)


class QueryError(ValueError):
    """The query cannot be understood (e.g. ``is:stale``); the message says how to fix it."""


class KeyFilter(NamedTuple):
    key: str
    value: str
    negated: bool = False


class StateFilter(NamedTuple):
    state: str
    negated: bool = False


class ParsedQuery(NamedTuple):
    words: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    excluded_words: tuple[str, ...] = ()
    excluded_phrases: tuple[str, ...] = ()
    filters: tuple[KeyFilter, ...] = ()
    states: tuple[StateFilter, ...] = ()
    text: str = ""  # the query as typed
    # The words read as a command's options (``-rf`` of ``rm -rf``), also in ``words``.
    options: tuple[str, ...] = ()

    @property
    def has_terms(self) -> bool:
        """Whether the query ranks by text (else it only filters)."""
        return bool(self.words or self.phrases)

    @property
    def is_empty(self) -> bool:
        return not (
            self.words
            or self.phrases
            or self.filters
            or self.states
            or self.excluded_words
            or self.excluded_phrases
        )

    @property
    def mentions_status(self) -> bool:
        """Whether the query asks about status itself (then archived cards are not hidden)."""
        return any(f.key == "status" for f in self.filters) or any(
            s.state in STATUS_STATES for s in self.states
        )

    def without(self, item: KeyFilter | StateFilter) -> "ParsedQuery":
        """The same query with one filter dropped (for "no results" hints)."""
        return self._replace(
            filters=tuple(f for f in self.filters if f != item),
            states=tuple(s for s in self.states if s != item),
        )

    def describe(self, item: KeyFilter | StateFilter) -> str:
        if isinstance(item, StateFilter):
            return f"{'-' if item.negated else ''}is:{item.state}"
        value = f'"{item.value}"' if " " in item.value else item.value
        key = "tag" if item.key == "tags" else item.key
        return f"{'-' if item.negated else ''}{key}:{value}"


def parse_query(text: str) -> ParsedQuery:
    """Parse the query language; raise ``QueryError`` for an unknown ``is:`` value or a
    filter with no value (``tag:``)."""
    words: list[str] = []
    phrases: list[str] = []
    ex_words: list[str] = []
    ex_phrases: list[str] = []
    filters: list[KeyFilter] = []
    states: list[StateFilter] = []
    options: list[str] = []
    after_word = False  # the last token was a plain word or an option: a command so far
    for match in _TOKEN.finditer(text):
        negated = bool(match.group("neg"))
        word = match.group("word")
        if match.group("key") is not None:
            key = match.group("key").lower()
            value = match.group("qvalue")
            if value is None:
                value = match.group("value")
            value = value.strip()
            if key == "is":
                states.append(StateFilter(_state(value), negated))
            elif value:
                filters.append(KeyFilter(KEY_ALIASES.get(key, key), value, negated))
            elif key in FILTER_KEYS:
                raise _no_value(key)
        elif match.group("phrase") is not None:
            phrase = match.group("phrase").strip()
            if phrase and match.group("close") is None:
                # An unclosed quote: the words are plain words, not a phrase to the end.
                (ex_words if negated else words).extend(phrase.split())
            elif phrase:
                (ex_phrases if negated else phrases).append(phrase)
        elif word.endswith(":") and word[:-1].lower() in FILTER_KEYS:
            raise _no_value(word[:-1].lower())
        elif any(ch.isalnum() for ch in word):
            option = negated and _is_option(word, after_word)
            if option:
                options.append("-" + word)
                words.append("-" + word)
            else:
                (ex_words if negated else words).append(word)
            after_word = option or not negated
            continue
        after_word = False
    return ParsedQuery(
        tuple(words),
        tuple(phrases),
        tuple(ex_words),
        tuple(ex_phrases),
        tuple(filters),
        tuple(states),
        text,
        tuple(options),
    )


def _state(value: str) -> str:
    """The trust or status state an ``is:`` value names, in any of its spellings."""
    state = value.lower().replace("-", "").replace("_", "")
    state = {"noowner": "unowned", "unowner": "unowned", "needsreview": "needs-review"}.get(
        state, state
    )
    if state not in IS_VALUES:
        raise QueryError(
            f"unknown filter 'is:{value}': use one of " + ", ".join(f"is:{v}" for v in IS_VALUES)
        )
    return state


def _is_option(word: str, after_word: bool) -> bool:
    """Is ``-word`` a command's option (``kill -9``, ``rm -rf``) rather than an exclusion?

    A number is never a word to exclude; one or two letters right after a word (or after
    another option) read as a command line (``ls -la``, ``docker run -it``), and no one
    excludes a word that short. Longer ones stay exclusions (``sso -okta``)."""
    if word[:1].isdigit():
        return True
    return after_word and len(word) <= 2 and word.isascii() and word.isalnum()


_EXAMPLES = {"is": "is:expired", "owner": "owner:ana", "lang": "lang:en", "tag": "tag:billing"}


def _no_value(key: str) -> QueryError:
    example = _EXAMPLES.get(key, f"{key}:VALUE")
    return QueryError(
        f"'{key}:' has no value, so it filters nothing: write it as {example}, "
        f'or quote it to search for the word ("{key}:")'
    )
