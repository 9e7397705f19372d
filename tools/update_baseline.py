"""Regenerate tests/baseline_metrics.json, the accuracy floor the test suite enforces.

    python tools/update_baseline.py

Evaluates ../shared/synth, ../shared/videos and sample_videos/ (landmarks cached in the user
cache) and writes the summary: the messy real-world clips of tests/known.py apart ("messy"),
so each part has its own floor. Commit the new baseline only with the change that earned it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from formcheck.evaluate.cache import default_cache_dir
from formcheck.evaluate.run import evaluate
from formcheck.evaluate.summary import summarize

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
import known  # noqa: E402 - the messy clips' list lives with the tests that mark them

FOLDERS = [
    ROOT.parent / "shared" / "synth",
    ROOT.parent / "shared" / "videos",
    ROOT / "sample_videos",
]


def main() -> int:
    rows = evaluate(FOLDERS, default_cache_dir()).rows
    summary = summarize(tuple(r for r in rows if r.clip.name not in known.MESSY))
    baseline = {
        "datasets": [f.name for f in FOLDERS],
        "overall": summary["overall"],
        "groups": summary["groups"],
        # the messy real-world clips (tests/known.py) have a floor of their own
        "messy": summarize(tuple(r for r in rows if r.clip.name in known.MESSY))["overall"],
    }
    target = ROOT / "tests" / "baseline_metrics.json"
    target.write_text(json.dumps(baseline, indent=1) + "\n", encoding="utf-8")
    sys.stdout.write(f"wrote {target}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
