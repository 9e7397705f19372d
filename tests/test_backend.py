"""The MediaPipe backend's process-level set-up (formcheck.pose.mediapipe_backend).

Each test runs in a fresh interpreter: what is imported is a property of the whole process.
"""

from __future__ import annotations

from fresh import run_python


def test_mediapipe_loads_without_pyplot_and_pyplot_still_works() -> None:
    out = run_python(
        """
        import sys
        from formcheck.pose.mediapipe_backend import import_mediapipe

        mp = import_mediapipe()
        print("pyplot" if "matplotlib.pyplot" in sys.modules else "no pyplot")
        print("matplotlib" if "matplotlib" in sys.modules else "no matplotlib")
        from mediapipe.tasks.python.vision import drawing_utils
        figure = drawing_utils.plt.figure  # mediapipe's own use loads the real module
        import matplotlib.pyplot as plt
        print(type(plt).__name__, figure is plt.figure, callable(mp.Image))
        """
    )
    assert out.splitlines() == ["no pyplot", "no matplotlib", "module True True"]


def test_a_process_that_already_has_matplotlib_keeps_it() -> None:
    out = run_python(
        """
        import matplotlib
        from formcheck.pose.mediapipe_backend import import_mediapipe

        import_mediapipe()
        import sys
        import matplotlib.pyplot as plt
        print(sys.modules["matplotlib"] is matplotlib, type(plt).__name__)
        """
    )
    assert out == "True module"
