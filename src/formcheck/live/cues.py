"""Which cue to give, and when: debounced and prioritised.

Rules (live config): at most one cue on screen; a new cue only replaces one that has been
shown for ``cue_min_show_s``; the same cue is not given twice for the same rep; the most
severe waiting cue goes first (then the order of the rules); a cue that waited longer than
``cue_max_wait_s`` is dropped, because by then it no longer fits the moment.
"""

from __future__ import annotations

from dataclasses import dataclass

from formcheck.analysis.rules import FAULT_CODES, SHORT_CUES
from formcheck.config import LiveConfig
from formcheck.results import Rep, Severity


@dataclass(frozen=True)
class Cue:
    text: str
    fault: str | None  # fault code the cue answers (None: a setup or general cue)
    rep: int | None
    severity: Severity
    offered_s: float


class CueEngine:
    def __init__(self, cfg: LiveConfig) -> None:
        self.cfg = cfg
        self.reset()

    def reset(self) -> None:
        self._waiting: list[Cue] = []
        self._given: set[tuple[int | None, str]] = set()
        self.current: Cue | None = None
        self._shown_at = -1e9

    def offer_rep(self, rep: Rep, t_s: float) -> None:
        """Queue the cues for a rep's faults (one per fault code)."""
        for f in rep.faults:
            self.offer(Cue(SHORT_CUES.get(f.code, f.cue), f.code, rep.index, f.severity, t_s))

    def offer(self, cue: Cue) -> None:
        key = (cue.rep, cue.fault or cue.text)
        if key in self._given or any((c.rep, c.fault or c.text) == key for c in self._waiting):
            return
        self._waiting.append(cue)

    def tick(self, t_s: float) -> Cue | None:
        """Advance to ``t_s``; returns the cue that starts showing now, if any."""
        self._waiting = [c for c in self._waiting if t_s - c.offered_s <= self.cfg.cue_max_wait_s]
        if self.current is not None and t_s - self._shown_at < self.cfg.cue_min_show_s:
            return None
        if self.current is not None and not self._waiting:
            if t_s - self._shown_at >= 2 * self.cfg.cue_min_show_s:
                self.current = None  # let the screen clear
            return None
        if not self._waiting:
            return None
        self._waiting.sort(key=_priority)
        cue = self._waiting.pop(0)
        self._given.add((cue.rep, cue.fault or cue.text))
        self.current, self._shown_at = cue, t_s
        return cue


def _priority(c: Cue) -> tuple[int, int, float]:
    order = FAULT_CODES.index(c.fault) if c.fault in FAULT_CODES else len(FAULT_CODES)
    return -c.severity.rank, order, c.offered_s
