"""Regenerate the fastText fixtures in this folder (never run by the test suite).

Needs facebook fastText twice: the ``fasttext`` Python package (``pip install
fasttext``) and the command-line ``fasttext`` program built from fastText's
sources (``make`` in a checkout of https://github.com/facebookresearch/fastText),
because only the command-line program writes a ``.vec`` file next to the
``.bin``.  Usage::

    python tests/data/fasttext/make_fixtures.py --cli /path/to/fastText/fasttext

The corpora are deterministic (the first verses of ``/work/shared/data/kjv.tsv.gz``
or ``--kjv``, plus planted words), and fastText runs with seed 0, but with ten
threads: fastText initialises its input matrix in ten blocks, one per thread,
so with fewer than ten threads part of the matrix stays uninitialised and tiny
models end in "Encountered NaN" (fastText issues #935 and #1061); each block
holds ``(rows * dim) // 10`` values, so ``dim=10`` also leaves no remainder.  Hogwild
training with ten threads is not bit-reproducible, so a rerun gives a
different but equivalent set of files.  See README.md for what each file holds.
"""

import argparse
import gzip
import importlib.metadata
import json
import os
import re
import subprocess
import tempfile

import fasttext
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))

# Non-ASCII words planted in the corpus so that they reach minCount and get rows.
PLANTED = ["über", "señor", "jalapeño", "zürich", "москва", "東京", "ελλάδα", "niño"]
# Words asked of the main model: in-vocabulary ones first, then unseen ones.
IN_VOCAB = ["the", "god", "earth", "waters", "</s>"] + PLANTED
UNSEEN = [
    "naïve",
    "café",
    "Ölüm",
    "日本語",
    "émigré",
    "xyzzy",
    "godliness",
    "aaaa",
    "q",
    "🙂",
    "",
]
# Strings whose full 32-bit hash is recovered (see _recover_hashes).
HASHED = [
    "",
    "a",
    "foobar",
    "<the>",
    "<ca",
    "café",
    "<café>",
    "é",
    "ïve",
    "Ölüm",
    "日本語",
    "🙂",
    "\x7f",
    "\u0080",
    "ÿ",
]
CRT_BUCKETS = [2039, 2053, 2063]  # pairwise coprime, product > 2**32


def read_kjv(path, n_verses):
    """Return the first ``n_verses`` verses, lower-cased, letters and spaces only."""
    lines = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        next(fh)
        for row in fh:
            book, chapter, _, text = row.rstrip("\n").split("\t")
            text = re.sub(r"[^a-z ]+", " ", text.lower())
            lines.append((book, int(chapter), " ".join(text.split())))
            if len(lines) == n_verses:
                break
    return lines


def write_lines(path, lines):
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")


def vec(model, word):
    return [float(v) for v in model.get_word_vector(word)]


def subwords(model, word):
    strings, ids = model.get_subwords(word)
    return {"strings": list(strings), "ids": [int(i) for i in ids]}


def args_of(model):
    a = model.f.getArgs()
    names = ["dim", "ws", "epoch", "minCount", "neg", "wordNgrams", "bucket", "minn", "maxn"]
    out = {name: getattr(a, name) for name in names}
    out["lrUpdateRate"] = a.lrUpdateRate
    out["t"] = a.t
    out["loss"] = int(a.loss.value)
    out["model"] = int(a.model.value)
    return out


def _recover_hashes(corpus, tmp):
    """Recover fastText's own 32-bit hash of each string in HASHED.

    The Python binding exposes ``get_subword_id(s) = nwords + hash(s) % bucket``
    only, so train three throw-away models whose buckets are pairwise coprime
    with a product above 2**32 and combine the residues (Chinese remainder).
    """
    residues = []
    for bucket in CRT_BUCKETS:
        model = fasttext.train_unsupervised(
            corpus, model="skipgram", dim=10, epoch=1, minCount=5, bucket=bucket,
            minn=3, maxn=3, thread=10, verbose=0,
        )  # fmt: skip
        nwords = len(model.words)
        residues.append([model.get_subword_id(s) - nwords for s in HASHED])
    product = int(np.prod(CRT_BUCKETS, dtype=np.int64))
    hashes = []
    for k in range(len(HASHED)):
        total = 0
        for bucket, res in zip(CRT_BUCKETS, residues, strict=True):
            rest = product // bucket
            total += res[k] * rest * pow(rest, -1, bucket)
        value = total % product
        assert value < 2**32
        hashes.append(value)
    return dict(zip(HASHED, hashes, strict=True))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cli", required=True, help="fastText command-line program")
    parser.add_argument("--kjv", default="/work/shared/data/kjv.tsv.gz")
    opts = parser.parse_args()

    verses = read_kjv(opts.kjv, 600)
    lines = []
    for k, (_, _, text) in enumerate(verses):
        if k % 7 == 0:
            text += " " + PLANTED[(k // 7) % len(PLANTED)]
        lines.append(text)

    with tempfile.TemporaryDirectory() as tmp:
        corpus = os.path.join(tmp, "corpus.txt")
        write_lines(corpus, lines)

        # 1. the main unsupervised model, .bin and .vec, by the command-line program
        prefix = os.path.join(HERE, "tiny_skipgram")
        subprocess.run(
            [
                opts.cli, "skipgram", "-input", corpus, "-output", prefix,
                "-dim", "10", "-bucket", "1000", "-minn", "2", "-maxn", "4",
                "-epoch", "2", "-minCount", "5", "-thread", "10", "-seed", "0",
                "-verbose", "0",
            ],
            check=True,
        )  # fmt: skip
        model = fasttext.load_model(prefix + ".bin")
        words, counts = model.get_words(include_freq=True)
        for w in IN_VOCAB:
            assert w in words, w
        for w in UNSEEN:
            assert w not in words, w
        matrix = model.get_input_matrix()
        expected = {
            "fasttext_python_package": importlib.metadata.version("fasttext"),
            "args": args_of(model),
            "nwords": len(words),
            "words_head": list(words[:20]),
            "counts_head": [int(c) for c in counts[:20]],
            "input_shape": list(matrix.shape),
            "input_sum": float(matrix.astype(np.float64).sum()),
            "output_shape": list(model.get_output_matrix().shape),
            "in_vocab": {w: {"vector": vec(model, w), **subwords(model, w)} for w in IN_VOCAB},
            "unseen": {w: {"vector": vec(model, w), **subwords(model, w)} for w in UNSEEN},
            "subword_ids": {
                s: model.get_subword_id(s) for s in ["<th", "he>", "ïv", "<日", "本語>", "é"]
            },
            "hashes": _recover_hashes(corpus, tmp),
        }

        # 2. minn=0: fastText then behaves as minn=1 (n-grams of one character)
        minn0 = fasttext.train_unsupervised(
            corpus, model="skipgram", dim=10, epoch=1, minCount=5, bucket=100,
            minn=0, maxn=3, thread=10, verbose=0,
        )  # fmt: skip
        expected["minn0_maxn3"] = {
            "nwords": len(minn0.words),
            "subwords": {w: subwords(minn0, w) for w in ["naïve", "earth", "q", "日本語"]},
        }

        # 3. an unsupervised model whose text holds label-like tokens
        labelled = [f"{t} __label__{'ab'[k % 2]}" for k, t in enumerate(lines[:150])]
        write_lines(corpus, labelled)
        prefix_l = os.path.join(HERE, "tiny_cbow_with_labels")
        subprocess.run(
            [
                opts.cli, "cbow", "-input", corpus, "-output", prefix_l,
                "-dim", "10", "-bucket", "100", "-minn", "3", "-maxn", "3",
                "-epoch", "1", "-minCount", "5", "-thread", "10", "-seed", "0",
                "-verbose", "0",
            ],
            check=True,
        )  # fmt: skip
        os.unlink(prefix_l + ".vec")
        model_l = fasttext.load_model(prefix_l + ".bin")
        expected["with_labels"] = {
            "args": args_of(model_l),
            # model.labels lists the words of an unsupervised model; ask the binding
            "labels": list(model_l.f.getLabels("strict")[0]),
            "nwords": len(model_l.words),
            "vectors": {w: vec(model_l, w) for w in ["the", "god", "naïve", "</s>"]},
        }

        # 4. a tiny supervised model, and its quantized (.ftz) form
        sup_lines = [f"__label__{'odd' if c % 2 else 'even'} {t}" for _, c, t in verses[:400]]
        write_lines(corpus, sup_lines)
        sup = fasttext.train_supervised(
            corpus, dim=10, epoch=1, minCount=1, wordNgrams=2, bucket=300, thread=10,
            verbose=0,
        )  # fmt: skip
        sup.save_model(os.path.join(HERE, "tiny_supervised.bin"))
        sup.quantize(input=None, qout=False, cutoff=0, retrain=False, dsub=2)
        sup.save_model(os.path.join(HERE, "tiny_supervised.ftz"))

    with open(os.path.join(HERE, "expected.json"), "w", encoding="utf-8") as fh:
        json.dump(expected, fh, ensure_ascii=False, indent=1)
        fh.write("\n")
    for name in sorted(os.listdir(HERE)):
        print(f"{name:32s} {os.path.getsize(os.path.join(HERE, name)):8d} bytes")


if __name__ == "__main__":
    main()
