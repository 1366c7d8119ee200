"""Language handling for search that Tantivy lacks: Ukrainian and Hebrew, stop words, snippets.

Tantivy ships Snowball stemmers for English and Russian but none for Ukrainian or
Hebrew, and Snowball has neither. This module holds the offline stand-ins, pure and
fast enough to run on every card of a large repo:

- Ukrainian: a light suffix stripper (reflexive particle, then the longest
  inflectional ending that leaves a stem of at least three letters, then doubled
  consonants collapsed), so ``повернення``, ``поверненню`` and ``повернень`` meet.
- Hebrew: final letters normalised, niqqud dropped, plural and feminine endings
  stripped, and every reading with up to two prefix particles (ו ה ב כ ל מ ש)
  removed is indexed too, so ``לסיסמה``, ``הסיסמה`` and ``סיסמאות`` find each other.

Text is split into words the way Tantivy's simple tokenizer does (runs of letters and
digits), so offsets found here line up with what the index saw.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

# Language groups the index knows. Others share the unstemmed "xx" group.
GROUPS = ("en", "ru", "uk", "he", "xx")
_ALIASES = {"ua": "uk", "iw": "he", "eng": "en", "rus": "ru", "ukr": "uk", "heb": "he"}

WORD = re.compile(r"[^\W_]+")
_UK_APOSTROPHES = re.compile(r"(?<=[^\W\d_])['’ʼ`](?=[^\W\d_])")


def group_of(lang: str | None, default: str = "en") -> str:
    """The index language group of a card's ``lang`` (``en-US`` -> ``en``, ``de`` -> ``xx``)."""
    code = (lang or default or "en").strip().lower().replace("_", "-").split("-")[0]
    code = _ALIASES.get(code, code)
    return code if code in GROUPS else "xx"


def normalize_lang(lang: str | None, default: str = "en") -> str:
    """A card's language code as users filter on it (``lang:uk``): lowercased primary tag."""
    code = (lang or default or "en").strip().lower().replace("_", "-").split("-")[0]
    return _ALIASES.get(code, code)


# --- Ukrainian -----------------------------------------------------------------------

_UK_REFLEXIVE = ("ся", "сь", "ситься")
_UK_ENDINGS = tuple(
    sorted(
        {
            # adjectives and participles
            "ого", "ому", "ими", "іми", "ий", "ій", "їй", "ім", "им", "их", "іх", "ої",
            "ою", "ею", "єю", "ая", "яя", "еє", "ее", "ів", "їв", "ові", "еві", "єві",
            # nouns
            "ами", "ями", "ах", "ях", "ам", "ям", "ом", "ем", "єм", "ей",
            # verbs
            "ати", "яти", "ити", "іти", "ути", "ює", "ує", "ає", "яє", "еш", "єш", "иш",
            "іш", "емо", "ємо", "имо", "імо", "ете", "єте", "ите", "іте", "ють", "ать",
            "ять", "уть", "ить", "іть", "ала", "яла", "ила", "іла", "ало", "яло", "ило",
            "али", "яли", "или", "ав", "ял", "ив", "ла", "ло", "ли", "ть",
            # single letters last: they only go when nothing longer matched
            "а", "я", "о", "е", "є", "и", "і", "ї", "у", "ю", "ь", "й",
        },
        key=len,
        reverse=True,
    )
)  # fmt: skip
_UK_DOUBLE = re.compile(r"([бвгґджзклмнпрстфхцчшщ])\1")


def stem_uk(word: str) -> str:
    """A light Ukrainian stem: lowercase, strip one reflexive and one inflectional ending."""
    word = word.lower().replace("ґ", "г")
    for ending in _UK_REFLEXIVE:
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            word = word[: -len(ending)]
            break
    for ending in _UK_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            word = word[: -len(ending)]
            break
    if len(word) >= 5 and word.endswith("ок"):  # fleeting vowel: рахунок / рахунку
        word = word[:-2] + "к"
    return _UK_DOUBLE.sub(r"\1", word)


def analyze_uk(text: str) -> list[str]:
    """Ukrainian text as index tokens: one stem per word (apostrophes join a word)."""
    text = _UK_APOSTROPHES.sub("", text)
    return [stem_uk(m.group()) for m in WORD.finditer(text)]


# --- Hebrew --------------------------------------------------------------------------

_HE_FINALS = str.maketrans("ךםןףץ", "כמנפצ")
_HE_MARKS = re.compile(r"[\u0591-\u05c7]")  # cantillation and niqqud
_HE_PREFIXES = "והבכלמש"
_HE_SUFFIXES = ("יות", "ים", "ות", "ה", "ת", "י")
_HEBREW = re.compile(r"[\u05d0-\u05ea]")


def _he_suffix(word: str) -> str:
    for suffix in _HE_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    if len(word) > 3 and word[-1] in "אה":
        word = word[:-1]
    return word


def he_variants(word: str) -> list[str]:
    """Index forms of one Hebrew word: its stem, and the stems with 1-2 prefix particles off."""
    word = _HE_MARKS.sub("", word.lower()).translate(_HE_FINALS)
    if not _HEBREW.search(word):
        return [word]
    forms = [_he_suffix(word)]
    rest = word
    for _ in range(2):
        if len(rest) - 1 >= 3 and rest[0] in _HE_PREFIXES:
            rest = rest[1:]
            stem = _he_suffix(rest)
            if stem not in forms:
                forms.append(stem)
        else:
            break
    return forms


def analyze_he(text: str) -> list[str]:
    """Hebrew text as index tokens: every variant of every word, in order."""
    tokens: list[str] = []
    for match in WORD.finditer(text.replace("״", '"').replace("׳", "'")):
        tokens.extend(he_variants(match.group()))
    return tokens


# Pre-analysed groups: kb analyses their text in Python and feeds Tantivy the tokens.
PRE_ANALYZED: dict[str, Callable[[str], list[str]]] = {"uk": analyze_uk, "he": analyze_he}


def word_alternatives(
    group: str, word: str, analyze: Callable[[str], list[str]]
) -> list[list[str]]:
    """How one query word can appear in a group's index: alternatives of token sequences.

    Most words are one token; ``sign-in`` is the sequence ``[sign, in]``; a Hebrew word
    with a prefix has several alternative stems.
    """
    if group == "he":
        alternatives: list[list[str]] = []
        for match in WORD.finditer(word):
            variants = he_variants(match.group())
            if not alternatives:
                alternatives = [[v] for v in variants]
            else:  # multi-part Hebrew word: keep the first reading of the rest
                alternatives = [[*a, variants[0]] for a in alternatives]
        return alternatives
    tokens = analyze(word)
    return [tokens] if tokens else []


# --- Stop words ------------------------------------------------------------------------

_STOP_TEXT = """
a an and are as at be been but by can could do does did for from had has have how i
if in into is it its me my no not of on or our so than that the their them then there
these they this to was we were what when where which who why will with would you your
yours am any all get got cannot can't dont don't doesn't isn't more most some such only
also just very out up over again still now like want wants need needs please help hi hello
thanks anything something everything being instead shows show s t
и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только
ее мне было вот от меня еще нет о из ему когда или ли если уже мой моя мои нам нас это
почему где
і й та в у на з із до не що як це або чи ми ви він вона воно вони мій моя мої мене
мені нам нас для по від за при так але якщо коли де чому
של את על עם זה זו הוא היא אני אתה אנחנו הם לא כן מה איך למה אם או גם כי
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())


def content_words(words: Iterable[str]) -> list[str]:
    """Words without stop words; all of them when every word is a stop word."""
    words = list(words)
    kept = [w for w in words if w.lower() not in STOP_WORDS]
    return kept or words


# --- Snippets --------------------------------------------------------------------------


@dataclass(frozen=True)
class Snippet:
    """A passage of a card with the character ranges that matched the query."""

    text: str
    highlights: tuple[tuple[int, int], ...] = ()


def _passages(text: str) -> list[tuple[int, int]]:
    """Candidate passages: non-empty lines (paragraphs and list items) as (start, end)."""
    spans = []
    start = 0
    for line in text.split("\n"):
        end = start + len(line)
        if line.strip() and not line.lstrip().startswith(("```", "---", "|---")):
            spans.append((start, end))
        start = end + 1
    return spans


def make_snippet(
    text: str, matches: Callable[[str], bool], width: int = 160, skip_headings: bool = True
) -> Snippet:
    """The passage of ``text`` holding the most distinct matching words, cut to ``width``.

    ``matches(word)`` says whether a word of the card matches the query (after the
    card language's analysis). Falls back to the first prose line when nothing matches.
    """
    best: tuple[float, int, int, list[tuple[int, int]]] | None = None
    for start, end in _passages(text):
        line = text[start:end]
        hits: list[tuple[int, int]] = []
        distinct: set[str] = set()
        for m in WORD.finditer(line):
            if matches(m.group()):
                hits.append((m.start(), m.end()))
                distinct.add(m.group().lower())
        heading = line.lstrip().startswith("#")
        score = len(distinct) * 2 + len(hits) * 0.1 - (0.5 if heading and skip_headings else 0)
        if best is None or score > best[0]:
            best = (score, start, end, hits)
    if best is None:
        return Snippet("")
    _, start, end, hits = best
    return _cut(text[start:end], hits, width)


# Markdown that reads badly in a one-line snippet: emphasis, code ticks, link targets.
_MARKUP = re.compile(r"\*\*|__|`|\]\([^)\s]*\)|\[(?=[^\[\]]*\]\()|\[\[|\]\]")


def _cut(line: str, hits: list[tuple[int, int]], width: int) -> Snippet:
    """Trim a line around its first hits to ``width`` characters, keeping highlight offsets."""
    lead = len(line) - len(line.lstrip(" #>-*0123456789."))
    lo = lead
    if hits and hits[0][0] - lo > width // 3:
        lo = max(lead, hits[0][0] - width // 3)
        space = line.rfind(" ", lead, lo)
        lo = space + 1 if space > lead else lo
    hi = min(len(line), lo + width)
    if hi < len(line):
        space = line.rfind(" ", lo, hi)
        hi = space if space > lo + width // 2 else hi
    prefix = "…" if lo > lead else ""
    suffix = "…" if hi < len(line) else ""
    body = line[lo:hi]
    shifted = [(s - lo, e - lo) for s, e in hits if s >= lo and e <= hi]
    # Drop markdown emphasis markers, moving the offsets with the text.
    out: list[str] = []
    pos = 0
    for m in _MARKUP.finditer(body):
        out.append(body[pos : m.start()])
        pos = m.end()
    out.append(body[pos:])
    clean = "".join(out)

    def moved(offset: int) -> int:
        removed = 0
        for m in _MARKUP.finditer(body):
            if m.start() < offset:
                removed += min(m.end(), offset) - m.start()
        return offset - removed

    final = tuple(
        (moved(s) + len(prefix), moved(e) + len(prefix)) for s, e in shifted if moved(e) > moved(s)
    )
    return Snippet(prefix + clean + suffix, final)


def within_edits(a: str, b: str, limit: int) -> bool:
    """Whether ``a`` and ``b`` are at most ``limit`` edits apart (Levenshtein, banded)."""
    if abs(len(a) - len(b)) > limit:
        return False
    if a == b:
        return True
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        low = limit + 1
        for j, cb in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            low = min(low, current[j])
        if low > limit:
            return False
        previous = current
    return previous[-1] <= limit
