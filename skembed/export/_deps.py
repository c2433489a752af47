"""The optional packages of :mod:`skembed.export`, imported when first used."""

import importlib

EXTRA_HINT = "pip install 'skembed[export]'"


def require(module):
    """Return the imported ``module``, or raise an ImportError that names the extra.

    Parameters
    ----------
    module : str
        ``"onnx"``, ``"onnxruntime"`` or ``"skl2onnx"``.

    Returns
    -------
    module : module

    Raises
    ------
    ImportError
        When ``module`` is not installed; the message names ``skembed[export]``.

    Examples
    --------
    >>> from skembed.export._deps import require
    >>> require("math").__name__
    'math'
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(
            f"skembed.export needs the optional package {module!r}, which is not installed: "
            f"{EXTRA_HINT} (installs onnx, onnxruntime and skl2onnx)."
        ) from exc
