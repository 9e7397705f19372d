"""Landmark series: named landmarks, typed per-frame and per-clip pose, and cleaning."""
