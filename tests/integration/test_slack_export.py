"""The Slack export adapter on the fixture: folder and zip read the same, users and threads."""

from __future__ import annotations

import zipfile
from pathlib import Path

from kbcli.adapters.slack_export import iter_threads, open_export
from tests.helpers import REPO_ROOT

EXPORT = REPO_ROOT / "tests" / "fixtures" / "slack-export"


def _zip(tmp_path: Path, prefix: str) -> Path:
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        for file in sorted(EXPORT.rglob("*.json")):
            out.write(file, prefix + file.relative_to(EXPORT).as_posix())
    return archive


def _threads(path: Path) -> list[tuple[str, str, tuple[str, ...]]]:
    export = open_export(path)
    return [(t.channel, t.ts, tuple(m.text for m in t.messages)) for t in iter_threads(export)]


def test_folder_and_zip_exports_give_the_same_threads(tmp_path: Path):
    from_folder = _threads(EXPORT)
    assert from_folder == _threads(_zip(tmp_path, ""))
    assert from_folder == _threads(_zip(tmp_path, "Nimbus Slack export Nov 2026/"))
    channels = {channel for channel, _, _ in from_folder}
    assert channels == {"billing-help", "identity-help", "general"}


def test_users_keep_deleted_people_and_know_bots():
    export = open_export(EXPORT)
    assert export.users["U05DMITRI"].deleted and export.users["U05DMITRI"].display == (
        "Dmitri Volkov"
    )
    assert export.users["U08DEPLOY"].is_bot and export.users["USLACKBOT"].is_bot
    assert export.users["U01ANA"].email == "ana@nimbus.example"


def test_threads_across_midnight_and_without_deleted_parents():
    export = open_export(EXPORT)
    billing = {t.ts: t for t in export.threads(export.channel("#billing-help"))}
    refund = billing["1793749200.000100"]
    days = {f"{m.when:%Y-%m-%d}" for m in refund.messages}
    assert days == {"2026-11-03", "2026-11-04"}
    assert all("deploybot" not in m.text.lower() for m in refund.messages)
    identity = export.threads(export.channel("C02IDENT"))
    assert all(t.root.text != "This message was deleted." for t in identity)
    assert not any("no longer exists" in m.text for t in identity for m in t.messages)
