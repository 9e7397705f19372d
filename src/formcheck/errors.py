"""Errors a user can fix, each with the CLI exit code documented in README.md.

Library code raises these; only the CLI turns them into one line on stderr.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_USAGE = 2
EXIT_INPUT = 3
EXIT_MODEL = 4
EXIT_NO_PERSON = 5
EXIT_NOT_HIP_THRUST = 6


class FormcheckError(Exception):
    """Base class: ``str(err)`` is the one line shown to the user."""

    exit_code = EXIT_INTERNAL


class InputError(FormcheckError):
    """Missing file, not a video, unreadable or truncated with no frames, bad landmarks file."""

    exit_code = EXIT_INPUT


class ConfigError(FormcheckError):
    """A config file names an unknown key or a value out of range."""

    exit_code = EXIT_USAGE


class ModelError(FormcheckError):
    """Pose model missing, checksum mismatch, or a download that cannot happen offline."""

    exit_code = EXIT_MODEL


class NoPersonError(FormcheckError):
    """No person was detected in enough of the clip to analyse it."""

    exit_code = EXIT_NO_PERSON


EXIT_CAMERA = 7


class CameraError(FormcheckError):
    """No camera, a camera another program holds, or one unplugged during the set."""

    exit_code = EXIT_CAMERA


class UsageError(FormcheckError):
    """Options that do not go together."""

    exit_code = EXIT_USAGE


#: formcheck batch: some clips failed (each has a row with its reason; the rest completed).
EXIT_BATCH_FAILED = 8

#: formcheck analyze: the pose was tracked too badly to count reps (the report says why).
EXIT_TRACKING_UNRELIABLE = 9


class BatchBusyError(FormcheckError):
    """Another ``formcheck batch`` holds the output folder (its lock): nothing was touched."""

    exit_code = EXIT_USAGE


EXIT_SERVICE = 10


class ServiceError(FormcheckError):
    """``formcheck serve`` / ``users``: the database cannot be reached, or the port is taken."""

    exit_code = EXIT_SERVICE
