"""Dask, imported when first used: ``pip install 'skembed[dask]'``."""

EXTRA_HINT = "pip install 'skembed[dask]'"


def require_distributed():
    """Return the ``distributed`` module, or raise an ImportError that names the extra.

    Returns
    -------
    module : module
        ``distributed``.

    Raises
    ------
    ImportError
        When Dask's ``distributed`` is not installed; the message names ``skembed[dask]``.
    """
    try:
        import dask  # noqa: F401
        import distributed
    except ImportError as exc:
        raise ImportError(
            f"skembed.distributed needs Dask and its distributed scheduler, which are not "
            f"installed: {EXTRA_HINT}."
        ) from exc
    return distributed


def get_client(client):
    """Return ``client``, or the current Dask client; raise a clear error when there is none."""
    distributed = require_distributed()
    if client is not None:
        return client
    try:
        return distributed.get_client()
    except ValueError as exc:
        raise ValueError(
            "no Dask client: pass client=, or create one first "
            "(distributed.Client(...) makes itself the current client)."
        ) from exc
