"""Analysis stages: view, per-frame metrics, reps and phases, faults, set summary."""
