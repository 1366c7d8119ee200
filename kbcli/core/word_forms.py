"""kb's own Ukrainian and Hebrew analyzers (Snowball has neither).

Snowball (PyStemmer, in ``adapters/text_analysis``) stems about 30 languages but has
neither Ukrainian nor Hebrew. These are the offline stand-ins, pure and fast enough to
run on every card of a large repo:

- Ukrainian: a light suffix stripper (reflexive particle, then the longest
  inflectional ending that leaves a stem of at least three letters, then doubled
  consonants collapsed, then the stem-final к/ц, г/з, х/с alternation folded), so
  ``повернення``, ``поверненню`` and ``повернень`` meet, and so do ``помилка`` and
  ``помилці``.
- Hebrew: niqqud dropped, plural and feminine endings (‎-ים -ות -ה‎ ...) stripped *before*
  final letters are normalised (a word ends in its final form: ‎ם‎ of ‎-ים‎), every reading
  with up to two prefix particles (ו ה ב כ ל מ ש) removed is indexed too, and the
  gershayim of an acronym (מנכ"ל) is a letter of the word, not a split.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from kbcli.core.languages import WORD
from kbcli.core.patterns import lazy

_UK_APOSTROPHES = lazy(r"(?<=[^\W\d_])['’ʼ`](?=[^\W\d_])")
# Quote marks between two Hebrew letters are gershayim/geresh (acronyms, abbreviations).
_HE_QUOTES = lazy(r"(?<=[\u05d0-\u05ea])[\"״׳'](?=[\u05d0-\u05ea])")


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
# The past tense's -ла/-ло/-ли follows a vowel (писа-ли, зроби-ла); after a consonant the
# л is the stem's (файл-и, правил-о), and only the ending after it goes.
_UK_PAST, _UK_VOWELS = frozenset(("ла", "ло", "ли")), frozenset("аеєиіїоуюя")
# Before -і the stem's last consonant alternates (к/ц, г/з, х/с): fold both to one letter.
_UK_ALTERNATION = {"к": "ц", "г": "з", "х": "с"}
_UK_DOUBLE = lazy(r"([бвгґджзклмнпрстфхцчшщ])\1")


def stem_uk(word: str) -> str:
    """A light Ukrainian stem: lowercase, strip one reflexive and one inflectional ending."""
    word = word.lower().replace("ґ", "г")
    for ending in _UK_REFLEXIVE:
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            word = word[: -len(ending)]
            break
    for ending in _UK_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            if ending in _UK_PAST and word[-len(ending) - 1] not in _UK_VOWELS:
                continue  # файли, правило: a noun's л, not the past tense (писали)
            word = word[: -len(ending)]
            break
    if len(word) >= 5 and word.endswith("ок"):  # fleeting vowel: рахунок / рахунку
        word = word[:-2] + "к"
    word = _UK_DOUBLE.sub(r"\1", word)
    if len(word) >= 4 and word[-1] in _UK_ALTERNATION:  # помилка / помилці, нога / нозі
        word = word[:-1] + _UK_ALTERNATION[word[-1]]
    return word


def join_uk_apostrophes(text: str) -> str:
    """Ukrainian text with the apostrophe inside a word (м'ята, комп'ютер) removed: one word."""
    return _UK_APOSTROPHES.sub("", text)


def analyze_uk(text: str) -> list[str]:
    """Ukrainian text as index tokens: one stem per word (apostrophes join a word)."""
    return [stem_uk(m.group()) for m in WORD.finditer(join_uk_apostrophes(text))]


# --- Hebrew --------------------------------------------------------------------------

_HE_FINALS = str.maketrans("ךםןףץ", "כמנפצ")
_HE_MARKS = lazy(r"[\u0591-\u05c7]")  # cantillation and niqqud
_HE_PREFIXES = "והבכלמש"
_HE_SUFFIXES = ("יות", "ים", "ות", "ה", "ת", "י")  # as written: ‎ם‎ is final
_HEBREW = lazy(r"[\u05d0-\u05ea]")


def _he_suffix(word: str) -> str:
    """The stem of a Hebrew word as written (final letters still final), finals normalised.

    Suffixes are matched on the written word: ‎-ים‎ ends in a final mem, so normalising
    final letters first would hide every masculine plural.
    """
    for suffix in _HE_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    if len(word) > 3 and word[-1] in "אה":
        word = word[:-1]
    return word.translate(_HE_FINALS)


def he_variants(word: str) -> list[str]:
    """Index forms of one Hebrew word: its stem, and the stems with 1-2 prefix particles off."""
    word = _HE_QUOTES.sub("", _HE_MARKS.sub("", word.lower()))
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


def he_words(text: str) -> Iterable[re.Match[str]]:
    """Hebrew words of ``text``, acronyms with gershayim (מנכ"ל) kept whole."""
    return _HE_WORD.finditer(text)


# A letter or two in brackets inside a word is a mnemonic (tldr's "[a]dd", "[m]aximum",
# "extrac[t]": the option's letter), not a word boundary: "[a]dd" is the word "add".
_BRACKETED = lazy(r"\[([^\W\d_]{1,2})\]")


def without_mnemonics(text: str) -> str:
    """``text`` with the brackets of in-word mnemonics dropped: ``[a]dd`` is ``add``.

    The brackets go when a letter touches them outside; the neighbours are looked at
    only for bracketed letters (a look-around pattern cost 20 times as much on tldr)."""
    if "[" not in text:
        return text

    def letters(match: re.Match[str]) -> str:
        start, end = match.span()
        inside = (start and text[start - 1].isalpha()) or text[end : end + 1].isalpha()
        return match.group(1) if inside else match.group()

    return _BRACKETED.sub(letters, text)


def without_possessive(text: str) -> str:
    """``text`` without the English possessive: ``file's`` is ``file``, not ``file`` + ``s``."""
    # Most texts have no apostrophe: the look-behind search was a tenth of indexing them.
    return _POSSESSIVE.sub("", text) if "'" in text or "’" in text else text


def query_words(text: str) -> list[str]:
    """The words of a query, split as cards' texts are split when indexed: an apostrophe
    inside a Cyrillic word joins it (комп'ютер, as Ukrainian cards are indexed), the
    possessive ``'s`` is dropped, Hebrew acronyms (מנכ"ל) stay whole."""
    text = without_possessive(_CYRILLIC_APOSTROPHES.sub("", text))
    return [m.group() for m in he_words(text)]


# The English possessive after a Latin letter (file's, command’s): not a word of its own.
# The apostrophe comes first so the search skips to apostrophes (a look-behind first
# was tried at every position: 5x slower on the 18F handbook's bodies, same matches).
_POSSESSIVE = lazy(r"['’](?<=[A-Za-z]['’])s\b")
_CYRILLIC_APOSTROPHES = lazy(r"(?<=[\u0400-\u04ff])['’ʼ`](?=[\u0400-\u04ff])")


# A word, or letters joined by gershayim/geresh (״ ׳ " '): one Hebrew word.
_HE_WORD = lazy(r"[^\W_]+(?:[\"״׳'][\u05d0-\u05ea]+)*")


def analyze_he(text: str) -> list[str]:
    """Hebrew text as index tokens: every variant of every word, in order."""
    tokens: list[str] = []
    for match in he_words(text):
        tokens.extend(he_variants(match.group()))
    return tokens
