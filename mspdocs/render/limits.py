"""Time and memory bounds around rendering one document, so that no text, approved or not, can hang a batch.

The time limit is a real-time timer (SIGALRM) whose handler raises `TooLong` inside the rendering code; the
memory limit lowers the process's address-space limit (RLIMIT_AS) to what it holds plus the allowance, so
an allocation beyond it fails with MemoryError. Both are put back when the document is done. The timer
needs the main thread (where batches and their workers render); elsewhere only memory is bounded.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from ..errors import RenderError

DEFAULT_SECONDS = 30
DEFAULT_MEMORY_MB = 1024


class TooLong(RenderError):
    """Rendering one document went past its time limit."""


class TooLarge(RenderError):
    """Rendering one document needed more memory than its limit."""


def _address_space() -> int | None:
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


@contextmanager
def _memory_limit(megabytes: int) -> Iterator[None]:
    try:
        import resource
    except ImportError:  # not on this system: only the sandbox's own bounds apply
        yield
        return
    current = _address_space()
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if current is None:
        yield
        return
    limit = current + megabytes * (1 << 20)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    if soft != resource.RLIM_INFINITY:
        limit = min(limit, soft)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@contextmanager
def _time_limit(seconds: float, what: str) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expired(signum, frame):
        raise TooLong(f"{what} took longer than {seconds:g} s (limits.render_seconds in mspdocs.toml); "
                      "it was stopped")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def bounded(seconds: float = DEFAULT_SECONDS, megabytes: int = DEFAULT_MEMORY_MB,
            what: str = "rendering the document") -> Iterator[None]:
    """Run the block within `seconds` and `megabytes` more memory; past either, a RenderError."""
    try:
        with _time_limit(seconds, what), _memory_limit(megabytes):
            yield
    except MemoryError:
        raise TooLarge(f"{what} needed more than {megabytes} MiB (limits.render_memory_mb in mspdocs.toml); "
                       "it was stopped") from None
