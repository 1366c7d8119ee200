"""``kb search`` asks a resident ``kb daemon`` (or ``kb serve``) first, over a Unix socket.

The daemon keeps the index open and a file watcher running, so it answers in a few
milliseconds; this side imports only ``os`` and ``socket``. When no daemon runs for the
repo (no socket, or a socket nobody listens on), when it runs another kb version or
another ``KB_*`` environment, or when it cannot answer this command line, ``ask``
returns None and the caller takes the one-shot path: the answer never depends on
whether a daemon runs.

Wire format (one request per connection): the request is NUL-separated fields
(protocol, kb version, repo root, ``KB_*`` environment, terminal facts, argv...); the
answer is ``"<exit code> <stdout bytes> <stderr bytes>\\n"`` then both outputs, or
``"fallback\\n"``.
"""

# The C module under ``socket``: ``import socket`` also loads selectors, enum and
# collections, 13 ms of a 30 ms answer (python -X importtime).
import _socket
import os

PROTOCOL = "kb-search-1"
# What the terminal looks like to rich (colour, width); the daemon renders with these.
TERMINAL_ENV = ("NO_COLOR", "FORCE_COLOR", "TERM", "COLORTERM", "COLUMNS")
TIMEOUT = 30.0  # a sync after a big change can take seconds; never hang forever


def runtime_dir() -> str:
    """A folder only this user can enter, for the sockets (a repo path can be too long
    for a socket address: Linux allows 107 bytes)."""
    base = os.environ.get("XDG_RUNTIME_DIR") or os.path.join("/tmp", f"kb-{os.getuid()}")
    return os.path.join(base, "kb") if "XDG_RUNTIME_DIR" in os.environ else base


def socket_path(root: str) -> str:
    """The daemon socket of the repo at ``root`` (a resolved path)."""
    return os.path.join(runtime_dir(), f"{_fnv1a(root):08x}-{len(root)}.sock")


def _fnv1a(text: str) -> int:
    """32-bit FNV-1a of ``text``'s bytes: a stable name without loading zlib (0.2 ms)."""
    value = 0x811C9DC5
    for byte in text.encode("utf-8", "surrogateescape"):
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


def private(folder: str) -> bool:
    """True when ``folder`` is ours and closed to everyone else (never talk to a socket
    another user could have put there)."""
    try:
        st = os.stat(folder)
    except OSError:
        return False
    return st.st_uid == os.getuid() and st.st_mode & 0o077 == 0


def kb_environment() -> str:
    return "\x1f".join(sorted(f"{k}={v}" for k, v in os.environ.items() if k.startswith("KB_")))


def request(root: str, argv: list[str]) -> bytes:
    import sys

    from kbcli import __version__

    terminal = [
        "1" if sys.stdout.isatty() else "0",
        "1" if sys.stderr.isatty() else "0",
        "\x1f".join(f"{k}={os.environ[k]}" for k in TERMINAL_ENV if k in os.environ),
    ]
    if sys.stdout.isatty():
        try:
            terminal.append(str(os.get_terminal_size(sys.stdout.fileno()).columns))
        except OSError:
            terminal.append("")
    else:
        terminal.append("")
    fields = [PROTOCOL, __version__, root, kb_environment(), *terminal, *argv]
    return "\0".join(fields).encode("utf-8", "surrogateescape")


def ask(argv: list[str], kb_dir: str | None) -> int | None:
    """Run ``kb ARGV`` in the repo's daemon: its exit code, or None to run it here
    (always with ``KB_DAEMON=off``)."""
    if os.environ.get("KB_DAEMON") == "off":
        return None
    from kbcli.repo_root import locate

    try:
        root = locate(os.getcwd(), kb_dir)
    except OSError:
        return None
    if root is None:
        return None
    path = socket_path(root)
    if not os.path.exists(path) or not private(os.path.dirname(path)):
        return None
    client = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        client.settimeout(TIMEOUT)
        client.connect(path)
        client.sendall(request(root, argv))
        client.shutdown(_socket.SHUT_WR)
        answer = _read_all(client)
    except OSError:
        return None
    finally:
        client.close()
    return _replay(answer)


def _read_all(client: _socket.socket) -> bytes:
    chunks: list[bytes] = []
    while True:
        chunk = client.recv(1 << 16)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _replay(answer: bytes) -> int | None:
    """Write the daemon's outputs; None when it asked us to run the command ourselves."""
    head, newline, rest = answer.partition(b"\n")
    parts = head.split()
    if not newline or len(parts) != 3 or not all(p.lstrip(b"-").isdigit() for p in parts):
        return None
    code, out_size, err_size = (int(p) for p in parts)
    if len(rest) != out_size + err_size:
        return None  # cut short (the daemon stopped mid-answer): run it here
    import sys

    for stream, data in ((sys.stdout, rest[:out_size]), (sys.stderr, rest[out_size:])):
        if data:
            stream.buffer.write(data)
            stream.flush()
    return code
