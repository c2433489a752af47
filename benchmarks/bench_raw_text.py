"""Raw text to vectors: the whole of Word2VecVectorizer.fit against gensim's whole path.

Both sides start from the same raw documents (the KJV verses, or a generated
corpus written as text) and end with trained vectors:

- skembed: ``Word2VecVectorizer(...).fit(documents)`` with its default analyzer
  (the compiled tokenizer and encoder), vocabulary and training included;
- gensim: its own tokenizer (``gensim.utils.tokenize(doc, lowercase=True)``,
  a regular expression over word characters, into lists), then
  ``Word2Vec(sentences, ...)`` (``build_vocab`` and ``train``).

The hyper-parameters are those of ``bench_word2vec.py`` (vector_size 100,
window 5, negative 5, min_count 5, sample 1e-3).  Runs are interleaved
(skembed, gensim, skembed, ...) and repeated; the table gives the best and
the median wall time of each and their ratio (gensim / skembed: above 1 means
skembed is faster).

Usage::

    python benchmarks/bench_raw_text.py --repeats 3
    python benchmarks/bench_raw_text.py --corpus zipf --zipf-tokens 200000 --repeats 1  # smoke

Needs the ``bench`` extra (gensim).
"""

import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_word2vec import ALPHA, zipf_tokens  # noqa: E402

from skembed import Word2VecVectorizer  # noqa: E402


def documents(args):
    if args.corpus == "kjv":
        from skembed.datasets import load_kjv

        return list(load_kjv().data)
    # gensim's tokenizer drops digits: spell the generated words in letters only
    def letters(word):
        n, out = int(word[1:]), ""
        while True:
            n, r = divmod(n, 26)
            out += chr(97 + r)
            if n == 0:
                return "w" + out

    spelled = {}
    return [
        " ".join(spelled.setdefault(w, letters(w)) for w in doc)
        for doc in zipf_tokens(args.zipf_tokens, args.zipf_types)
    ]


def run_skembed(docs, algorithm, threads, epochs, seed):
    start = time.perf_counter()
    model = Word2VecVectorizer(
        algorithm=algorithm, vector_size=100, window=5, negative=5, min_count=5,
        sample=1e-3, epochs=epochs, learning_rate=ALPHA[algorithm], min_learning_rate=1e-4,
        random_state=seed, n_jobs=threads,
    ).fit(docs)  # fmt: skip
    return time.perf_counter() - start, len(model.wv_)


def run_gensim(docs, algorithm, threads, epochs, seed):
    from gensim.models import Word2Vec
    from gensim.utils import tokenize

    start = time.perf_counter()
    sentences = [list(tokenize(doc, lowercase=True)) for doc in docs]
    model = Word2Vec(
        sentences, vector_size=100, window=5, negative=5, min_count=5, sample=1e-3,
        sg=int(algorithm == "skipgram"), alpha=ALPHA[algorithm], min_alpha=1e-4,
        workers=threads, seed=seed, epochs=epochs,
    )  # fmt: skip
    return time.perf_counter() - start, len(model.wv)


RUNNERS = {"skembed": run_skembed, "gensim": run_gensim}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", choices=["kjv", "zipf"], default="kjv")
    parser.add_argument("--zipf-tokens", type=int, default=5_000_000)
    parser.add_argument("--zipf-types", type=int, default=100_000)
    parser.add_argument("--algorithms", nargs="+", default=["skipgram", "cbow"])
    parser.add_argument("--threads", nargs="+", type=int, default=[1, 2])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--output", default=None, help="write results as JSON here")
    args = parser.parse_args(argv)
    docs = documents(args)
    for runner in RUNNERS.values():  # compile and warm the caches once
        runner(docs[:2000], "skipgram", 1, 1, 0)
    rows = []
    print(f"{args.corpus}: {len(docs):,} documents, {args.epochs} epochs")
    print(f"{'algorithm':<10}{'threads':>8}{'skembed s':>11}{'gensim s':>10}{'ratio best':>12}"
          f"{'ratio median':>14}{'words':>16}")  # fmt: skip
    for algorithm in args.algorithms:
        for threads in args.threads:
            times = {name: [] for name in RUNNERS}
            vocab = {}
            for rep in range(args.repeats):
                for name, runner in RUNNERS.items():  # interleaved
                    seconds, vocab[name] = runner(docs, algorithm, threads, args.epochs, rep + 1)
                    times[name].append(seconds)
            row = {
                "algorithm": algorithm, "threads": threads,
                **{f"{n}_best_s": min(t) for n, t in times.items()},
                **{f"{n}_median_s": statistics.median(t) for n, t in times.items()},
                "ratio_best": min(times["gensim"]) / min(times["skembed"]),
                "ratio_median": statistics.median(times["gensim"])
                / statistics.median(times["skembed"]),
                "vocabulary": vocab,
            }  # fmt: skip
            rows.append(row)
            print(f"{algorithm:<10}{threads:>8}{row['skembed_best_s']:>11.2f}"
                  f"{row['gensim_best_s']:>10.2f}{row['ratio_best']:>12.2f}"
                  f"{row['ratio_median']:>14.2f}{vocab['skembed']:>8}/{vocab['gensim']}",
                  flush=True)  # fmt: skip
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            json.dump({"settings": vars(args), "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
