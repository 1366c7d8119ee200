"""Benchmark ``kb capture slack`` on a large synthetic Slack export, against jq.

Generates (stdlib only, seeded) a workspace export of CHANNELS channels with a day
file for each of DAYS days, MESSAGES messages a day, a third of them threads whose
replies run into the next day, plus joins, bots and edits; zips it. Then times, in
the same run and alternating between contenders (medians; read the ratios, the
machines are shared and noisy):

1. ``kb capture slack EXPORT.zip --latest 10``: every day file of every channel is
   read and threads are assembled;
2. what a user would otherwise run to list threads: ``unzip -p EXPORT.zip | jq``
   selecting messages with replies (no thread assembly, no markup, no edits);
3. a bare parse of every JSON file in the zip in one Python process (the floor);
4. ``kb capture slack EXPORT.zip --channel C --thread TS --dry-run`` on a copy of
   example-kb: one channel, the draft, and the duplicate check (search index warm).

Example: python bench/capture_bench.py --channels 20 --days 365 --messages 30 --runs 3
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KB = [sys.executable, "-m", "kbcli"]
WORDS = [
    "customer",
    "invoice",
    "refund",
    "charged",
    "twice",
    "plan",
    "seats",
    "renewal",
    "okta",
    "saml",
    "login",
    "error",
    "webhook",
    "retry",
    "timeout",
    "export",
    "csv",
    "billing",
    "workspace",
    "admin",
    "owner",
    "password",
    "reset",
    "calendar",
    "sync",
    "zapier",
    "api",
    "key",
    "rate",
    "limit",
    "backstage",
    "stripe",
    "credit",
    "note",
    "vat",
]
FLOOR = (
    "import json, sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); "
    "print(sum(len(json.loads(z.read(n))) for n in z.namelist() if n.endswith('.json')))"
)


def sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def generate(target: Path, channels: int, days: int, messages: int, seed: int) -> tuple[str, str]:
    """Write the export folder; return one (channel, thread ts) to capture."""
    rng = random.Random(seed)
    users = [
        {
            "id": f"U{i:04d}",
            "name": f"user{i}",
            "real_name": f"User {i}",
            "profile": {"real_name": f"User {i}", "email": f"user{i}@example.test"},
        }
        for i in range(60)
    ]
    (target / "users.json").write_text(json.dumps(users))
    names = [f"channel-{i}" for i in range(channels)]
    (target / "channels.json").write_text(
        json.dumps([{"id": f"C{i:04d}", "name": n} for i, n in enumerate(names)])
    )
    start = datetime(2025, 11, 1, tzinfo=UTC)
    chosen = ("", "")
    for name in names:
        folder = target / name
        folder.mkdir()
        carry: list[dict] = []
        for day in range(days):
            base = start + timedelta(days=day)
            out = carry
            carry = []
            for n in range(messages):
                moment = base + timedelta(seconds=rng.randrange(0, 86_000))
                ts = f"{int(moment.timestamp())}.{n:06d}"
                user = rng.choice(users)["id"]
                msg = {"type": "message", "user": user, "ts": ts, "text": sentence(rng, 14)}
                if n % 3 == 0:
                    msg["thread_ts"] = ts
                    msg["reply_count"] = 4
                    for r in range(4):
                        reply_at = moment + timedelta(hours=6 * (r + 1))
                        reply = {
                            "type": "message",
                            "user": rng.choice(users)["id"],
                            "ts": f"{int(reply_at.timestamp())}.{n:03d}{r:03d}",
                            "thread_ts": ts,
                            "text": f"<@{user}> " + sentence(rng, 25),
                        }
                        if r == 2:
                            reply["reactions"] = [{"name": "white_check_mark", "users": [user]}]
                        (out if reply_at.date() == base.date() else carry).append(reply)
                    if not chosen[0]:
                        chosen = (name, ts)
                out.append(msg)
            out.append(
                {
                    "type": "message",
                    "subtype": "channel_join",
                    "user": "U0001",
                    "ts": f"{int(base.timestamp())}.999999",
                    "text": "joined",
                }
            )
            (folder / f"{base:%Y-%m-%d}.json").write_text(json.dumps(out))
    return chosen


def timed(command: list[str], shell: bool = False) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system, all child processes) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    result = subprocess.run(
        " ".join(command) if shell else command, capture_output=True, shell=shell
    )
    elapsed = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{result.stderr.decode()[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--channels", type=int, default=20)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--messages", type=int, default=30, help="messages per channel and day")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if not shutil.which("jq") or not shutil.which("unzip"):
        raise SystemExit("jq and unzip are needed for the comparison")

    with tempfile.TemporaryDirectory(prefix="kb-capture-bench-") as tmp:
        work = Path(tmp)
        export = work / "export"
        export.mkdir()
        began = time.perf_counter()
        channel, thread = generate(export, args.channels, args.days, args.messages, args.seed)
        archive = work / "export.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
            for file in sorted(export.rglob("*.json")):
                out.write(file, file.relative_to(export).as_posix())
        files = sum(1 for _ in export.rglob("*.json"))
        print(
            f"export: {args.channels} channels x {args.days} days, {files} files, "
            f"{archive.stat().st_size / 2**20:.1f} MiB zipped "
            f"(generated in {time.perf_counter() - began:.1f} s)"
        )
        kb_repo = work / "kb"
        shutil.copytree(ROOT / "example-kb", kb_repo)
        capture = [*KB, "--kb", str(kb_repo), "--today", "2026-11-22", "capture", "slack"]
        one = [*capture, str(archive), "--channel", channel, "--thread", thread, "--dry-run"]
        timed(one)  # build the search index once: the duplicate check runs warm
        contenders = {
            "kb capture slack --latest 10": ([*capture, str(archive), "--latest", "10"], False),
            "unzip -p | jq (threads only)": (
                [
                    "unzip",
                    "-p",
                    str(archive),
                    "|",
                    "jq",
                    "-c",
                    "'.[] | select(.reply_count > 0) | [.ts, .reply_count]'",
                    "|",
                    "wc",
                    "-l",
                ],
                True,
            ),
            "parse every JSON file (floor)": ([sys.executable, "-c", FLOOR, str(archive)], False),
            "kb capture one thread --dry-run": (one, False),
        }
        walls: dict[str, list[float]] = {name: [] for name in contenders}
        cpus: dict[str, list[float]] = {name: [] for name in contenders}
        for _ in range(args.runs):
            for name, (command, shell) in contenders.items():
                wall, cpu = timed(command, shell=shell)
                walls[name].append(wall)
                cpus[name].append(cpu)
        jq = "unzip -p | jq (threads only)"
        base_wall, base_cpu = statistics.median(walls[jq]), statistics.median(cpus[jq])
        print(f"\n{'contender':34} {'wall s':>8} {'cpu s':>8} {'wall/jq':>8} {'cpu/jq':>8}")
        for name in contenders:
            wall, cpu = statistics.median(walls[name]), statistics.median(cpus[name])
            print(
                f"{name:34} {wall:8.2f} {cpu:8.2f} {wall / base_wall:7.2f}x {cpu / base_cpu:7.2f}x"
            )


if __name__ == "__main__":
    main()
