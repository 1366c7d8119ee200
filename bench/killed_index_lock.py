"""Whether the search index's writer lock outlives a SIGKILLed ``kb index`` (session 15).

Makes a repo of N generated cards, starts ``kb index`` (a whole rebuild with forked
workers), kills it DELAY seconds after its worker processes appear, and right after the
kill is reaped tries the writer lock (``.tantivy-writer.lock``, a ``flock``) the way the
next search would. A lock still held means the next search answers from the old index.

    python bench/killed_index_lock.py CODE_DIR SCRATCH [ROUNDS] [DELAY] [CARDS]

CODE_DIR is put on PYTHONPATH (a ``git archive`` of another commit to compare); run it
from a folder that holds no ``kbcli`` (``python -m`` puts the working folder first).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path


def cards(folder: Path, count: int) -> None:
    folder.mkdir(parents=True)
    for i in range(count):
        body = f"How to handle case {i}. " + "refund invoice password webhook export " * 40
        text = f"---\ntitle: Card {i}\nowner: ana\n---\n\n{body}\n"
        (folder / f"card-{i:05d}.md").write_text(text)


def held(lock: Path) -> bool:
    if not lock.exists():
        return False  # no writer was ever opened
    fd = os.open(lock, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    return False


def workers(pid: int) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "stat").read_text().rsplit(")", 1)[1].split()[
                1
            ] == str(pid):
                found.append(entry.name)
        except OSError:
            continue
    return found


def one_round(code: str, repo: Path, delay: float, count: int) -> bool:
    if repo.exists():
        shutil.rmtree(repo)
    repo.mkdir(parents=True)
    (repo / "kb.toml").write_text('[cards]\nfolders = ["cards"]\n')
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    cards(repo / "cards", count)
    env = {**os.environ, "PYTHONPATH": code}
    proc = subprocess.Popen(
        [sys.executable, "-m", "kbcli", "--kb", str(repo), "index"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    index = repo / ".kb" / "index"
    while not workers(proc.pid) and proc.poll() is None:
        time.sleep(0.01)  # the kill lands while the workers run (Linux's /proc)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return held(next(index.glob("tantivy-v*")) / ".tantivy-writer.lock")


def main() -> None:
    code, scratch = sys.argv[1], Path(sys.argv[2])
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    delay = float(sys.argv[4]) if len(sys.argv) > 4 else 0.4
    count = int(sys.argv[5]) if len(sys.argv) > 5 else 6000
    found = sum(one_round(code, scratch / "repo", delay, count) for _ in range(rounds))
    print(f"lock still held right after the kill: {found} of {rounds}")


if __name__ == "__main__":
    main()
