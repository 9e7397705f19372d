"""Broken inputs a user might hand formcheck, shared by the reader and CLI tests."""

from __future__ import annotations

from pathlib import Path


def missing(tmp_path: Path) -> Path:
    return tmp_path / "missing.mp4"


def text(tmp_path: Path) -> Path:
    path = tmp_path / "clip.mp4"
    path.write_text("this is not a video\n" * 20)
    return path


def empty(tmp_path: Path) -> Path:
    path = tmp_path / "empty.mp4"
    path.touch()
    return path


def folder(tmp_path: Path) -> Path:
    path = tmp_path / "folder.mp4"
    path.mkdir()
    return path
