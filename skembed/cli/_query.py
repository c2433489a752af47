"""Queries on saved vectors: ``similar``, ``analogy``, ``evaluate`` and ``convert``."""

import json
import os

from skembed.cli._errors import CommandError


def saved_lowercase(path):
    """Return the ``lowercase`` of the run saved beside ``path``, or None without one."""
    from skembed.cli._config import read_config

    config = os.fspath(path) + ".config.toml"
    if not os.path.isfile(config):
        return None
    return bool(read_config(config)[1].get("lowercase", True))


def query_word(wv, word, lowercase):
    """The spelling to look up: as given when known, else lowercased when the model lowercased.

    Examples
    --------
    >>> import numpy as np
    >>> from skembed import WordVectors
    >>> from skembed.cli._query import query_word
    >>> wv = WordVectors(["king"], np.ones((1, 2), dtype=np.float32))
    >>> query_word(wv, "King", True), query_word(wv, "King", False)
    ('king', 'King')
    """
    if word in wv or not lowercase:
        return word
    return word.lower()


def print_neighbours(wv, words, topn, out, lowercase=True, as_json=False):
    """Print each word's nearest neighbours; return how many words had a vector."""
    answered, table = 0, {}
    for word in words:
        key = query_word(wv, word, lowercase)
        try:
            query = wv.get_vector(key)  # subword models compose unseen words
        except KeyError:
            table[word] = None
            if not as_json:
                print(f"  {word:>8}: (not in vocabulary)", file=out)
            continue
        answered += 1
        exclude = [key] if key in wv else []
        near = [
            (w, float(s))
            for w, s in wv.most_similar([query], topn=topn + len(exclude))
            if w not in exclude
        ][:topn]
        table[word] = near
        if not as_json:
            print(f"  {word:>8}: " + ", ".join(w for w, _ in near), file=out)
    if as_json:
        print(json.dumps(table), file=out)
    return answered


def load_vectors(path, binary=False, format=None):
    """Load a vectors file, the format told from its content unless given."""
    from skembed.vectors import load

    return load(path, format="word2vec-binary" if binary else format)


def _lowercase(args):
    if args.lowercase is not None:
        return args.lowercase
    saved = saved_lowercase(args.vectors)
    return True if saved is None else saved


def run_similar(args, out):
    """Nearest neighbours of words in a vectors file."""
    wv = load_vectors(args.vectors, args.binary, args.format)
    found = print_neighbours(wv, args.words, args.topn, out, _lowercase(args), args.json)
    if found == 0:
        raise CommandError(f"{args.vectors}: none of the words {args.words} is in the vocabulary.")
    return 0


def analogy_answers(wv, a, b, c, topn, lowercase):
    """``a`` is to ``b`` as ``c`` is to ...: ``[(word, cosine), ...]``."""
    import numpy as np

    words = [query_word(wv, w, lowercase) for w in (a, b, c)]
    vectors = []
    for given, word in zip((a, b, c), words, strict=True):
        try:
            vectors.append(np.asarray(wv.get_vector(word), dtype=np.float64))
        except KeyError:
            raise KeyError(f"{given!r} is not in the vocabulary.") from None
    unit = [v / (np.linalg.norm(v) or 1.0) for v in vectors]
    target = unit[1] - unit[0] + unit[2]
    near = wv.most_similar([target], topn=topn + 3)
    return [(w, float(s)) for w, s in near if w not in words][:topn]


def run_analogy(args, out):
    """Print the answers of "A is to B as C is to ?"."""
    wv = load_vectors(args.vectors, args.binary, args.format)
    answers = analogy_answers(wv, args.a, args.b, args.c, args.topn, _lowercase(args))
    if args.json:
        print(json.dumps(answers), file=out)
    else:
        for word, score in answers:
            print(f"{word}\t{score:.4f}", file=out)
    return 0


def _similarity_set(name):
    from skembed.datasets import load_wordsim353

    return name if not os.path.exists(name) else load_wordsim353(path=name)


def _analogy_set(name):
    from skembed.datasets import load_google_analogies

    return name if not os.path.exists(name) else load_google_analogies(path=name)


def run_evaluate(args, out):
    """Score vectors on similarity and analogy sets; print a table or JSON."""
    from skembed.evaluation import analogy_accuracy, word_similarity_score

    wv = load_vectors(args.vectors, args.binary, args.format)
    similarity = args.similarity
    analogy = args.analogy
    if similarity is None and analogy is None:
        similarity, analogy = ["wordsim353", "simlex999"], ["google"]
    rows = []
    for name in similarity or []:
        res = word_similarity_score(wv, _similarity_set(name))
        rows.append(
            {
                "dataset": name,
                "task": "similarity",
                "score": float(res.spearman),
                "coverage": float(res.coverage),
            }
        )
    for name in analogy or []:
        res = analogy_accuracy(wv, _analogy_set(name))
        rows.append(
            {
                "dataset": name,
                "task": "analogy",
                "score": float(res.accuracy),
                "coverage": float(res.coverage),
            }
        )
    if args.json:
        print(json.dumps(rows), file=out)
    else:
        print(f"{'dataset':<20} {'task':<10} {'score':>7} {'coverage':>8}", file=out)
        for row in rows:
            print(
                f"{row['dataset']:<20} {row['task']:<10} {row['score']:>+7.3f} "
                f"{row['coverage']:>8.0%}",
                file=out,
            )
    return 0


def run_convert(args, out):
    """Read vectors in one format and write them in another."""
    from skembed.vectors import save

    wv = load_vectors(args.source, format=args.from_format)
    save(wv, args.target, format=args.to_format)
    if not args.quiet:
        print(f"{len(wv):,} words written to {args.target}", file=out)
    return 0
