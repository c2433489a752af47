"""``skembed clean`` and ``skembed tokenize``: the text components on a file."""

import sys

from skembed.cli._train import expand_inputs, read_lines


def _run(component, args, out):
    target = out if args.output is None else open(args.output, "w", encoding="utf-8")
    try:
        lines = [
            line.rstrip("\r\n") for line in read_lines(expand_inputs(args.input), args.encoding)
        ]
        for result in component.fit_transform(lines):
            if not isinstance(result, str):
                result = " ".join(result)
            print(result, file=target)
    finally:
        if target is not out:
            target.close()
    return 0


def run_clean(args, out):
    """Clean each line with :class:`skembed.text.TextCleaner`."""
    from skembed.text import TextCleaner

    return _run(TextCleaner(casefold=args.casefold, strip_accents=args.strip_accents), args, out)


def run_tokenize(args, out):
    """Split each line into words with :class:`skembed.text.Tokenizer` (space-separated)."""
    from skembed.text import Tokenizer

    return _run(Tokenizer(), args, out or sys.stdout)
