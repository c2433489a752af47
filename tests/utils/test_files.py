"""The shared file rules: the atomic writer and the reading checks of skembed.utils._files."""

import contextlib
import os
import stat
import struct
import zipfile
import zlib

import numpy as np
import pytest

from skembed.utils import _files
from skembed.utils._files import (
    FileFormatError,
    atomic_write,
    check_declared_count,
    file_errors,
    first_non_finite_row,
    read_npz_arrays,
)


@contextlib.contextmanager
def umask(mask):
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def _write_bytes(data):
    return lambda fh: fh.write(data)


# ------------------------------------------------------------ atomic writer
@pytest.mark.parametrize("mask,expected", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_new_file_mode_follows_the_umask(tmp_path, mask, expected):
    path = tmp_path / "new.bin"
    with umask(mask):
        atomic_write(path, _write_bytes(b"data"))
    assert path.read_bytes() == b"data"
    assert _mode(path) == expected


def test_replaced_file_keeps_its_mode(tmp_path):
    path = tmp_path / "old.bin"
    path.write_bytes(b"old")
    os.chmod(path, 0o640)
    with umask(0o077):
        atomic_write(path, _write_bytes(b"new"))
    assert path.read_bytes() == b"new" and _mode(path) == 0o640


def test_saving_onto_a_symlink_keeps_the_link_and_replaces_its_target(tmp_path):
    folder = tmp_path / "real"
    folder.mkdir()
    target = folder / "vectors.npz"
    target.write_bytes(b"old")
    link = tmp_path / "link.npz"
    link.symlink_to(target)
    atomic_write(link, _write_bytes(b"new"))
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_bytes() == b"new"
    # the temporary file went beside the target, and is gone
    assert sorted(os.listdir(folder)) == ["vectors.npz"]
    assert sorted(os.listdir(tmp_path)) == ["link.npz", "real"]


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_a_write_that_raises_leaves_the_old_content_and_no_temporary_file(tmp_path, error):
    path = tmp_path / "v.txt"
    path.write_bytes(b"old content")

    def write(fh):
        fh.write(b"partial")
        raise error("stopped")

    with pytest.raises(error, match="stopped"):
        atomic_write(path, write)
    assert path.read_bytes() == b"old content"
    assert os.listdir(tmp_path) == ["v.txt"]


def test_file_and_folder_are_fsynced_before_and_after_the_rename(tmp_path, monkeypatch):
    events = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        kind = "folder" if stat.S_ISDIR(os.fstat(fd).st_mode) else "file"
        events.append(f"fsync {kind}")
        real_fsync(fd)

    def replace(src, dst):
        events.append("rename")
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    atomic_write(tmp_path / "f", _write_bytes(b"x"))
    assert events == ["fsync file", "rename", "fsync folder"]


def _sample(format):
    from skembed.vectors import FastTextWordVectors, WordVectors

    rng = np.random.default_rng(0)
    if format == "fasttext":
        return FastTextWordVectors(["a", "b"], rng.normal(size=(2, 3)), rng.normal(size=(8, 3)),
                                   min_n=1, max_n=2)  # fmt: skip
    return WordVectors(["a", "b"], rng.normal(size=(2, 3)))


def _formats():
    from skembed.vectors.io import FORMATS

    return sorted(FORMATS)


@pytest.mark.parametrize("format", _formats())
def test_every_vectors_writer_writes_atomically(tmp_path, monkeypatch, format):
    from skembed.vectors import save

    path = tmp_path / f"v.{format}"
    path.write_bytes(b"old")
    os.chmod(path, 0o604)
    inode = os.stat(path).st_ino
    synced = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd)))
    with umask(0o077):
        save(_sample(format), path, format=format)
    # a new file renamed over the old one (a plain rewrite keeps the inode), fsynced,
    # with the old file's mode, and nothing left beside it
    assert os.stat(path).st_ino != inode and path.read_bytes() != b"old"
    assert len(synced) == 2 and _mode(path) == 0o604
    assert os.listdir(tmp_path) == [path.name]


@pytest.mark.parametrize("format", ["word2vec", "word2vec-binary", "glove", "fasttext"])
def test_a_failing_vectors_writer_leaves_the_old_file(tmp_path, format):
    from skembed.vectors import WordVectors, save

    path = tmp_path / "v.out"
    path.write_bytes(b"old")
    bad = "a\0b" if format == "fasttext" else "two words"  # refused after the first row
    with pytest.raises(ValueError):
        save(WordVectors(["ok", bad], np.ones((2, 2))), path, format=format)
    assert path.read_bytes() == b"old" and os.listdir(tmp_path) == ["v.out"]


# ------------------------------------------------------------ reading checks
@pytest.mark.parametrize(
    "error",
    [
        zipfile.BadZipFile("File is not a zip file"),
        zlib.error("Error -3 while decompressing data"),
        EOFError("Ran out of input"),
        struct.error("unpack requires a buffer of 8 bytes"),
        OverflowError("cannot fit 'int' into an index-sized integer"),
        ValueError("could not convert string to float: 'x'"),
        ValueError("negative dimensions are not allowed"),
        UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"),
    ],
)
def test_file_errors_names_the_file(error):
    with pytest.raises(FileFormatError) as info, file_errors("/data/v.npz"):
        raise error
    assert str(info.value).startswith("/data/v.npz: ")
    assert type(error).__name__ in str(info.value) and info.value.__cause__ is error


def test_file_errors_passes_its_own_and_unrelated_errors():
    own = FileFormatError("a.txt", "bad", line=3)
    with pytest.raises(FileFormatError) as info, file_errors("b.txt"):
        raise own
    assert info.value is own and str(own) == "a.txt, line 3: bad"
    with pytest.raises(KeyError), file_errors("b.txt"):
        raise KeyError("x")
    assert str(FileFormatError("c.bin", "bad", offset=12)) == "c.bin, byte 12: bad"


def test_check_declared_count():
    check_declared_count("f", 10, 4, 40, "rows")
    with pytest.raises(FileFormatError, match=r"f, line 1: declares 11 rows.*44 bytes.*40"):
        check_declared_count("f", 11, 4, 40, "rows", line=1)
    with pytest.raises(FileFormatError, match="negative number of rows"):
        check_declared_count("f", -1, 4, 40, "rows")


def test_first_non_finite_row():
    matrix = np.ones((10, 3), np.float32)
    assert first_non_finite_row(matrix) is None
    matrix[7, 2] = np.nan
    matrix[9, 0] = np.inf
    assert first_non_finite_row(matrix, block=3) == 7
    assert first_non_finite_row(np.array([1.0, -np.inf])) == 1
    assert first_non_finite_row(np.empty((0, 4))) is None


def test_read_npz_arrays_bounds_the_expansion(tmp_path):
    path = tmp_path / "z.npz"
    np.savez_compressed(path, a=np.zeros(100_000, np.float32))
    size = os.path.getsize(path)
    assert read_npz_arrays(path)["a"].shape == (100_000,)  # within the floor
    with pytest.raises(FileFormatError, match="expand to 400128 bytes"):
        read_npz_arrays(path, max_expansion=10, floor=0)
    assert read_npz_arrays(path, max_expansion=400_200 / size, floor=0)["a"].size == 100_000
    assert _files.NPZ_MAX_EXPANSION * size < 400_128 < _files.NPZ_EXPANSION_FLOOR


def test_read_npz_arrays_refuses_members_that_are_not_arrays(tmp_path):
    path = tmp_path / "z.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", b"hello")
    with pytest.raises(FileFormatError, match="'notes.txt' is not an array"):
        read_npz_arrays(path)
