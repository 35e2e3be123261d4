"""A time budget for one file: a pathological file becomes a counted skip (`too-slow`), never a hang.

SIGALRM interrupts a regex in the middle of its backtracking (the `re` engine checks for signals), so the
budget holds whatever the rule. It applies in the main thread of a POSIX process, which is where files are
scanned (worker processes included); elsewhere there is no budget, and the linear rules are the defence.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType


class TooSlowError(Exception):
    """The file's budget ran out."""


_armed = False  # whether a budget is running: SIGALRM outside one is ignored
_installed = False  # whether _expire was installed in this process (fork keeps it)


def _expire(signum: int, frame: FrameType | None) -> None:
    if _armed:
        raise TooSlowError


def can_interrupt() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


class deadline:  # noqa: N801 - used as `with deadline(seconds):`, like a contextmanager function
    """Raise TooSlowError inside the block once `seconds` have passed (0: no budget). A class, not a
    generator, and the handler installed once per process: both cost more than scanning a small file
    (100,000 files: 1.3 s of context-manager and signal-module overhead before)."""

    __slots__ = ("seconds",)

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds if seconds > 0 and can_interrupt() else 0.0

    def __enter__(self) -> None:
        global _armed, _installed
        if not self.seconds:
            return
        if not _installed:
            signal.signal(signal.SIGALRM, _expire)
            _installed = True
        _armed = True
        signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def __exit__(self, *exc: object) -> None:
        global _armed
        if self.seconds:
            signal.setitimer(signal.ITIMER_REAL, 0)
            _armed = False
