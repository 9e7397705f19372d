"""formcheck: rep-by-rep hip-thrust form coaching from video.

    >>> import formcheck
    >>> report = formcheck.analyze("set.mp4")          # doctest: +SKIP
    >>> report.rep_count, report.summary.score          # doctest: +SKIP

``import formcheck`` does not import mediapipe; the model loads on first analysis.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("formcheck")  # one source: pyproject.toml, via the installed metadata
except PackageNotFoundError:  # a source tree on sys.path without installing it
    __version__ = "0+unknown"
__all__ = ["Config", "SetReport", "analyze", "load_config"]

if TYPE_CHECKING:
    from formcheck.config import Config, load_config
    from formcheck.pipeline import analyze
    from formcheck.results import SetReport


def __getattr__(name: str) -> Any:
    if name == "analyze":
        from formcheck.pipeline import analyze

        return analyze
    if name in ("Config", "load_config"):
        from formcheck import config

        return getattr(config, name)
    if name == "SetReport":
        from formcheck.results import SetReport

        return SetReport
    raise AttributeError(name)
