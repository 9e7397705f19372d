"""Command line: ``formcheck analyze | live | batch | synth | eval | models | serve | users``.

The only module that prints. Errors a user can fix are one line on stderr with
a documented exit code (formcheck.errors); ``--debug`` shows tracebacks.
"""

from __future__ import annotations

import os
import sys

# Quiet the native libraries before they are imported (their logs are not for users: an
# OpenCV "[ERROR:0@0.4] ... Camera index out of range" beside formcheck's own one line);
# --debug keeps them.
os.environ.setdefault("GLOG_minloglevel", "0" if "--debug" in sys.argv else "2")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "0" if "--debug" in sys.argv else "2")
os.environ.setdefault("OPENCV_LOG_LEVEL", "INFO" if "--debug" in sys.argv else "FATAL")
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")  # the live window's Qt
# One BLAS thread per process: formcheck's arrays are small and its processes already fill
# the cores. OpenBLAS's own threads cost each process ~0.2 s of a core when numpy loads, and
# a process with threads cannot fork its landmarker workers (formcheck.processes).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import gc
import logging
from collections.abc import Sequence

from formcheck import errors
from formcheck.cli.commands import cmd_analyze, cmd_eval, cmd_models, cmd_synth
from formcheck.cli.parser import build_parser
from formcheck.cli.serve import cmd_serve, cmd_users
from formcheck.cli.sessions import cmd_batch, cmd_live

__all__ = ["main", "run"]


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.WARNING,
        format="formcheck: %(levelname)s: %(message)s",
    )
    commands = {
        "analyze": cmd_analyze,
        "synth": cmd_synth,
        "eval": cmd_eval,
        "live": cmd_live,
        "batch": cmd_batch,
        "models": cmd_models,
        "serve": cmd_serve,
        "users": cmd_users,
    }
    try:
        return commands[args.command](args)
    except errors.FormcheckError as exc:
        if args.debug:
            raise
        print(f"formcheck: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("formcheck: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if args.debug:
            raise
        print(
            f"formcheck: internal error: {type(exc).__name__}: {exc} "
            "(run with --debug for details)",
            file=sys.stderr,
        )
        return errors.EXIT_INTERNAL


def run() -> int:
    """The ``formcheck`` command: `main`, in a process that ends right after it."""
    code = main()
    # Nothing is left to clean up: skip the final collection of every object the process
    # holds, 0.15-0.3 s once scipy and matplotlib are loaded (docs/PERFORMANCE.md).
    gc.freeze()
    return code
