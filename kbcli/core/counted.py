"""A count with its noun in the right number: "1 card", "2 cards"."""


def counted(n: int, word: str, plural: str | None = None) -> str:
    """``n`` and ``word``, made plural (``plural``, else ``word + "s"``) unless n is 1."""
    return f"{n} {word if n == 1 else (plural or word + 's')}"
