"""Thresholds (formcheck.config): defaults, TOML overrides, and errors that name the key."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from formcheck.config import (
    Config,
    FaultConfig,
    describe,
    load_config,
)
from formcheck.errors import EXIT_USAGE, ConfigError

SECTIONS = {f.name: type(getattr(Config(), f.name)) for f in dataclasses.fields(Config)}


def _toml(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "formcheck.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_no_file_gives_the_defaults() -> None:
    cfg = load_config(None)
    assert cfg == Config()
    assert cfg.faults.lockout_min_deg == Config().faults.lockout_min_deg
    assert cfg.cleaning.min_visibility == 0.3


def test_every_default_lies_in_its_own_range() -> None:
    for section in SECTIONS.values():
        for f in dataclasses.fields(section):
            lo, hi = f.metadata["range"]
            assert lo <= f.default <= hi, f"{section.__name__}.{f.name}"


@pytest.mark.parametrize(
    ("text", "section", "key", "value"),
    [
        # a float override
        ("[faults]\nlockout_min_deg = 168.5\n", "faults", "lockout_min_deg", 168.5),
        # an integer is accepted and stored as float
        ("[reps]\nmin_rise = 1\n", "reps", "min_rise", 1.0),
        # a negative value inside a range that allows it
        ("[faults]\nneck_max_deg = -20\n", "faults", "neck_max_deg", -20.0),
        # the range ends are inclusive
        ("[cleaning]\nmin_visibility = 0\n", "cleaning", "min_visibility", 0.0),
        ("[cleaning]\nmin_visibility = 1.0\n", "cleaning", "min_visibility", 1.0),
    ],
)
def test_toml_overrides_one_value(
    tmp_path: Path, text: str, section: str, key: str, value: float
) -> None:
    cfg = load_config(_toml(tmp_path, text))
    got = getattr(getattr(cfg, section), key)
    assert got == value and isinstance(got, float)
    # everything else keeps its default
    default = getattr(Config(), section)
    assert dataclasses.replace(getattr(cfg, section), **{key: getattr(default, key)}) == default
    others = [s for s in SECTIONS if s != section]
    assert all(getattr(cfg, s) == getattr(Config(), s) for s in others)


def test_toml_overrides_several_sections(tmp_path: Path) -> None:
    path = _toml(tmp_path, "[cleaning]\ncutoff_hz = 6\n\n[faults]\nshin_max_deg = 20\n")
    cfg = load_config(path)
    assert (cfg.cleaning.cutoff_hz, cfg.faults.shin_max_deg) == (6.0, 20.0)


def test_an_empty_file_gives_the_defaults(tmp_path: Path) -> None:
    assert load_config(_toml(tmp_path, "# nothing to change\n")) == Config()


@pytest.mark.parametrize(
    ("text", "must_mention"),
    [
        # unknown section: named, with the allowed ones
        ("[fault]\nlockout_min_deg = 170\n", ["[fault]", "unknown section", "faults"]),
        # unknown key: named, with the section
        ("[faults]\nlockout_deg = 170\n", ["'lockout_deg'", "[faults]", "lockout_min_deg"]),
        # above the range: the key, the value and the range with its unit
        ("[faults]\nlockout_min_deg = 200\n", ["lockout_min_deg", "200", "[120, 180]", "deg"]),
        # below the range
        ("[cleaning]\ncutoff_hz = 0.1\n", ["cutoff_hz", "0.1", "[0.5, 30]", "Hz"]),
        # a string where a number belongs
        ('[reps]\nmin_rise = "high"\n', ["min_rise", "'high'", "[0.02, 2]"]),
        # a boolean is not a number here
        ("[cleaning]\nmax_gap_s = true\n", ["max_gap_s", "True", "[0, 5]"]),
        # an array is not a number
        ("[faults]\nshin_max_deg = [10, 20]\n", ["shin_max_deg", "[1, 60]"]),
        # NaN is not inside any range
        ("[faults]\nshin_max_deg = nan\n", ["shin_max_deg", "nan", "[1, 60]"]),
        # a section that is not a table
        ("faults = 3\n", ["[faults]", "must be a table"]),
        # not TOML at all
        ("[faults\nlockout_min_deg = \n", ["cannot read config"]),
    ],
)
def test_bad_config_names_the_problem(tmp_path: Path, text: str, must_mention: list[str]) -> None:
    path = _toml(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert "\n" not in message  # one line for the CLI
    assert str(path) in message
    for part in must_mention:
        assert part in message
    assert info.value.exit_code == EXIT_USAGE


def test_a_missing_config_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read config"):
        load_config(tmp_path / "absent.toml")


@pytest.mark.parametrize("section", [s() for s in SECTIONS.values()])
def test_describe_lists_every_field_with_a_unit_and_a_reason(section: object) -> None:
    rows = describe(section)
    names = [f.name for f in dataclasses.fields(section)]  # type: ignore[arg-type]
    assert [r[0] for r in rows] == names
    for name, value, unit, why in rows:
        assert value == getattr(section, name)
        assert unit and isinstance(unit, str), name
        assert why and isinstance(why, str), name


def test_describe_shows_overridden_values(tmp_path: Path) -> None:
    cfg = load_config(_toml(tmp_path, "[faults]\ntop_hold_min_s = 1.5\n"))
    rows = {name: (value, unit) for name, value, unit, _ in describe(cfg.faults)}
    assert rows["top_hold_min_s"] == (1.5, "s")


def test_configs_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        Config().faults.lockout_min_deg = 1.0  # type: ignore[misc]


def test_faults_doc_is_current() -> None:
    """docs/FAULTS.md is generated from the rules and config: regenerate after changes."""
    import importlib.util

    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location("gen", root / "tools" / "gen_faults_doc.py")
    assert spec and spec.loader
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    assert (root / "docs" / "FAULTS.md").read_text(encoding="utf-8") == gen.render()


def test_every_rule_has_its_certainty_in_the_config() -> None:
    """A rule's certainty scales its findings' confidence (and so drops or keeps them): it is a
    threshold like the others, one per rule, in [faults]."""
    from formcheck.analysis.rules import RULES

    names = {f.name for f in dataclasses.fields(FaultConfig)}
    assert {f"certainty_{code}" for code in RULES} <= names
    assert {n for n in names if n.startswith("certainty_")} == {f"certainty_{c}" for c in RULES}
