"""Labelled datasets: a folder with clips and one labels.json (format in ../shared/README.md)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from formcheck.errors import InputError


@dataclass(frozen=True)
class LabelledClip:
    dataset: str  # folder name
    path: Path
    label: dict[str, Any]

    @property
    def name(self) -> str:
        return str(self.label["file"])

    @property
    def truth_path(self) -> Path:
        """Per-frame ground truth of rendered clips (``<stem>_gt.npz``), when there is one."""
        return self.path.with_name(f"{self.path.stem}_gt.npz")

    @property
    def split(self) -> str:
        """``tune`` / ``test`` for generated benchmark clips (name prefix), else ``-``."""
        prefix = self.name.split("_", 1)[0]
        return prefix if prefix in ("tune", "test") else "-"

    @property
    def view_family(self) -> str:
        """``side``, ``oblique``, ``front`` (from the feet) or ``head`` from the label's free-text
        view (``other`` otherwise)."""
        view = str(self.label.get("view", "")).lower()
        if "oblique" in view:
            return "oblique"
        if "side" in view:
            return "side"
        if view.startswith("front") or "from the feet" in view:
            return "front"
        return "head" if "from the head" in view else "other"


def load_dataset(folder: Path) -> list[LabelledClip]:
    labels_path = folder / "labels.json"
    try:
        entries = json.loads(labels_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"{labels_path}: cannot read labels ({exc})") from exc
    if not isinstance(entries, list):
        raise InputError(f"{labels_path}: expected a list of clips")
    return [LabelledClip(folder.name, folder / e["file"], e) for e in entries]
