"""The failure every command reports as one line."""


class CommandError(Exception):
    """An expected failure of a command: reported as one line, exit status 1.

    Examples
    --------
    >>> from skembed.cli._errors import CommandError
    >>> str(CommandError("--topn must be at least 1"))
    '--topn must be at least 1'
    """
