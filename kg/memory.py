"""Give the C heap's freed memory back to the operating system.

The store is written on threads of their own (the build's writer thread, RocksDB's), and
glibc gives each thread its own malloc arena of up to 64 MB that keeps what was freed in it:
a 10,000-document build's main process held 1.2 GB of resident memory after 4,800 documents,
of which ``malloc_trim(0)`` returned 490 MB at once. :func:`trim` is called where the store
is flushed, every 100 documents. Elsewhere than glibc it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache
from typing import Any

__all__ = ["ARENAS", "limit_arenas", "trim"]

#: malloc arenas a kg process uses at most (glibc's ``M_ARENA_MAX``; its default is 8 per core).
ARENAS = 2
_M_ARENA_MAX = -8  # from glibc's malloc.h


@cache
def _libc() -> Any:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        return libc if libc is not None and hasattr(libc, "malloc_trim") else None
    except OSError:
        return None


def limit_arenas(arenas: int = ARENAS) -> bool:
    """Let the threads created from now on share at most ``arenas`` malloc arenas.

    Each thread that writes the store (the build's writer, RocksDB's own) otherwise gets an
    arena of its own, up to 64 MB each that :func:`trim` cannot give back while any of its
    pages is in use. Called when ``kg`` starts, before any store is opened.

    Returns
    -------
    bool
        Whether the limit was set (False where there is no glibc ``mallopt``).
    """
    libc = _libc()
    return bool(libc.mallopt(_M_ARENA_MAX, arenas)) if libc is not None else False


def trim() -> bool:
    """Return the free memory of every malloc arena to the system (glibc's ``malloc_trim``).

    Returns
    -------
    bool
        Whether any memory was returned (always False where there is no ``malloc_trim``).

    Examples
    --------
    >>> trim() in (True, False)
    True
    """
    libc = _libc()
    return bool(libc.malloc_trim(0)) if libc is not None else False
