"""``skembed shell``: load vectors once, answer queries at a prompt."""

import sys

from skembed.cli._query import analogy_answers, load_vectors, query_word

HELP = """commands:
  similar WORD [N]      the N nearest words (default 10)
  analogy A B C         A is to B as C is to ?
  similarity W1 W2      cosine similarity of two words
  doesnt_match W...     the word that fits least with the others
  help                  this text
  quit                  leave (end of input too)"""


def _lines(stdin, words):
    """Lines typed at a prompt: prompt_toolkit when installed on a terminal, else input()."""
    if stdin is sys.stdin and stdin.isatty():
        try:
            from prompt_toolkit import PromptSession
            from prompt_toolkit.completion import WordCompleter
        except ImportError:
            session = None
        else:
            session = PromptSession(completer=WordCompleter(words, sentence=True))
        while True:
            try:
                yield session.prompt("skembed> ") if session else input("skembed> ")
            except (EOFError, KeyboardInterrupt):
                return
    else:
        # piped input: no prompt in the output
        yield from stdin


def answer(wv, line, lowercase=True):
    """Answer one shell command; return the text to print, or None to quit.

    Examples
    --------
    >>> import numpy as np
    >>> from skembed import WordVectors
    >>> from skembed.cli._shell import answer
    >>> wv = WordVectors(["cat", "dog", "car"],
    ...                  np.array([[1, 0], [0.9, 0.1], [0, 1]], dtype=np.float32))
    >>> answer(wv, "similar cat 1").split()
    ['dog', '0.9939']
    >>> print(answer(wv, "doesnt_match cat dog car"))
    car
    """
    parts = line.split()
    if not parts:
        return ""
    command, words = parts[0].lower(), parts[1:]
    if command in ("quit", "exit"):
        return None
    if command == "help":
        return HELP
    try:
        if command in ("similar", "neighbors"):
            if len(words) not in (1, 2):
                return "usage: similar WORD [N]"
            topn = int(words[1]) if len(words) == 2 else 10
            if topn < 1:
                return "N must be at least 1"
            key = query_word(wv, words[0], lowercase)
            exclude = [key] if key in wv else []
            near = wv.most_similar([wv.get_vector(key)], topn=topn + len(exclude))
            near = [(w, s) for w, s in near if w not in exclude][:topn]
            return "\n".join(f"{w}\t{s:.4f}" for w, s in near)
        if command == "analogy":
            if len(words) != 3:
                return "usage: analogy A B C"
            near = analogy_answers(wv, *words, topn=5, lowercase=lowercase)
            return "\n".join(f"{w}\t{s:.4f}" for w, s in near)
        if command == "similarity":
            if len(words) != 2:
                return "usage: similarity W1 W2"
            a, b = (query_word(wv, w, lowercase) for w in words)
            return f"{wv.similarity(a, b):.4f}"
        if command == "doesnt_match":
            if len(words) < 2:
                return "usage: doesnt_match W1 W2 ..."
            return str(wv.doesnt_match([query_word(wv, w, lowercase) for w in words]))
    except KeyError as exc:
        return f"error: {exc.args[0] if exc.args else exc}"
    except ValueError as exc:
        return f"error: {exc}"
    return f"unknown command {command!r}; type help"


def run_shell(args, out, stdin=None):
    """Load the vectors once, then answer one command a line until quit or end of input."""
    from skembed.cli._query import _lowercase

    wv = load_vectors(args.vectors, args.binary, args.format)
    lowercase = _lowercase(args)
    stdin = sys.stdin if stdin is None else stdin
    if not args.quiet:
        print(f"{len(wv):,} words loaded from {args.vectors}; type help", file=out)
    for line in _lines(stdin, list(getattr(wv, "index_to_key", []))):
        text = answer(wv, line, lowercase)
        if text is None:
            break
        if text:
            print(text, file=out)
    return 0
