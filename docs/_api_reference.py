"""API reference pages, generated from the ``__all__`` of every public module.

One page per public module (``skembed``, ``skembed.vectors``, ...) is written
into ``api/`` once the configuration is read, before Sphinx lists the sources,
so a name added to an ``__all__`` is documented without editing the site.  A
name that several modules export (``skembed.WordVectors`` is also
``skembed.vectors.WordVectors``) gets one page, under the first module that
exports it (``skembed`` first, then the others in alphabetical order); the
other modules link to it.
"""

import importlib
import pkgutil
import shutil
from pathlib import Path

PACKAGE = "skembed"
FOLDER = "api"  # generated, relative to the source folder
PAGES = "generated"  # autosummary's pages, relative to the source folder


def public_modules():
    """Return the names of the public modules that declare a non-empty ``__all__``."""
    root = importlib.import_module(PACKAGE)
    names = [PACKAGE]
    for info in pkgutil.walk_packages(root.__path__, PACKAGE + "."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        names.append(info.name)
    found = []
    for name in sorted(names, key=lambda n: (n != PACKAGE, n)):
        module = importlib.import_module(name)
        if getattr(module, "__all__", None):
            found.append(name)
    return found


def _documented_once(obj):
    """Whether ``obj`` is the same object wherever it is exported (classes, functions)."""
    return callable(obj) or isinstance(obj, type)


def api_entries():
    """Return ``{module: [(name, home), ...]}``: ``home`` is where ``name`` is documented.

    ``home`` is the dotted name of the page that documents the object: the
    module's own ``module.name`` the first time the object is met, the first
    exporter's name afterwards.
    """
    homes = {}
    entries = {}
    for module_name in public_modules():
        module = importlib.import_module(module_name)
        rows = []
        for name in module.__all__:
            obj = getattr(module, name)
            full = f"{module_name}.{name}"
            if _documented_once(obj):
                home = homes.setdefault(id(obj), full)
            else:
                home = full
            rows.append((name, home))
        entries[module_name] = rows
    return entries


def _title(text, char):
    return f"{text}\n{char * len(text)}\n"


def _summary(module):
    doc = (module.__doc__ or "").strip()
    return doc.split("\n\n")[0].replace("\n", " ") if doc else ""


# constants have no docstring of their own: what each one is
DATA = {
    "skembed.__version__": 'The version of the package, a string such as ``"1.2.0"``.',
    "skembed.text.DEFAULT_TOKEN_PATTERN": (
        "The regular expression of the default analyzer's tokens: a word character "
        "followed by word characters and combining marks, so that words of scripts with "
        "vowel signs (Devanagari, Bengali, Thai, ...) stay whole.  On text without such "
        'marks it matches what ``r"(?u)\\b\\w+\\b"`` matches.'
    ),
    "skembed.vectors.io.FORMATS": (
        "The registry of vector file formats, by name: each entry holds the format's "
        "suffixes, its reader and writer and a description.  ``load`` and ``save`` "
        "choose from it by the ``format`` argument, the suffix or the file's content."
    ),
}


def _data_entry(module_name, name, value):
    text = DATA.get(f"{module_name}.{name}", f"A {type(value).__name__}.")
    lines = [f".. py:data:: {name}", "", f"   {text}", ""]
    if isinstance(value, dict):
        lines += ["   Keys: " + ", ".join(f"``{key}``" for key in value) + ".", ""]
    return lines


def page_text(module_name, rows):
    """Return the reStructuredText of one module's API page."""
    module = importlib.import_module(module_name)
    lines = [_title(f"``{module_name}``", "="), f".. module:: {module_name}", ""]
    summary = _summary(module)
    if summary:
        lines += [summary, ""]
    own = [name for name, home in rows if home == f"{module_name}.{name}"]
    data = [name for name in own if not _documented_once(getattr(module, name))]
    objects = [name for name in own if name not in data]
    if objects:
        lines += [
            f".. currentmodule:: {module_name}",
            "",
            ".. autosummary::",
            f"   :toctree: ../{PAGES}",
            "",
        ]
        lines += [f"   {name}" for name in objects]
        lines.append("")
    for name in data:
        lines += _data_entry(module_name, name, getattr(module, name))
    elsewhere = [(name, home) for name, home in rows if home != f"{module_name}.{name}"]
    if elsewhere:
        lines += [".. rubric:: Also exported here", ""]
        for name, home in elsewhere:
            lines.append(f"* ``{module_name}.{name}``: the same object as :obj:`{home}`")
        lines.append("")
    return "\n".join(lines)


def write_pages(srcdir):
    """Write one page per public module into ``srcdir/api`` (replacing what was there)."""
    folder = Path(srcdir) / FOLDER
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir()
    for module_name, rows in api_entries().items():
        (folder / f"{module_name}.rst").write_text(page_text(module_name, rows), "utf-8")


def _on_config_inited(app, config):
    write_pages(app.srcdir)


def setup(app):
    # before Sphinx lists the source files, which autosummary then scans for its stubs
    app.connect("config-inited", _on_config_inited)
    return {"parallel_read_safe": True}
