"""Spoken cues through a local text-to-speech program (espeak-ng or espeak), when installed.

Speaking never blocks the loop: a cue is dropped while the previous one is still being said.
"""

from __future__ import annotations

import logging
import shutil
import subprocess

log = logging.getLogger(__name__)

ENGINES = ("espeak-ng", "espeak")


class Voice:
    def __init__(self, words_per_minute: int = 170) -> None:
        self.program = next((p for p in map(shutil.which, ENGINES) if p), None)
        self.wpm = words_per_minute
        self._proc: subprocess.Popen[bytes] | None = None
        if self.program is None:
            log.info("spoken cues off: no text-to-speech program found (install espeak-ng)")

    @property
    def available(self) -> bool:
        return self.program is not None

    def say(self, text: str) -> bool:
        """Start saying ``text``; False when off or still speaking."""
        if self.program is None or (self._proc is not None and self._proc.poll() is None):
            return False
        self._proc = subprocess.Popen(
            [self.program, "-s", str(self.wpm), text],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        return True

    def close(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
