"""py3langid's model unpacked once into the user's cache: same languages, damage-proof."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbcli.adapters import language_id, unpacked_arrays

# Pages the quick guess leaves to py3langid (short, few function words) and longer ones.
TEXTS = [
    "Verwalte Container und Abbilder mit Docker auf diesem Rechner.",
    "Gestiona los contenedores y las imágenes de Docker en esta máquina.",
    "Gère les conteneurs et les images Docker sur cette machine locale.",
    "Zarządzaj kontenerami i obrazami Dockera na tej maszynie lokalnej.",
    "List files in a directory, sorted by their size and modification time.",
    "Показати вміст файлу з номерами рядків, по одному екрану за раз.",
]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "kb"


def _answers() -> list[tuple[str, float]]:
    identifier = language_id._load_identifier()
    return [identifier.classify(text) for text in TEXTS]


def _stock() -> list[tuple[str, float]]:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return [identifier.classify(text) for text in TEXTS]


def test_the_kept_copy_answers_as_py3langid_itself(cache: Path) -> None:
    stock = _stock()
    assert _answers() == stock  # first run: unpacked from the package, copy written
    (copy,) = cache.glob("py3langid-*")
    assert _answers() == stock  # later runs: from the copy
    assert list(cache.glob("py3langid-*")) == [copy]


@pytest.mark.parametrize("damage", ["flip", "truncate", "garbage"])
def test_a_damaged_copy_is_unpacked_again(cache: Path, damage: str) -> None:
    stock = _answers()
    (copy,) = cache.glob("py3langid-*")
    data = bytearray(copy.read_bytes())
    if damage == "flip":
        data[len(data) // 2] ^= 0x40
    elif damage == "truncate":
        del data[len(data) // 3 :]
    else:
        data[:] = b"not a model" * 100
    copy.write_bytes(bytes(data))
    assert unpacked_arrays.load(copy) is None
    assert _answers() == stock
    assert unpacked_arrays.load(copy) is not None  # written again


def test_an_unwritable_cache_still_detects(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache folder would be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert _answers() == _stock()


def test_kept_arrays_read_back_equal_and_only_the_newest_few_stay(tmp_path: Path) -> None:
    import os

    import numpy as np

    arrays = {
        "table": np.arange(12, dtype=np.float16).reshape(3, 4),
        "moves": np.array([0, 7, 65535], dtype=np.uint32),
        "names": np.array(["en", "ru", "uk"]),
    }
    for number in range(5):
        path = tmp_path / f"model-{number}"
        unpacked_arrays.save(path, arrays, "model-*")
        os.utime(path, (1_000_000 + number, 1_000_000 + number))
        found = unpacked_arrays.load(path)
        assert found is not None
        assert {k: v.tolist() for k, v in found.items()} == {
            k: v.tolist() for k, v in arrays.items()
        }
    assert sorted(p.name for p in tmp_path.glob("model-*")) == ["model-2", "model-3", "model-4"]
