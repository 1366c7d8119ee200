"""kb: a git-backed knowledge base for support and engineering teams."""

__version__ = "0.1.0"
