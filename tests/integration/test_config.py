"""kb.toml: precedence, every problem at once, roster files."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbcli.config import find_root, load_config
from kbcli.core.durations import parse_duration
from kbcli.errors import ConfigError, NotAKnowledgeRepo


def write(root: Path, toml: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "kb.toml").write_text(toml, encoding="utf-8")
    return root


def test_defaults_then_file_then_environment_then_flags(tmp_path: Path):
    root = write(
        tmp_path,
        '[verification]\nverify_every = "6m"\nwarn_within = "30d"\n[handbook]\ntitle = "File"\n',
    )
    config = load_config(
        root,
        env={"KB_VERIFICATION_WARN_WITHIN": "7d", "KB_HANDBOOK_TITLE": "Env"},
        overrides={"handbook.title": "Flag"},
    )
    assert config.verification.verify_every == parse_duration("6m")  # file beats default
    assert config.verification.warn_within == parse_duration("7d")  # env beats file
    assert config.handbook.title == "Flag"  # flag beats env
    assert config.search.default_lang == "en"  # default


def test_every_problem_is_reported_together(tmp_path: Path):
    root = write(
        tmp_path,
        '[verification]\nverify_every = "soon"\nwarn_within = 3\n'
        '[search]\nverified_boost = "high"\n[folders.runbooks]\nverify_every = "x"\n',
    )
    with pytest.raises(ConfigError) as caught:
        load_config(root, env={})
    message = str(caught.value)
    assert "4 problem(s)" in message
    for fragment in ("verify_every", "warn_within", "verified_boost", "folders.runbooks"):
        assert fragment in message


def test_unknown_keys_warn_but_load(tmp_path: Path):
    config = load_config(write(tmp_path, '[cards]\nfolder = ["x"]\n[serach]\n'), env={})
    assert any("'folder'" in w for w in config.warnings)
    assert any("[serach]" in w for w in config.warnings)


def test_toml_syntax_error_is_a_config_error(tmp_path: Path):
    with pytest.raises(ConfigError, match="TOML"):
        load_config(write(tmp_path, "[cards\n"), env={})


def test_a_kb_toml_that_is_not_utf8_is_a_config_error_naming_the_byte(tmp_path: Path):
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "kb.toml").write_bytes(b'[handbook]\ntitle = "Caf\xe9"\n')  # Latin-1
    with pytest.raises(ConfigError, match=r"kb.toml:2: byte 0xe9 is not UTF-8"):
        load_config(tmp_path, env={})


def test_roster_from_people_yaml_and_kb_toml(tmp_path: Path):
    root = write(tmp_path, '[people.bo]\nname = "Bo Chen"\nemails = ["bo@x.test"]\n')
    (root / "people.yaml").write_text(
        "ana:\n  name: Ana\n  emails: [ana@x.test]\n  team: billing\n"
    )
    roster = load_config(root, env={}).roster
    assert set(roster.people) == {"ana", "bo"}
    (root / "people.yaml").write_text("ana: [unclosed\n")
    with pytest.raises(ConfigError, match=r"people.yaml:\d+:\d+"):
        load_config(root, env={})


def test_root_is_found_upwards_and_explicit_root_is_checked(tmp_path: Path):
    root = write(tmp_path / "kb", "")
    (root / "a" / "b").mkdir(parents=True)
    assert find_root(root / "a" / "b") == root.resolve()
    with pytest.raises(NotAKnowledgeRepo, match="kb init"):
        find_root(tmp_path)
    with pytest.raises(NotAKnowledgeRepo):
        find_root(root, explicit=str(tmp_path / "nowhere"))


def test_an_impossible_left_date_in_the_roster_is_a_config_error(tmp_path: Path):
    root = write(tmp_path, "")
    (root / "people.yaml").write_text("ana:\n  name: Ana\n  left: 2026-13-01\n")
    with pytest.raises(ConfigError, match="left"):
        load_config(root, env={})


def test_the_parsed_roster_is_cached_only_for_the_exact_text_it_came_from(tmp_path: Path):
    root = write(tmp_path, "")
    (root / ".kb").mkdir()
    people = root / "people.yaml"
    people.write_text("ana:\n  name: Ana\n  emails: [ana@x.test]\n")
    assert load_config(root, env={}).roster.display("ana") == "Ana"
    assert (root / ".kb" / "people.json").is_file()
    assert load_config(root, env={}).roster.display("ana") == "Ana"  # from the cache
    people.write_text("ana:\n  name: Ana Souza\n  emails: [ana@x.test]\n")  # same size or not
    assert load_config(root, env={}).roster.display("ana") == "Ana Souza"
    people.write_text("ana: [unclosed\n")
    with pytest.raises(ConfigError, match=r"people.yaml:\d+:\d+"):
        load_config(root, env={})
    with pytest.raises(ConfigError, match=r"people.yaml:\d+:\d+"):
        load_config(root, env={})  # a broken roster is never cached


def test_a_roster_json_cannot_hold_exactly_is_parsed_every_time(tmp_path: Path):
    root = write(tmp_path, "")
    (root / ".kb").mkdir()
    (root / "people.yaml").write_text("12: {name: Numbered}\nana: {name: Ana}\n")
    first = load_config(root, env={}).roster
    assert not (root / ".kb" / "people.json").exists()  # key 12 would come back as "12"
    assert load_config(root, env={}).roster == first


def test_the_roster_cache_is_not_written_without_a_kb_folder(tmp_path: Path):
    root = write(tmp_path, "")
    (root / "people.yaml").write_text("ana: {name: Ana}\n")
    assert load_config(root, env={}).roster.display("ana") == "Ana"
    assert not (root / ".kb").exists()


def test_kb_toml_is_parsed_again_whenever_its_text_changes(tmp_path: Path):
    root = write(tmp_path, '[handbook]\ntitle = "One"\n')
    (root / ".kb").mkdir()
    assert load_config(root, env={}).handbook.title == "One"
    assert (root / ".kb" / "kb-toml.json").is_file()
    assert load_config(root, env={}).handbook.title == "One"  # from the cache
    write(root, '[handbook]\ntitle = "Two"\n')  # same size: only the text tells
    assert load_config(root, env={}).handbook.title == "Two"
    write(root, '[handbook\ntitle = "Two"\n')
    for _ in range(2):  # a broken kb.toml is never cached: the same error every time
        with pytest.raises(ConfigError, match="fix the TOML syntax"):
            load_config(root, env={})
    (root / ".kb" / "kb-toml.json").write_text("{not json")  # a damaged cache: parsed again
    write(root, '[handbook]\ntitle = "Three"\n')
    assert load_config(root, env={}).handbook.title == "Three"


def test_a_kb_toml_json_cannot_hold_exactly_is_parsed_every_time(tmp_path: Path):
    root = write(tmp_path, '[handbook]\ntitle = "Dated"\n[extra]\nwhen = 2026-01-02\n')
    (root / ".kb").mkdir()
    first = load_config(root, env={})
    assert not (root / ".kb" / "kb-toml.json").exists()  # a date would come back as a string
    assert load_config(root, env={}) == first
    assert first.handbook.title == "Dated"


def test_the_suite_runs_with_no_kb_setting_from_the_environment(tmp_path: Path):
    """The hermetic fixture clears every variable the settings table reads: a developer's
    own ``KB_CHECK_GRACE`` or ``KB_HISTORY_INACTIVE_AFTER`` must not change a result."""
    import os

    from kbcli.config import environment_names
    from kbcli.core.settings import SECTIONS

    names = environment_names()
    assert "KB_CHECK_GRACE" in names and "KB_USAGE_LOG_USERS" in names
    assert {name.split("_")[1].lower() for name in names} == set(SECTIONS)
    # ... except the two the suite sets on purpose: no test embeds cards, or leaves a
    # kb daemon behind, unless it says so.
    set_here = [name for name in names if name in os.environ]
    assert set_here == ["KB_SEARCH_SEMANTIC", "KB_SEARCH_START_DAEMON"]
    assert os.environ["KB_SEARCH_SEMANTIC"] == os.environ["KB_SEARCH_START_DAEMON"] == "false"


def test_the_readme_reference_names_every_setting():
    """``config.reference()`` is the settings table; the README's kb.toml reference must
    have a row for each (section, key) of it, so a new setting is never undocumented."""
    import re

    from kbcli.config import reference
    from tests.helpers import REPO_ROOT

    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## kb.toml reference", 1)[1].split("\n## ", 1)[0]
    documented = set()
    for row in re.findall(r"^\| ([^|]+) \| ([^|]+) \|", table, re.M):
        section = row[0].strip().replace("folders.PATH", "folders.<path>")
        for key in re.split(r"[,/]", row[1]):
            documented.add((section, key.strip()))
    missing = [(s, k) for s, k, _default, _help in reference() if (s, k) not in documented]
    assert missing == []
