"""File rules shared by every reader and writer: atomic writes and errors that name the place.

Writers go through :func:`atomic_write`: the data goes to a temporary file in
the target's folder, which is flushed and fsynced, given the mode that a new
file would get under the umask (or the mode of the file it replaces), then
renamed over the target; the folder is fsynced last.  A symlink is followed,
so the link stays and its target is replaced.

Readers raise :class:`FileFormatError` (a ``ValueError``) whose message names
the file and, where known, the line or byte offset at fault.
"""

import contextlib
import os
import stat
import tempfile

__all__ = ["FileFormatError", "atomic_write", "current_umask"]


class FileFormatError(ValueError):
    """A file that cannot be read as the format it claims; names the file and the place.

    Parameters
    ----------
    path : str or path-like
        The file at fault.
    message : str
        What is wrong.
    line : int, default=None
        1-based line number, for text formats.
    offset : int, default=None
        Byte offset, for binary formats.
    """

    def __init__(self, path, message, *, line=None, offset=None):
        self.path = os.fspath(path)
        self.line = line
        self.offset = offset
        where = self.path
        if line is not None:
            where += f", line {line}"
        elif offset is not None:
            where += f", byte {offset}"
        super().__init__(f"{where}: {message}")


def current_umask():
    """Return the process umask (read without changing it for other threads for long)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _fsync_folder(folder):
    with contextlib.suppress(OSError):  # some file systems cannot open or sync a folder
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def atomic_write(path, write):
    """Call ``write(fileobj)`` on a temporary file beside ``path``, then rename it over ``path``.

    Parameters
    ----------
    path : str or path-like
        Destination.  A symlink is followed: its target is replaced, the link kept.
    write : callable
        ``write(fileobj)`` writes the whole content to a binary file object.

    Notes
    -----
    The new file gets the mode of the file it replaces, or ``0o666`` less the
    umask for a new file (as ``open`` would give).  If ``write`` raises, or the
    process is interrupted, the temporary file is removed and ``path`` is
    unchanged.
    """
    path = os.path.realpath(os.fspath(path))
    folder = os.path.dirname(path)
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~current_umask()
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".skembed-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_folder(folder)
