"""Quick checks of the documentation sources, without building the site."""

import importlib
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
EXAMPLES = ROOT / "examples"


def _docs_module(name):
    sys.path.insert(0, str(DOCS))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(DOCS))


def test_api_pages_list_every_public_name_once():
    api = _docs_module("_api_reference")
    entries = api.api_entries()
    assert list(entries)[0] == "skembed"
    assert {"skembed.vectors", "skembed.vectors.io", "skembed.schedules"} <= set(entries)
    assert not any(part.startswith("_") for m in entries for part in m.split("."))
    homes = {}
    for module_name, rows in entries.items():
        module = importlib.import_module(module_name)
        for name, home in rows:
            obj = getattr(module, name)
            if callable(obj):
                # one page per object, under the first module that exports it
                assert homes.setdefault(id(obj), home) == home
        text = api.page_text(module_name, rows)
        for name, home in rows:
            assert name in text
            if home != f"{module_name}.{name}":
                assert f":obj:`{home}`" in text
    assert dict(entries["skembed.models"])["Word2VecVectorizer"] == "skembed.Word2VecVectorizer"
    assert dict(entries["skembed.vectors"])["WordVectors"] == "skembed.WordVectors"


def test_write_pages_replaces_stale_pages(tmp_path):
    api = _docs_module("_api_reference")
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "skembed.removed.rst").write_text("old")
    api.write_pages(tmp_path)
    written = sorted(p.stem for p in (tmp_path / "api").glob("*.rst"))
    assert written == sorted(api.api_entries())


def test_every_example_has_a_gallery_title_and_a_small_setting():
    examples = sorted(EXAMPLES.glob("*.py"))
    assert len(examples) >= 5
    for path in examples:
        source = path.read_text(encoding="utf-8")
        doc = re.match(r'"""(.*?)"""', source, re.S)
        assert doc, path.name
        title, underline = doc.group(1).split("\n")[:2]
        assert title and underline == "=" * len(title), path.name
        assert '"--small"' in source, path.name


def test_gallery_runs_all_examples_but_the_slow_one_on_small_settings():
    pytest.importorskip("sphinx_gallery")
    conf, path = {"__file__": str(DOCS / "conf.py")}, list(sys.path)
    try:
        exec(compile((DOCS / "conf.py").read_text(), str(DOCS / "conf.py"), "exec"), conf)
    finally:
        sys.path[:] = path  # conf.py puts the tree and docs/ first
    gallery = conf["sphinx_gallery_conf"]
    pattern = re.compile(gallery["filename_pattern"])
    run = {p.name for p in EXAMPLES.glob("*.py") if pattern.search(str(p))}
    assert run == {p.name for p in EXAMPLES.glob("*.py")} - {"align_kjv_rv1909.py"}
    reset_argv = _docs_module("_gallery").reset_argv
    for name in run:
        argv = reset_argv(gallery, {"src_file": str(EXAMPLES / name)})
        assert argv[0] == "--small"
        if "-o" in argv:  # the figures go to a temporary folder, not into the tree
            assert not Path(argv[argv.index("-o") + 1]).is_relative_to(ROOT)


# folders of docs/ that only the build writes: the gallery's pages and the API pages
GENERATED = ("auto_examples", "api")


def test_relative_links_of_the_readme_and_the_docs_exist():
    pages = [ROOT / "README.md", *DOCS.glob("*.md"), *DOCS.glob("theory/*.md")]
    checked = 0
    for page in pages:
        for target in re.findall(r"\]\(([^)\s]+)\)", page.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", target) or target.startswith("#"):
                continue
            if target.split("/")[0] in GENERATED:
                continue  # written by the Sphinx build (its own test checks those pages)
            path = (page.parent / target.split("#")[0]).resolve()
            assert path.exists(), f"{page.name} links to missing {target}"
            checked += 1
    assert checked >= 3
