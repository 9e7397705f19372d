"""Check the built sdist and wheel: what they must hold, what they must not, and their size.

    python tools/check_dist.py dist/

The wheel must carry the package, the pose model (its sha256 as pinned), py.typed, the
licence and notice, and metadata declaring the tested Pythons and every dependency; it must
not carry tests, samples, benchmarks, tools or any video or landmark data. Prints one line per
file with its size; exits 1 with the reasons otherwise.
"""

from __future__ import annotations

import hashlib
import sys
import tarfile
import zipfile
from email.parser import Parser
from pathlib import Path

from formcheck.pose.models import FULL_SHA256

MODEL = "formcheck/models/pose_landmarker_full.task"
MAX_WHEEL_MB = 12.0  # the model is 9.0 MiB; the code a few hundred kB
FORBIDDEN_PARTS = ("tests", "sample_videos", "benchmarks", "tools", "shared")
FORBIDDEN_SUFFIXES = (".mp4", ".mov", ".webm", ".mkv", ".avi", ".npz", ".npy", ".png", ".jpg")
DEPENDENCIES = ("mediapipe", "opencv-contrib-python", "numpy", "scipy", "av", "tqdm", "matplotlib")


def check_wheel(path: Path) -> list[str]:
    problems = []
    with zipfile.ZipFile(path) as whl:
        names = whl.namelist()
        if MODEL not in names:
            problems.append(f"no {MODEL}")
        elif hashlib.sha256(whl.read(MODEL)).hexdigest() != FULL_SHA256:
            problems.append(f"{MODEL}: not the pinned bundle")
        for need in (
            "formcheck/py.typed",
            "formcheck/cli/__init__.py",
            "formcheck/pipeline.py",
            "formcheck/serve/templates/base.html",
            "formcheck/serve/static/style.css",
            "formcheck/serve/migrations/env.py",
            "formcheck/serve/migrations/versions/0001_initial.py",
        ):
            if need not in names:
                problems.append(f"no {need}")
        info = next(n.split("/")[0] for n in names if n.endswith(".dist-info/METADATA"))
        for legal in ("LICENSE", "NOTICE"):
            if f"{info}/licenses/{legal}" not in names:
                problems.append(f"no {legal} in {info}/licenses")
        meta = Parser().parsestr(whl.read(f"{info}/METADATA").decode())
        if meta["Requires-Python"] != "<3.14,>=3.10":
            problems.append(f"Requires-Python is {meta['Requires-Python']!r}")
        if meta["License-Expression"] != "Apache-2.0":
            problems.append(f"License-Expression is {meta['License-Expression']!r}")
        declared = {
            r.split(";")[0].split("=")[0].split(">")[0].split("<")[0].strip().lower()
            for r in meta.get_all("Requires-Dist") or []
        }
        problems += [f"dependency {d} not declared" for d in DEPENDENCIES if d not in declared]
        for name in names:
            parts = Path(name).parts
            if (parts and parts[0] in FORBIDDEN_PARTS) or name.lower().endswith(FORBIDDEN_SUFFIXES):
                problems.append(f"should not ship {name}")
    return problems


def check_sdist(path: Path) -> list[str]:
    with tarfile.open(path) as tar:
        names = {Path(n).relative_to(Path(n).parts[0]).as_posix() for n in tar.getnames()}
    need = (
        "LICENSE",
        "NOTICE",
        "README.md",
        "pyproject.toml",
        "src/" + MODEL,
        "src/formcheck/py.typed",
    )
    bad = [n for n in names if n.lower().endswith(FORBIDDEN_SUFFIXES)]
    return [f"sdist has no {n}" for n in need if n not in names] + [
        f"sdist should not ship {n}" for n in sorted(bad)
    ]


def main(folder: Path) -> int:
    wheels, sdists = sorted(folder.glob("*.whl")), sorted(folder.glob("*.tar.gz"))
    if len(wheels) != 1 or len(sdists) != 1:
        print(f"{folder}: expected one wheel and one sdist, found {wheels + sdists}")
        return 1
    problems = check_wheel(wheels[0]) + check_sdist(sdists[0])
    for path in (*wheels, *sdists):
        print(f"{path.name}: {path.stat().st_size / 2**20:.1f} MiB")
    with zipfile.ZipFile(wheels[0]) as whl:
        files = whl.infolist()
    print(f"wheel: {len(files)} files, {sum(f.file_size for f in files) / 2**20:.1f} MiB unpacked")
    if wheels[0].stat().st_size > MAX_WHEEL_MB * 2**20:
        problems.append(f"wheel larger than {MAX_WHEEL_MB} MiB")
    for p in problems:
        print(f"check_dist: {p}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "dist")))
