"""A time budget for one file: a pathological file becomes a counted skip (`too-slow`), never a hang.

SIGALRM interrupts a regex in the middle of its backtracking (the `re` engine checks for signals), so the
budget holds whatever the rule. It applies in the main thread of a POSIX process, which is where files are
scanned (worker processes included); elsewhere there is no budget, and the linear rules are the defence.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


class TooSlowError(Exception):
    """The file's budget ran out."""


_armed = False  # whether a budget is running: SIGALRM outside one is ignored


def _expire(signum: int, frame: FrameType | None) -> None:
    if _armed:
        raise TooSlowError


def can_interrupt() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Raise TooSlowError inside the block once `seconds` have passed (0: no budget). The handler is
    installed once per process: signal.signal costs more than scanning a small file."""
    global _armed
    if seconds <= 0 or not can_interrupt():
        yield
        return
    if signal.getsignal(signal.SIGALRM) is not _expire:
        signal.signal(signal.SIGALRM, _expire)
    _armed = True
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        _armed = False
