"""The arguments of each example when the gallery runs it: its quick settings.

Every script of ``examples/`` takes ``--small``; the ones that draw also take an
output path, pointed here at a temporary folder so that the build writes nothing
into the source tree (the gallery shows the figures it captures instead).
"""

import tempfile
from pathlib import Path

_OUTPUT = {
    "search_kjv.py": lambda folder: ["-o", folder],
    "validation_curve.py": lambda folder: ["-o", str(Path(folder) / "validation_curve.png")],
}


def reset_argv(gallery_conf, script_vars):
    """Return the command-line arguments of the example at ``script_vars["src_file"]``."""
    name = Path(script_vars["src_file"]).name
    extra = _OUTPUT.get(name)
    return ["--small"] + (extra(tempfile.mkdtemp(prefix="skembed-gallery-")) if extra else [])
