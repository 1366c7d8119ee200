"""Where the knowledge repo is: the folder holding kb.toml, found with ``os.path`` alone.

``kb search`` asks this before it imports anything else, so that it can start the
``git status`` freshness check at once; ``config.find_root`` wraps it with the error
messages.
"""

import os

CONFIG_FILE = "kb.toml"
CACHE_DIR = ".kb"  # kb's caches in a knowledge repo (git-ignored)


def locate(start: str, explicit: str | None = None) -> str | None:
    """The resolved root: ``explicit`` if it holds kb.toml, else the nearest folder up from
    ``start`` that does; None when there is none."""
    if explicit:
        root = os.path.expanduser(explicit)
        if not os.path.isfile(os.path.join(root, CONFIG_FILE)):
            return None
        return os.path.realpath(root)
    here = os.path.realpath(start)
    while True:
        if os.path.isfile(os.path.join(here, CONFIG_FILE)):
            return here
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent
