"""A card's language when its front matter does not say: kb's quick guess, else py3langid.

``core.languages.guess_language`` settles most pages from their letters and function
words; the rest go to py3langid (BSD-3, a 4.5 MB model inside the package, no download),
loaded once per process and only when needed: loading its model takes 1-5 s.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from kbcli.core.languages import guess_language, normalize_lang

_MIN_PROBABILITY = 0.8
FILE = "languages.marshal"  # under .kb/: the languages detected for cards without lang
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
            _identifier = _load_identifier()
        lang, probability = _identifier.classify(text[:4000])
    except ImportError:
        return None
    return normalize_lang(str(lang)) if float(probability) >= _MIN_PROBABILITY else None


def _load_identifier() -> Any:
    """py3langid's identifier, its model read from an unpacked copy in the user's cache.

    The model ships xz-compressed (68 MB unpacked); unpacking it was 1.2 s of every
    process that needed it, a quarter of a first ``kb index`` of the tldr pages. The
    copy holds the same arrays (mapped from disk, checked by a crc32), so the answers are
    the same. It is named by the packed model's hash; a missing, damaged or unwritable
    copy means unpacking as py3langid does.
    """
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    from kbcli.adapters import unpacked_arrays

    model = MODEL_DIR / MODEL_FILE
    copy = _unpacked_path(model)
    found = unpacked_arrays.load(copy)
    if found is None:
        found = _unpack(model)
        unpacked_arrays.save(copy, found, "py3langid-*")
    ptc, pc, nextmove, row, output = (found[n] for n in _ARRAYS)
    classes = [str(c) for c in found["classes"].tolist()]
    return LanguageIdentifier(
        ptc, pc, classes, _plain(nextmove), output.tolist(), norm_probs=True, tk_row=_plain(row)
    )


_ARRAYS = ("ptc", "pc", "nextmove", "nextmove_row", "out_feat")


def _unpacked_path(model: Path) -> Path:
    """Named by a hash of the packed model's bytes (4.5 MB, a few ms): every install of
    the same model, in any environment, shares one copy."""
    import hashlib

    from kbcli.adapters.unpacked_arrays import user_cache

    digest = hashlib.blake2b(model.read_bytes(), digest_size=12).hexdigest()
    return user_cache() / f"py3langid-{digest}"


def _unpack(model: Path) -> dict[str, Any]:
    """The model's arrays, unpacked as py3langid's own loader does."""
    import lzma
    import shutil
    import tempfile

    import numpy as np

    with tempfile.TemporaryFile(suffix=".npz") as tmp:
        with lzma.open(model) as src:
            shutil.copyfileobj(src, tmp, length=1 << 20)
        tmp.seek(0)
        with np.load(tmp, allow_pickle=False) as data:
            return {name: data[name] for name in (*_ARRAYS, "classes")}


def _plain(values: Any) -> memoryview:
    """A NumPy array of unsigned ints as plain ints (what py3langid's loader makes with a
    stdlib array; a view of the same bytes indexes as fast, without a 39 MB copy)."""
    codes: dict[int, Literal["H", "I", "L"]] = {2: "H", 4: "I", 8: "L"}
    return memoryview(values).cast("B").cast(codes[values.dtype.itemsize])


class Detector:
    """``detect`` with what earlier runs found, kept in one file by a hash of each text.

    A build detects the language of every card without ``lang``; py3langid's model
    alone takes 1-5 s to load, so a build after one edit asks only about the texts it
    has not seen. The file is keyed by kb's version and the guess's own source, so a
    changed rule never answers from an old file; a missing or damaged file means
    detecting again.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.key = _cache_key()
        self.known: dict[bytes, str | None] = {}
        if path is not None:
            from kbcli.adapters import keyed_cache

            found = keyed_cache.load(path, self.key)
            if isinstance(found, dict):
                self.known = found
        self.used: dict[bytes, str | None] = {}
        self.new = 0

    def __call__(self, text: str) -> str | None:
        import hashlib

        name = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
        return self._lookup(name, lambda: text)

    def by_id(self, ident: str, text: Callable[[], str]) -> str | None:
        """The language of the text ``text()`` gives, known by ``ident`` (a string that
        stands for that text, e.g. a hash of the bytes it was parsed from): ``text`` is
        called only when this id was not seen before."""
        import hashlib

        name = hashlib.blake2b(b"id\0" + ident.encode("utf-8"), digest_size=16).digest()
        return self._lookup(name, text)

    def _lookup(self, name: bytes, text: Callable[[], str]) -> str | None:
        if name in self.known:
            lang = self.known[name]
        else:
            lang = detect(text())
            self.new += 1
        self.used[name] = lang
        return lang

    def take_new(self) -> tuple[dict[bytes, str | None], int]:
        """What was asked since the last call, forgotten here: a worker process hands it
        to ``add_new``."""
        new = (self.used, self.new)
        self.used, self.new = {}, 0
        return new

    def add_new(self, new: tuple[dict[bytes, str | None], int]) -> None:
        """Keep what another process's detector was asked (``take_new``)."""
        used, count = new
        self.used.update(used)
        self.new += count

    def save(self) -> None:
        """Keep what this run detected (and the earlier entries, unless they are many)."""
        if self.path is None or not self.new:
            return
        from kbcli.adapters import keyed_cache

        kept = self.known | self.used
        if len(kept) > 2 * len(self.used) + 1000:  # old texts pile up: keep this run's
            kept = self.used
        keyed_cache.save(self.path, self.key, kept)


def _cache_key() -> tuple[str, str, str]:
    import hashlib

    from kbcli import __version__
    from kbcli.core import languages

    source = Path(languages.__file__).read_bytes() + Path(__file__).read_bytes()
    return (__version__, hashlib.blake2b(source, digest_size=16).hexdigest(), _model_version())


def _model_version() -> str:
    """py3langid's installed version, as its ``*.dist-info`` folder names it; "" when it
    is not installed. Importing ``importlib.metadata`` to ask would cost 30-40 ms of
    every build and index run."""
    import importlib.util

    spec = importlib.util.find_spec("py3langid")
    if spec is None or not spec.submodule_search_locations:
        return ""
    site = Path(next(iter(spec.submodule_search_locations))).parent
    return ",".join(sorted(p.name for p in site.glob("py3langid-*.dist-info")))
