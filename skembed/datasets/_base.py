"""Access to the files bundled in ``skembed/datasets/data``."""

from importlib import resources

DATA_MODULE = "skembed.datasets"


def data_file(name):
    """Return a traversable for the bundled file ``data/name``."""
    return resources.files(DATA_MODULE).joinpath("data", name)


def read_data_bytes(name):
    """Return the raw bytes of the bundled file ``data/name``."""
    return data_file(name).read_bytes()
