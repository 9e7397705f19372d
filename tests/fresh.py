"""Python code run in a fresh interpreter: for what is a property of a whole process (what it
imports, what it spawns)."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def run_python(code: str, *, timeout: float = 120, env: dict[str, str] | None = None) -> str:
    """Run ``code`` (dedented) with this interpreter; its stdout, stripped. Fails the test,
    with the end of its stderr, when it exits with an error."""
    run = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env=env,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    return run.stdout.strip()
