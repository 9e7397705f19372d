"""Every threshold the analysis uses, once, with its unit, allowed range and source.

Defaults come from the coaching documents in ../shared/seeds/ where they give a
number (hold 1-2 s, rep ranges, "shins vertical"), otherwise from measurements
on labelled clips (docs/ACCURACY.md). A TOML file overrides any of them::

    [faults]
    lockout_min_deg = 168

Unknown sections or keys, and values outside the allowed range, are errors that
name the key and the range.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: the same parser, from PyPI
    import tomli as tomllib

from formcheck.config.analysis import (
    CleaningConfig,
    RepConfig,
    ShotConfig,
    TrackingConfig,
    ViewConfig,
)
from formcheck.config.faults import FaultConfig
from formcheck.config.live import LiveConfig
from formcheck.config.load import LoadConfig
from formcheck.errors import ConfigError

__all__ = [
    "CleaningConfig",
    "Config",
    "FaultConfig",
    "LiveConfig",
    "LoadConfig",
    "RepConfig",
    "ShotConfig",
    "TrackingConfig",
    "ViewConfig",
    "describe",
    "load_config",
    "with_plate",
]


@dataclass(frozen=True)
class Config:
    cleaning: CleaningConfig = field(default_factory=CleaningConfig)
    reps: RepConfig = field(default_factory=RepConfig)
    faults: FaultConfig = field(default_factory=FaultConfig)
    load: LoadConfig = field(default_factory=LoadConfig)
    shots: ShotConfig = field(default_factory=ShotConfig)
    view: ViewConfig = field(default_factory=ViewConfig)
    tracking: TrackingConfig = field(default_factory=TrackingConfig)
    live: LiveConfig = field(default_factory=LiveConfig)


def describe(section: object) -> list[tuple[str, float, str, str]]:
    """(name, value, unit, reason) rows of one config section, for docs and --help."""
    return [
        (f.name, getattr(section, f.name), f.metadata["unit"], f.metadata["why"])
        for f in fields(section)  # type: ignore[arg-type]
    ]


def load_config(path: str | Path | None) -> Config:
    """Defaults, overridden by a TOML file when ``path`` is given."""
    cfg = Config()
    if path is None:
        return cfg
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: cannot read config (not UTF-8 text)") from exc
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config ({str(exc).splitlines()[0]})") from exc
    sections = {f.name: getattr(cfg, f.name) for f in fields(cfg)}
    updates = {}
    for name, values in data.items():
        if name not in sections:
            raise ConfigError(f"{path}: unknown section [{name}] (allowed: {', '.join(sections)})")
        if not isinstance(values, dict):
            raise ConfigError(f"{path}: [{name}] must be a table")
        updates[name] = _override(sections[name], values, f"{path}: [{name}]")
    return replace(cfg, **updates)


def _override(section: Any, values: dict[str, Any], where: str) -> Any:
    allowed = {f.name: f for f in fields(section)}
    for key, value in values.items():
        if key not in allowed:
            raise ConfigError(f"{where} unknown key {key!r} (allowed: {', '.join(allowed)})")
        lo, hi = allowed[key].metadata["range"]
        unit = allowed[key].metadata["unit"]
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise ConfigError(
                f"{where} {key} = {value!r} is not a number (allowed: [{lo}, {hi}] {unit})"
            )
        if not lo <= value <= hi:
            raise ConfigError(f"{where} {key} = {value!r} is outside [{lo}, {hi}] {unit}")
    return replace(section, **{k: float(v) for k, v in values.items()})


def with_plate(cfg: Config, plate_cm: float | None) -> Config:
    """``cfg`` with the plate diameter of ``--plate-cm`` (checked as a config value)."""
    if plate_cm is None:
        return cfg
    return replace(cfg, load=_override(cfg.load, {"plate_cm": plate_cm}, "--plate-cm:"))
