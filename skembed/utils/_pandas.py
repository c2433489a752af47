"""pandas, imported when a feature that returns a table is used: ``pip install 'skembed[pandas]'``.

pandas is not a dependency of the core.  scikit-learn imports pandas whenever it is
installed, which adds about 60 MB to every process's resident set, so a lean
installation leaves it out and only the table-returning features ask for it.
"""

import importlib

__all__ = ["require_pandas"]

EXTRA_HINT = "pip install 'skembed[pandas]'"


def require_pandas(feature):
    """Return the ``pandas`` module, or raise an ImportError naming ``feature`` and the extra.

    Parameters
    ----------
    feature : str
        What needs pandas, as the user wrote it (``"load_kjv(as_frame=True)"``).

    Returns
    -------
    module : module
        ``pandas``.

    Raises
    ------
    ImportError
        When pandas is not installed; the message names ``feature`` and ``skembed[pandas]``.
    """
    try:
        return importlib.import_module("pandas")
    except ImportError as exc:
        raise ImportError(
            f"{feature} needs pandas, which is not installed: {EXTRA_HINT}."
        ) from exc
