"""Which forge holds a git remote, and where its API is: for opening merge requests.

Pure: a remote URL and two settings in, a ``Forge`` (or None) out. GitHub (github.com or
GitHub Enterprise, API under ``/api/v3``) and GitLab (``/api/v4``) are known; any other
host needs ``[capture] forge`` to say which it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

KINDS = ("github", "gitlab")

# git@host:group/project.git (scp-like syntax: no scheme, a colon before the path)
_SCP = re.compile(r"^(?:[^@/]+@)?(?P<host>[^:/]+):(?P<path>[^/].*)$")


@dataclass(frozen=True)
class Forge:
    kind: str  # "github" | "gitlab"
    api: str  # base address, no trailing slash
    project: str  # "owner/repo" (GitHub) or "group/subgroup/project" (GitLab)
    host: str


def parse_remote(url: str) -> tuple[str, str, str] | None:
    """(scheme, host, project path) of a remote URL; None for a local path or no project."""
    url = url.strip()
    if "://" in url:
        parts = urlsplit(url)
        if parts.scheme == "file" or not parts.hostname:
            return None
        scheme, host, path = parts.scheme, parts.hostname, parts.path
    else:
        found = _SCP.match(url)
        if not found or url.startswith(("/", ".")):
            return None
        scheme, host, path = "ssh", found["host"], found["path"]
    path = path.strip("/").removesuffix(".git").strip("/")
    if path.count("/") < 1:
        return None
    return scheme, host, path


def forge_for(remote_url: str, kind: str = "", api: str = "") -> Forge | None:
    """The forge of ``remote_url``; ``kind`` and ``api`` are ``[capture] forge``/``forge_api``."""
    parsed = parse_remote(remote_url)
    if parsed is None:
        return None
    scheme, host, project = parsed
    kind = kind.strip().lower()
    if kind == "none":
        return None
    if not kind:
        kind = next((k for k in KINDS if k in host.lower()), "")
    if kind not in KINDS:
        return None
    if api:
        base = api.rstrip("/")
    elif kind == "github" and host.lower() == "github.com":
        base = "https://api.github.com"
    else:
        web = scheme if scheme in ("http", "https") else "https"
        base = f"{web}://{host}/api/{'v3' if kind == 'github' else 'v4'}"
    return Forge(kind, base, project, host)


def token_names(kind: str) -> tuple[str, ...]:
    """Environment variables that may hold the forge token, the first set wins."""
    return ("KB_FORGE_TOKEN", "GITHUB_TOKEN" if kind == "github" else "GITLAB_TOKEN")
