"""File rules shared by every reader and writer: atomic writes and errors that name the place.

Writers go through :func:`atomic_write`: the data goes to a temporary file in
the target's folder, which is flushed and fsynced, given the mode that a new
file would get under the umask (or the mode of the file it replaces), then
renamed over the target; the folder is fsynced last.  A symlink is followed,
so the link stays and its target is replaced.

Readers raise :class:`FileFormatError` (a ``ValueError``) whose message names
the file and, where known, the line or byte offset at fault.  They check every
size a file declares against the bytes it holds before allocating
(:func:`check_declared_count`, :func:`read_npz_arrays`), refuse non-finite
values (:func:`first_non_finite_row`), and turn the errors of the standard
library and numpy into :class:`FileFormatError` (:func:`file_errors`).
"""

import contextlib
import os
import stat
import struct
import tempfile
import tokenize
import zipfile
import zlib

import numpy as np

__all__ = [
    "NPZ_EXPANSION_FLOOR",
    "NPZ_MAX_EXPANSION",
    "FileFormatError",
    "atomic_write",
    "check_declared_count",
    "current_umask",
    "file_errors",
    "first_non_finite_row",
    "read_npz_arrays",
]

# An .npz may hold this many times its own size once expanded (our writer stores the arrays
# uncompressed, so a ratio near 1), and always at least NPZ_EXPANSION_FLOOR bytes: deflate
# reaches ~1000:1 on constant data, so without a bound a 2 MB file could ask for 2 GB.
NPZ_MAX_EXPANSION = 100
NPZ_EXPANSION_FLOOR = 64 << 20


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


@contextlib.contextmanager
def file_errors(path):
    """Re-raise the reading errors of the standard library and numpy as :class:`FileFormatError`.

    ``BadZipFile``, ``zlib.error``, ``EOFError``, ``struct.error``,
    ``OverflowError`` and ``ValueError`` (which covers ``UnicodeDecodeError``,
    ``could not convert string to float`` and ``negative dimensions are not
    allowed``) raised inside the block come out as a :class:`FileFormatError`
    naming ``path``; one that already is a :class:`FileFormatError` passes
    unchanged.

    Parameters
    ----------
    path : str or path-like
        The file being read.
    """
    try:
        yield
    except FileFormatError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, struct.error, OverflowError,
            ValueError) as exc:  # fmt: skip
        raise FileFormatError(path, f"{type(exc).__name__}: {exc}") from exc


def check_declared_count(path, count, min_bytes, available, what, *, line=None, offset=None):
    """Refuse a declared number of items that the rest of the file cannot hold.

    Parameters
    ----------
    path : str or path-like
        The file, for the message.
    count : int
        Number of items the file declares (e.g. rows in a header line).
    min_bytes : int
        Fewest bytes one item can take in this format.
    available : int
        Bytes left in the file after the declaration.
    what : str
        The items, for the message (e.g. ``"rows"``).
    line, offset : int, default=None
        Where the declaration is, for the message.

    Raises
    ------
    FileFormatError
        If ``count`` is negative or ``count * min_bytes > available``: the
        file is truncated or the declaration is false, and trusting it would
        allocate memory the file cannot fill.
    """
    if count < 0:
        raise FileFormatError(path, f"declares a negative number of {what} ({count}).",
                              line=line, offset=offset)  # fmt: skip
    if count * min_bytes > available:
        raise FileFormatError(
            path,
            f"declares {count} {what}, which take at least {count * min_bytes} bytes, but only "
            f"{available} bytes follow (truncated file or false declaration).",
            line=line,
            offset=offset,
        )


def first_non_finite_row(matrix, block=1 << 16):
    """Return the first row of ``matrix`` holding a NaN or infinity, or None.

    Parameters
    ----------
    matrix : ndarray of shape (n_rows, n_columns), float dtype
    block : int, default=65536
        Rows tested at once, so that the test needs little memory beyond the
        matrix.

    Returns
    -------
    row : int or None
    """
    matrix = np.asarray(matrix)
    if matrix.size == 0:  # also (huge, 0): no value to test, and no rows to walk through
        return None
    if matrix.ndim == 1:
        matrix = matrix.reshape(-1, 1)
    for start in range(0, matrix.shape[0], block):
        bad = ~np.isfinite(matrix[start : start + block]).all(axis=1)
        if bad.any():
            return start + int(np.argmax(bad))
    return None


def _npy_header(member):
    version = np.lib.format.read_magic(member)
    if version == (1, 0):
        shape, fortran_order, dtype = np.lib.format.read_array_header_1_0(member)
    elif version == (2, 0):
        shape, fortran_order, dtype = np.lib.format.read_array_header_2_0(member)
    else:
        raise ValueError(f".npy format version {version} is not supported")
    return shape, dtype, member.tell()


@contextlib.contextmanager
def _zip_errors(path):
    """Re-raise what zipfile raises for a damaged archive as :class:`FileFormatError`.

    The file is open by then, so an ``OSError`` comes from a damaged offset
    (zipfile seeks to it); ``NotImplementedError`` from a zip version or
    compression method that zipfile lacks; ``RuntimeError`` from an encrypted
    member.
    """
    try:
        yield
    except (FileNotFoundError, PermissionError, IsADirectoryError):
        raise
    except (OSError, NotImplementedError, RuntimeError) as exc:
        raise FileFormatError(path, f"damaged or unsupported zip archive ({exc}).") from exc


def read_npz_arrays(path, *, max_expansion=NPZ_MAX_EXPANSION, floor=NPZ_EXPANSION_FLOOR):
    """Read every array of an ``.npz`` file after checking the members' headers.

    Before anything is expanded, each member's ``.npy`` header (shape and
    dtype) must match the member's declared uncompressed size, no member may
    hold Python objects (nothing is unpickled), and the members together may
    not expand beyond ``max(floor, max_expansion * file size)`` bytes.

    Parameters
    ----------
    path : str or path-like
    max_expansion : float, default=NPZ_MAX_EXPANSION
        Largest ratio of expanded bytes to file bytes.
    floor : int, default=NPZ_EXPANSION_FLOOR
        Expanded bytes always allowed, whatever the ratio.

    Returns
    -------
    arrays : dict of str to ndarray
        By member name without ``.npy``.

    Raises
    ------
    FileFormatError
        Naming the file, and the member and its byte offset where one is at
        fault; also for a file that is not a zip archive.
    """
    path = os.fspath(path)
    file_size = os.stat(path).st_size
    with file_errors(path), _zip_errors(path):
        with zipfile.ZipFile(path) as archive:
            total = 0
            for info in archive.infolist():
                offset = info.header_offset
                if not info.filename.endswith(".npy"):
                    raise FileFormatError(
                        path, f"member {info.filename!r} is not an array (.npy).", offset=offset
                    )
                with archive.open(info) as member:
                    try:
                        shape, dtype, header_size = _npy_header(member)
                    except (ValueError, EOFError, SyntaxError, TypeError,
                            tokenize.TokenError) as exc:  # fmt: skip
                        raise FileFormatError(
                            path, f"member {info.filename!r}: bad array header: {exc}",
                            offset=offset,
                        ) from exc  # fmt: skip
                if dtype.hasobject:
                    raise FileFormatError(
                        path, f"member {info.filename!r} holds Python objects, which are "
                        "never unpickled.", offset=offset,
                    )  # fmt: skip
                if any(n < 0 for n in shape):
                    raise FileFormatError(
                        path, f"member {info.filename!r} has negative shape {shape}.",
                        offset=offset,
                    )  # fmt: skip
                nbytes = int(np.prod(shape, dtype=object)) * dtype.itemsize
                if header_size + nbytes != info.file_size:
                    raise FileFormatError(
                        path,
                        f"member {info.filename!r} declares shape {shape} of {dtype} "
                        f"({nbytes} bytes) but holds {info.file_size - header_size} bytes.",
                        offset=offset,
                    )
                total += info.file_size
            limit = max(floor, max_expansion * file_size)
            if total > limit:
                raise FileFormatError(
                    path,
                    f"its arrays expand to {total} bytes, more than {max_expansion} times the "
                    f"file's {file_size} bytes (a compression bomb?); an .npz written by "
                    "skembed is stored uncompressed.",
                )
        with np.load(path, allow_pickle=False) as data:
            return {name: data[name] for name in data.files}
