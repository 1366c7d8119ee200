"""A card's language when its front matter does not say: kb's quick guess, else py3langid.

``core.languages.guess_language`` settles most pages from their letters and function
words; the rest go to py3langid (BSD-3, a 4.5 MB model inside the package, no download),
loaded once per process and only when needed: loading its model takes 1-5 s.
"""

from __future__ import annotations

from typing import Any

from kbcli.core.languages import guess_language, normalize_lang

_MIN_PROBABILITY = 0.8
_identifier: Any = None


def detect(text: str) -> str | None:
    """The language code of ``text``, or None when neither guess is confident."""
    quick = guess_language(text)
    if quick is not None:
        return quick
    if len(text.strip()) < 40:
        return None
    global _identifier
    try:
        if _identifier is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            _identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        lang, probability = _identifier.classify(text[:4000])
    except ImportError:
        return None
    return normalize_lang(str(lang)) if float(probability) >= _MIN_PROBABILITY else None
