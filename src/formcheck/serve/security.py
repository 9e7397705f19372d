"""Passwords, CSRF tokens, athlete links and the login rate limit."""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import deque

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

#: argon2id with the library's defaults (RFC 9106's second recommended option: 64 MiB).
_HASHER = PasswordHasher()
#: Failed logins allowed per client address in LOGIN_WINDOW_S before it must wait.
LOGIN_FAILURES = 5
LOGIN_WINDOW_S = 300.0
MIN_PASSWORD = 8


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(stored: str, password: str) -> bool:
    try:
        return _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    """An athlete's link token: 192 random bits, URL-safe."""
    return secrets.token_urlsafe(24)


def csrf_token(session: dict[str, object]) -> str:
    """The session's CSRF token, made on first use (every form posts it back)."""
    token = session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(24)
        session["csrf"] = token
    return token


def csrf_ok(session: dict[str, object], sent: str | None) -> bool:
    token = session.get("csrf")
    return isinstance(token, str) and isinstance(sent, str) and hmac.compare_digest(token, sent)


class LoginLimiter:
    """Failed logins per client address in a sliding window (one server process)."""

    def __init__(self, failures: int = LOGIN_FAILURES, window_s: float = LOGIN_WINDOW_S) -> None:
        self.failures, self.window_s = failures, window_s
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def wait_s(self, client: str) -> float:
        """Seconds ``client`` must wait before trying again (0: may try now)."""
        with self._lock:
            q = self._recent(client)
            if len(q) < self.failures:
                return 0.0
            return max(0.0, q[0] + self.window_s - time.monotonic())

    def failed(self, client: str) -> None:
        with self._lock:
            self._recent(client).append(time.monotonic())

    def _recent(self, client: str) -> deque[float]:
        q = self._seen.setdefault(client, deque())
        while q and q[0] < time.monotonic() - self.window_s:
            q.popleft()
        return q
