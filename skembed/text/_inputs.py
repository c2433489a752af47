"""File names of ``input="filename"``: files, folders and glob patterns, one document a file."""

import glob
import os

__all__ = ["expand_filenames"]


def _files_below(folder):
    """Every file below ``folder``, sorted, hidden files and folders (a leading dot) left out."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found.extend(os.path.join(root, f) for f in files if not f.startswith("."))
    return sorted(found)


def expand_filenames(names):
    """Return the list of files that ``names`` stands for, in order.

    Each entry is a file (kept as given, even when its name holds ``*``, ``?``
    or ``[``), a folder (every file below it, sorted by path, hidden ones left
    out) or a glob pattern (its matching files, sorted; ``**`` descends into
    folders).  Anything else, such as a path that does not exist, is kept as
    given, so that reading it fails with an error that names it.

    Parameters
    ----------
    names : iterable of str or path-like

    Returns
    -------
    files : list

    Raises
    ------
    ValueError
        When a folder holds no file or a pattern matches none.
    """
    found = []
    for name in names:
        if not isinstance(name, (str, os.PathLike)):
            found.append(name)  # the reader's error names the document and its type
            continue
        path = os.fspath(name)
        if os.path.isdir(path):
            below = _files_below(path)
            if not below:
                raise ValueError(f"X names the folder {path!r}, which holds no file.")
            found.extend(below)
        elif not os.path.exists(path) and glob.has_magic(path):
            matches = sorted(p for p in glob.glob(path, recursive=True) if os.path.isfile(p))
            if not matches:
                raise ValueError(f"X holds the pattern {path!r}, which matches no file.")
            found.extend(matches)
        else:
            found.append(name)
    return found
