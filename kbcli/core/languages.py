"""Language handling for search: word splitting, Ukrainian and Hebrew, query language, snippets.

Snowball (PyStemmer, in ``adapters/text_analysis``) stems about 30 languages but has
neither Ukrainian nor Hebrew. This module holds the offline stand-ins, pure and fast
enough to run on every card of a large repo:

- Ukrainian: a light suffix stripper (reflexive particle, then the longest
  inflectional ending that leaves a stem of at least three letters, then doubled
  consonants collapsed, then the stem-final к/ц, г/з, х/с alternation folded), so
  ``повернення``, ``поверненню`` and ``повернень`` meet, and so do ``помилка`` and
  ``помилці``.
- Hebrew: niqqud dropped, plural and feminine endings (‎-ים -ות -ה‎ ...) stripped *before*
  final letters are normalised (a word ends in its final form: ‎ם‎ of ‎-ים‎), every reading
  with up to two prefix particles (ו ה ב כ ל מ ש) removed is indexed too, and the
  gershayim of an acronym (מנכ"ל) is a letter of the word, not a split.

Text is split into words as runs of letters and digits, so offsets found here line up
with what the index saw.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

_ALIASES = {"ua": "uk", "iw": "he", "eng": "en", "rus": "ru", "ukr": "uk", "heb": "he"}

WORD = re.compile(r"[^\W_]+")
_UK_APOSTROPHES = re.compile(r"(?<=[^\W\d_])['’ʼ`](?=[^\W\d_])")
# Quote marks between two Hebrew letters are gershayim/geresh (acronyms, abbreviations).
_HE_QUOTES = re.compile(r"(?<=[\u05d0-\u05ea])[\"״׳'](?=[\u05d0-\u05ea])")

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


def script_of(word: str) -> str:
    """The writing system of a word: latin, cyrillic, hebrew, or other (digits: other)."""
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
_RU_ONLY = frozenset(
    [
        "как",
        "что",
        "это",
        "где",
        "почему",
        "когда",
        "или",
        "если",
        "мой",
        "моя",
        "нет",
        "для",
        "чтобы",
    ]
)
_UK_ONLY = frozenset(
    ["як", "що", "це", "де", "чому", "коли", "або", "якщо", "мій", "моя", "немає", "для", "щоб"]
)


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
    text = " ".join(words)
    if script == "cyrillic":
        uk = any(ch in text for ch in "іїєґ") or any(w in _UK_ONLY for w in words)
        ru = any(ch in text for ch in "ыэъё") or any(w in _RU_ONLY for w in words)
        chosen = {"uk"} if uk and not ru else {"ru"} if ru and not uk else candidates
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
# Before -і the stem's last consonant alternates (к/ц, г/з, х/с): fold both to one letter.
_UK_ALTERNATION = {"к": "ц", "г": "з", "х": "с"}
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
_HE_MARKS = re.compile(r"[\u0591-\u05c7]")  # cantillation and niqqud
_HE_PREFIXES = "והבכלמש"
_HE_SUFFIXES = ("יות", "ים", "ות", "ה", "ת", "י")  # as written: ‎ם‎ is final
_HEBREW = re.compile(r"[\u05d0-\u05ea]")


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


# A word, or letters joined by gershayim/geresh (״ ׳ " '): one Hebrew word.
_HE_WORD = re.compile(r"[^\W_]+(?:[\"״׳'][\u05d0-\u05ea]+)*")


def analyze_he(text: str) -> list[str]:
    """Hebrew text as index tokens: every variant of every word, in order."""
    tokens: list[str] = []
    for match in he_words(text):
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
        for match in he_words(word):
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
    # Each distinct word is asked once, and a line none of whose words match is not
    # walked word by word: a long card's snippet cost most of a one-shot search.
    matching = {word for word in set(WORD.findall(text)) if matches(word)}
    best: tuple[float, int, int, list[tuple[int, int]]] | None = None
    for start, end in _passages(text):
        line = text[start:end]
        hits: list[tuple[int, int]] = []
        distinct: set[str] = set()
        if matching and not matching.isdisjoint(WORD.findall(line)):
            for m in WORD.finditer(line):
                if m.group() in matching:
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
    """Whether ``a`` and ``b`` are at most ``limit`` edits apart.

    Edits are insertions, deletions, substitutions and swaps of two neighbouring letters
    (optimal string alignment): ``dokcer`` is one edit from ``docker``, as typed.
    """
    if abs(len(a) - len(b)) > limit:
        return False
    if a == b:
        return True
    before: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        low = current[0]
        for j, cb in enumerate(b, 1):
            cost = previous[j - 1] + (ca != cb)
            value = min(previous[j] + 1, current[j - 1] + 1, cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, before[j - 2] + 1)
            current[j] = value
            low = min(low, value)
        if low > limit:
            return False
        before, previous = previous, current
    return previous[-1] <= limit


def typo_distance(word: str) -> int:
    """How many edits a typo of ``word`` may have: none under 4 letters, 2 from 8."""
    if len(word) < 4 or word.isdigit():
        return 0
    return 1 if len(word) < 8 else 2


# --- a card's language from its text ----------------------------------------------------

_LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f]+")
_CYRILLIC_LETTER = re.compile(r"[\u0400-\u04ff]+")
_HEBREW_LETTER = re.compile(r"[\u05d0-\u05ea]+")
_CODE = re.compile(r"`[^`\n]*`|\{\{[^}]*\}\}|<?https?://\S+")


def guess_language(text: str) -> str | None:
    """A card's language from its letters and function words, or None when unsure.

    The writing system settles Hebrew; Ukrainian and Russian differ in letters each has
    (і ї є ґ / ы э ъ ё); Latin-script languages by their most frequent function words.
    Code spans and links are left out (a Russian page's commands are English). This
    covers the common cases without loading a model: py3langid, the fallback, takes
    1-5 s to load its model and 2 ms a page (measured on the tldr pages).
    """
    sample = _CODE.sub(" ", text[:2500])
    size = len(sample)
    counts = {  # letters of each script (runs removed: fast on long text)
        "latin": size - len(_LATIN_LETTER.sub("", sample)),
        "cyrillic": size - len(_CYRILLIC_LETTER.sub("", sample)),
        "hebrew": size - len(_HEBREW_LETTER.sub("", sample)),
    }
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
        for w in WORD.findall(lowered[:1200]):
            for lang in _HINT_LANGS.get(w, ()):
                votes[lang] += 1
        ranked = sorted(votes.items(), key=lambda kv: -kv[1])
        (best, first), (_, second) = ranked[0], ranked[1]
        if first >= 3 and first >= 2 * second:
            return best
    return None
