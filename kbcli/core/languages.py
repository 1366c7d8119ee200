"""Languages for search: names and scripts, a query's language, stop words, a card's language.

kb's own Ukrainian and Hebrew analyzers are in ``word_forms``; snippets in ``snippets``;
typo distances in ``typos``. Text is split into words as runs of letters and digits
(``WORD``), so offsets found anywhere line up with what the index saw.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from kbcli.core.patterns import lazy

_ALIASES = {"ua": "uk", "iw": "he", "eng": "en", "rus": "ru", "ukr": "uk", "heb": "he"}

WORD = lazy(r"[^\W_]+")
ASCII_WORD = lazy(r"[A-Za-z0-9]+")  # WORD on ASCII text, matched twice as fast


# Every ASCII byte that is no letter or digit, as a space: ``bytes.translate`` then
# ``split`` find an ASCII text's words, the runs of letters and digits.
_ASCII_SPACED = bytes(b if chr(b).isalnum() and b < 128 else 32 for b in range(256))


def find_words(text: str) -> list[str]:
    """``WORD.findall(text)``. Most texts are ASCII: their words are the runs left when
    every other character is a space, split at C speed (1.8x faster than the regex on
    the generated 38k cards' bodies, the same words; the regex built each word)."""
    if text.isascii():
        return text.encode("ascii").translate(_ASCII_SPACED).decode("ascii").split()
    return WORD.findall(text)


_ASCII_BYTES = bytes(range(128))


def initial_words(text: str, initials: Iterable[str]) -> frozenset[str] | None:
    """The distinct words of ``text`` (as ``find_words`` splits it) whose first character,
    lowercased, is one of ``initials``; None when ``text`` has a word character outside
    ASCII (then its words are not all runs of ASCII letters and digits).

    One regex pass that keeps only those words: splitting a long card into all of its
    words, to look at the few that start right, was most of a one-shot search's snippets.
    Dashes and curly quotes split words as spaces do, so most cards qualify.
    """
    if not text.isascii():
        # The characters outside ASCII, in one C pass: removing every ASCII byte from the
        # UTF-8 leaves whole multi-byte sequences.
        others = text.encode("utf-8", "surrogatepass").translate(None, _ASCII_BYTES)
        if WORD.search(others.decode("utf-8", "surrogatepass")):
            return None
    # A word's first character lowercased is an initial: for an ASCII letter, either case.
    lowered = {i for i in initials if i.isascii() and i.isalnum() and i == i.lower()}
    firsts = sorted(lowered | {i.upper() for i in lowered})
    if not firsts:
        return frozenset()
    # A first character, then no letter or digit right before it (the look-behind sits
    # after the class, so the regex engine jumps between the few places that start right).
    pattern = f"[{''.join(firsts)}](?<![A-Za-z0-9].)[A-Za-z0-9]*"
    return frozenset(re.findall(pattern, text))


# ISO 639-1 code -> Snowball algorithm (PyStemmer). Ukrainian and Hebrew are kb's own.
SNOWBALL = {
    "ar": "arabic", "hy": "armenian", "eu": "basque", "ca": "catalan", "cs": "czech",
    "da": "danish", "nl": "dutch", "en": "english", "eo": "esperanto", "et": "estonian",
    "fi": "finnish", "fr": "french", "de": "german", "el": "greek", "hi": "hindi",
    "hu": "hungarian", "id": "indonesian", "ga": "irish", "it": "italian", "lt": "lithuanian",
    "ne": "nepali", "no": "norwegian", "nb": "norwegian", "fa": "persian", "pl": "polish",
    "pt": "portuguese", "ro": "romanian", "ru": "russian", "sr": "serbian", "es": "spanish",
    "sv": "swedish", "ta": "tamil", "tr": "turkish", "yi": "yiddish",
}  # fmt: skip


def normalize_lang(lang: str | None, default: str = "en") -> str:
    """A card's language code as users filter on it (``lang:uk``): lowercased primary tag."""
    code = (lang or default or "en").strip().lower().replace("_", "-").split("-")[0]
    return _ALIASES.get(code, code)


def group_of(lang: str | None, default: str = "en") -> str:
    """The analysis language of a card's ``lang`` (``en-US`` -> ``en``)."""
    return normalize_lang(lang, default)


_ASCII_LETTER = lazy(r"[A-Za-z]")


def script_of(word: str) -> str:
    """The writing system of a word: latin, cyrillic, hebrew, or other (digits: other)."""
    if word.isascii():  # most words: Latin when they have a letter
        return "latin" if _ASCII_LETTER.search(word) else "other"
    for ch in word:
        code = ord(ch)
        if ch.isascii():
            if ch.isalpha():
                return "latin"
            continue
        if 0x0400 <= code <= 0x052F:
            return "cyrillic"
        if 0x0590 <= code <= 0x05FF:
            return "hebrew"
        if ch.isalpha() and code < 0x0250:
            return "latin"
        if ch.isalpha():
            return "other"
    return "other"


_SCRIPTS = {"ru": "cyrillic", "uk": "cyrillic", "sr": "cyrillic", "he": "hebrew", "yi": "hebrew"}
_NON_LATIN = {"ar", "hy", "el", "hi", "ne", "fa", "ta"}


def script_of_lang(lang: str) -> str:
    return _SCRIPTS.get(lang, "other" if lang in _NON_LATIN else "latin")


# Words that give a short query's language away (function words, and letters only one of
# Russian/Ukrainian has). A query is short: a statistical identifier guesses poorly on it.
_LATIN_HINTS = {  # frequent words of one language that the others rarely use
    "en": "the and of to with for this that you your is are from how what which when by it be",
    "de": "der die das und ist nicht mit für ein eine den dem zu auf sie wird werden oder auch",
    "es": "el los las del por una es cómo qué se lo al está más y en su",
    "fr": "le les des et est pour avec une dans du je vous sur pas ce qui au",
    "pt": "os não com uma em do da dos das é ao você seu sua",
    "it": "il gli che è per con del della non di nel sono questo",
    "nl": "het een van niet voor met zijn dat op te ook wordt",
}
_LATIN_WORDS = {lang: frozenset(words.split()) for lang, words in _LATIN_HINTS.items()}
_HINT_LANGS: dict[str, tuple[str, ...]] = {}  # hint word -> the languages it votes for
for _lang, _words in _LATIN_WORDS.items():
    for _word in _words:
        _HINT_LANGS[_word] = (*_HINT_LANGS.get(_word, ()), _lang)
# Words of one of Russian/Ukrainian only (a word both use, such as для, votes for neither).
_RU_TEXT = """как что это где почему когда или если мой нет чтобы с со из и от все какой
который ещё еще ли кто сколько"""
_UK_TEXT = """як що це де чому коли або якщо мій немає щоб з із зі та й і від усі всі який
яка які чи ще"""
_RU_ONLY, _UK_ONLY = frozenset(_RU_TEXT.split()), frozenset(_UK_TEXT.split())
# Infinitive endings (a short query is mostly a verb and its object), -ть / -ти, and
# Russian adjective endings Ukrainian writes otherwise (-ой/-ая/-ое/-ую: -ої/-а/-е/-у).
_RU_ENDINGS = ("ть", "ться", "ой", "ая", "ое", "ую")
_UK_ENDINGS = ("ти", "тися", "тись")


def _cyrillic_votes(words: Iterable[str]) -> tuple[int, int]:
    """(Russian, Ukrainian) votes of a query's words: each word votes by its letters
    (ы э ъ ё / і ї є ґ), by being a function word of one language only, or by its
    infinitive ending."""
    ru = uk = 0
    for word in words:
        if any(ch in word for ch in "ыэъё") or word in _RU_ONLY:
            ru += 1
        elif any(ch in word for ch in "іїєґ") or word in _UK_ONLY:
            uk += 1
        elif len(word) > 4 and word.endswith(_RU_ENDINGS):
            ru += 1
        elif len(word) > 4 and word.endswith(_UK_ENDINGS):
            uk += 1
    return ru, uk


def query_languages(words: Iterable[str], present: Iterable[str]) -> frozenset[str]:
    """The languages a query is likely written in, among those ``present`` in the index.

    Empty when the query gives no confident sign (then no language is preferred).
    """
    present = set(present)
    words = [w.lower() for w in words]
    scripts = {script_of(w) for w in words} - {"other"}
    if len(scripts) != 1:
        if "cyrillic" in scripts or "hebrew" in scripts:  # commands in a Cyrillic question
            scripts -= {"latin"}
        if len(scripts) != 1:
            return frozenset()
    script = scripts.pop()
    candidates = {lang for lang in present if script_of_lang(lang) == script}
    if len(candidates) <= 1:
        return frozenset(candidates)
    if script == "cyrillic":
        ru, uk = _cyrillic_votes(words)
        chosen = {"uk"} if uk > ru else {"ru"} if ru > uk else candidates
        return frozenset(chosen & candidates)
    if script == "latin":
        votes = {
            lang: sum(w in _LATIN_WORDS[lang] for w in words)
            for lang in candidates
            if lang in _LATIN_WORDS
        }
        best = max(votes.values(), default=0)
        winners = [lang for lang, v in votes.items() if v == best]
        return frozenset(winners) if best and len(winners) == 1 else frozenset()
    return frozenset()


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


# --- a card's language from its text ----------------------------------------------------

_LATIN_LETTER = lazy(r"[A-Za-z\u00c0-\u024f]+")
_CYRILLIC_LETTER = lazy(r"[\u0400-\u04ff]+")
_HEBREW_LETTER = lazy(r"[\u05d0-\u05ea]+")
# The link with and without its "<" as two branches, not "<?https?": a branch that may
# start with anything but its first letters keeps the regex engine from skipping to the
# characters a match can start with, and it tried every position (3.6x slower on the
# generated 38k cards, the same matches).
_CODE = lazy(r"`[^`\n]*`|\{\{[^}]*\}\}|<https?://\S+|https?://\S+")


_ASCII_NON_LETTERS = bytes(b for b in range(128) if not chr(b).isalpha())


def _script_letters(sample: str) -> dict[str, int]:
    """The letters of each script in ``sample`` (runs removed: fast on long text). ASCII
    text, most pages, has Latin letters only: counted by deleting the rest, in one pass."""
    if sample.isascii():
        latin = len(sample.encode("ascii").translate(None, _ASCII_NON_LETTERS))
        return {"latin": latin, "cyrillic": 0, "hebrew": 0}
    size = len(sample)
    return {
        "latin": size - len(_LATIN_LETTER.sub("", sample)),
        "cyrillic": size - len(_CYRILLIC_LETTER.sub("", sample)),
        "hebrew": size - len(_HEBREW_LETTER.sub("", sample)),
    }


def guess_language(text: str) -> str | None:
    """A card's language from its letters and function words, or None when unsure.

    The writing system settles Hebrew; Ukrainian and Russian differ in letters each has
    (і ї є ґ / ы э ъ ё); Latin-script languages by their most frequent function words.
    Code spans and links are left out (a Russian page's commands are English). This
    covers the common cases without loading a model: py3langid, the fallback, takes
    1-5 s to load its model and 2 ms a page (measured on the tldr pages).
    """
    sample = text[:2500]
    if "`" in sample or "{{" in sample or "http" in sample:
        sample = _CODE.sub(" ", sample)
    counts = _script_letters(sample)
    total = sum(counts.values())
    if total < 20:
        return None
    script, top = max(counts.items(), key=lambda kv: kv[1])
    if top < total * 0.6:
        return None
    lowered = sample.lower()
    if script == "hebrew":
        return "he"
    if script == "cyrillic":
        uk = sum(lowered.count(ch) for ch in "іїєґ")
        ru = sum(lowered.count(ch) for ch in "ыэъё")
        # Ukrainian text of 20 letters without і/ї/є is rare; Russian has none of them.
        if uk > 3 * ru:
            return "uk"
        if (ru >= 1 and ru > 3 * uk) or uk == 0:
            return "ru"
        return None
    if script == "latin":
        # Each word looks its languages up (summing every language's hints over the
        # page's words was a fifth of building the tldr index).
        votes = dict.fromkeys(_LATIN_WORDS, 0)
        hints = Counter(filter(_HINT_LANGS.__contains__, find_words(lowered[:1200])))
        for w, count in hints.items():
            for lang in _HINT_LANGS[w]:
                votes[lang] += count
        ranked = sorted(votes.items(), key=lambda kv: -kv[1])
        (best, first), (_, second) = ranked[0], ranked[1]
        if first >= 3 and first >= 2 * second:
            return best
    return None
