"""Opening a file that came with a folder: only a regular file, never through a link, read with a cap.

A cloned repository decides what its files are. ``chatwithtech_answers.jsonl -> ~/.bashrc`` would
have a JSON line appended to the user's shell profile; a link to ``/dev/zero`` (or a FIFO) would
make reading never end. So the file is opened without following links (``O_NOFOLLOW`` where the
OS has it, an ``lstat`` before opening where it has not), without blocking (a FIFO), and used
only when the descriptor it gave is a regular file (``S_ISREG`` on ``fstat``). Reading stops at a
size cap.
"""

from __future__ import annotations

import errno
import os
import stat

from .i18n import Text

REASONS = {
    "link": Text("is a symbolic link", "是一个符号链接"),
    "not_regular": Text("is not a regular file (a device, a pipe or a socket)", "不是普通文件（而是设备、管道或套接字）"),
    "too_large": Text("is larger than {limit} MB", "大于 {limit} MB"),
}


class UnsafeFile(OSError):
    """The file is not one to read or write: ``reason`` says why, in both languages."""

    def __init__(self, reason: Text):
        super().__init__(errno.EPERM, reason.en)
        self.reason = reason


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_FLAGS = _NOFOLLOW | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def open_regular(path, flags: int = os.O_RDONLY, mode: int = 0o644) -> int:
    """A descriptor for ``path`` when it is a regular file reached without a link; ``UnsafeFile``
    otherwise, ``FileNotFoundError`` when it does not exist (and ``flags`` does not create it)."""
    if not _NOFOLLOW:  # Windows: no O_NOFOLLOW; a link is refused by a look first
        try:
            if stat.S_ISLNK(os.lstat(path).st_mode):
                raise UnsafeFile(REASONS["link"])
        except FileNotFoundError:
            if not flags & os.O_CREAT:
                raise
    try:
        fd = os.open(path, flags | _FLAGS, mode)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.EMLINK) or (exc.errno == errno.ENXIO and _is_link_or_special(path)):
            raise UnsafeFile(REASONS["link"] if _is_link(path) else REASONS["not_regular"]) from None
        raise
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):  # harmless, and can't be written: an ordinary error, as writing would give
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        if not stat.S_ISREG(mode):
            raise UnsafeFile(REASONS["not_regular"])
        if getattr(os, "O_NONBLOCK", 0) and hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)  # a regular file: ordinary reads and writes from here on
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_capped(fd: int, limit: int) -> bytes:
    """The file's bytes; ``UnsafeFile`` when it holds more than ``limit`` (it may be growing)."""
    chunks, total = [], 0
    while True:
        chunk = os.read(fd, min(1 << 20, limit + 1 - total))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:
            raise UnsafeFile(REASONS["too_large"].fill(limit=limit // (1 << 20)))


def _is_link(path) -> bool:
    try:
        return stat.S_ISLNK(os.lstat(path).st_mode)
    except OSError:
        return False


def _is_link_or_special(path) -> bool:
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode)
