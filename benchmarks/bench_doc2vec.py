"""Doc2VecVectorizer against gensim Doc2Vec, side by side in one run.

Documents are KJV chapters (1,189 of them, labelled with their book group) or
verses; both libraries get the same token lists (skembed's analyzer bypassed
with ``tokenizer=str.split`` on space-joined tokens) and the same settings:
vector_size 100, window 5, negative 5, min_count 5, sample 1e-3, alpha 0.025,
min_alpha 1e-4, the given epochs, PV-DM (mean) or PV-DBOW.  Runs are
interleaved (skembed, gensim, skembed, ...) and repeated; the table reports
the best and the median of each figure.

Figures:

- training throughput: raw corpus tokens x epochs / training seconds (skembed:
  ``train_time_``; gensim: the ``train()`` call after ``build_vocab``);
- inference: documents per second when inferring every training document
  (skembed: one ``transform`` call on ``--threads`` threads; gensim: one
  ``infer_vector`` call per document, its only interface), same epochs;
- book-group accuracy: 5-fold stratified cross-validated LogisticRegression on
  the trained document vectors, and on the inferred ones;
- own-vector rank: the rank (0 = best) of each document's trained vector among
  all trained vectors, by cosine from its inferred vector; median and share at 0;
- reworded-copy rank: the same rank from the inferred vector of a reworded copy
  (a fixed 20% of its tokens dropped and adjacent pairs swapped at random).

Usage::

    python benchmarks/bench_doc2vec.py --repeats 3
    python benchmarks/bench_doc2vec.py --dm 0 --threads 2 --repeats 2
    python benchmarks/bench_doc2vec.py --limit 60 --epochs 2 --repeats 1   # a smoke run

Needs the ``bench`` extra (gensim).
"""

import argparse
import json
import statistics
import sys
import time

import numpy as np

from skembed import Doc2VecVectorizer
from skembed.datasets import load_kjv


def kjv_documents(unit, limit=None):
    """Token lists and group labels of KJV chapters or verses."""
    data = load_kjv(as_frame=True)
    frame = data.frame
    tokenize = Doc2VecVectorizer()._analyze
    if unit == "chapter":
        grouped = frame.groupby(["book", "chapter"], sort=False, observed=True)
        texts = grouped["text"].apply(" ".join).tolist()
        groups = grouped["group"].first().astype(str).tolist()
    else:
        texts = frame["text"].tolist()
        groups = frame["group"].astype(str).tolist()
    docs = list(tokenize(texts))
    if limit is not None:
        pick = np.random.default_rng(0).permutation(len(docs))[:limit]
        docs = [docs[i] for i in np.sort(pick)]
        groups = [groups[i] for i in np.sort(pick)]
    return docs, np.array(groups)


def reworded(docs, seed=0):
    """Copies with 20% of the tokens dropped and random adjacent pairs swapped."""
    rng = np.random.default_rng(seed)
    out = []
    for doc in docs:
        kept = [w for w in doc if rng.random() >= 0.2] or list(doc[:1])
        for i in range(0, len(kept) - 1, 2):
            if rng.random() < 0.5:
                kept[i], kept[i + 1] = kept[i + 1], kept[i]
        out.append(kept)
    return out


def run_skembed(docs, args, seed):
    texts = [" ".join(d) for d in docs]
    model = Doc2VecVectorizer(
        dm=bool(args.dm), vector_size=100, window=5, negative=5, min_count=5, sample=1e-3,
        epochs=args.epochs, learning_rate=0.025, min_learning_rate=1e-4, tokenizer=str.split,
        lowercase=False, token_pattern=None, random_state=seed, n_jobs=args.threads,
    )  # fmt: skip
    model.fit(texts)
    n_tokens = sum(len(d) for d in docs)
    model.transform(texts[:1])  # compiles the inference kernel (first use only): not timed
    start = time.perf_counter()
    inferred = model.transform(texts)
    infer_seconds = time.perf_counter() - start
    copies = model.transform([" ".join(d) for d in reworded(docs)])
    return dict(
        train_words_per_second=n_tokens * args.epochs / model.train_time_,
        infer_docs_per_second=len(docs) / infer_seconds,
        trained=model.dv_.vectors, inferred=inferred, reworded=copies,
    )  # fmt: skip


def run_gensim(docs, args, seed):
    from gensim.models.doc2vec import Doc2Vec, TaggedDocument

    tagged = [TaggedDocument(d, [i]) for i, d in enumerate(docs)]
    model = Doc2Vec(
        dm=args.dm, vector_size=100, window=5, negative=5, hs=0, min_count=5, sample=1e-3,
        alpha=0.025, min_alpha=1e-4, workers=args.threads, seed=seed, epochs=args.epochs,
    )  # fmt: skip
    model.build_vocab(tagged)
    start = time.perf_counter()
    model.train(tagged, total_examples=len(tagged), epochs=args.epochs)
    train_seconds = time.perf_counter() - start
    n_tokens = sum(len(d) for d in docs)
    start = time.perf_counter()
    inferred = np.array([model.infer_vector(d) for d in docs], dtype=np.float32)
    infer_seconds = time.perf_counter() - start
    trained = np.array([model.dv[i] for i in range(len(docs))], dtype=np.float32)
    copies = np.array([model.infer_vector(d) for d in reworded(docs)], dtype=np.float32)
    return dict(
        train_words_per_second=n_tokens * args.epochs / train_seconds,
        infer_docs_per_second=len(docs) / infer_seconds,
        trained=trained, inferred=inferred, reworded=copies,
    )  # fmt: skip


def group_accuracy(vectors, groups, seed):
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_score

    counts = np.unique(groups, return_counts=True)[1]
    folds = int(min(5, counts.min()))
    if folds < 2:
        return float("nan")
    cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    return float(cross_val_score(LogisticRegression(max_iter=2000), vectors, groups, cv=cv).mean())


def own_rank(inferred, trained):
    a = inferred / np.maximum(np.linalg.norm(inferred, axis=1, keepdims=True), 1e-12)
    b = trained / np.maximum(np.linalg.norm(trained, axis=1, keepdims=True), 1e-12)
    sim = a @ b.T
    ranks = (sim > np.diag(sim)[:, None]).sum(axis=1)
    return float(np.median(ranks)), float((ranks == 0).mean())


def measure(result, groups, seed):
    median_rank, top1 = own_rank(result["inferred"], result["trained"])
    reworded_rank, reworded_top1 = own_rank(result["reworded"], result["trained"])
    return dict(
        train_words_per_second=result["train_words_per_second"],
        infer_docs_per_second=result["infer_docs_per_second"],
        accuracy_trained=group_accuracy(result["trained"], groups, seed),
        accuracy_inferred=group_accuracy(result["inferred"], groups, seed),
        own_rank_median=median_rank, own_rank_top1=top1,
        reworded_rank_median=reworded_rank, reworded_rank_top1=reworded_top1,
    )  # fmt: skip


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--unit", choices=["chapter", "verse"], default="chapter")
    parser.add_argument("--dm", type=int, choices=[0, 1], default=1)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--limit", type=int, default=None, help="use only this many documents")
    parser.add_argument("--json", default=None, help="write the results here")
    args = parser.parse_args(argv)

    docs, groups = kjv_documents(args.unit, args.limit)
    runs = {"skembed": [], "gensim": []}
    for r in range(args.repeats):
        for name, runner in (("skembed", run_skembed), ("gensim", run_gensim)):
            runs[name].append(measure(runner(docs, args, seed=r + 1), groups, r))
            print(name, r, json.dumps(runs[name][-1]), file=sys.stderr)
    keys = list(runs["skembed"][0])
    print(f"KJV {args.unit}s: {len(docs)} documents, {sum(map(len, docs))} tokens, "
          f"dm={args.dm}, epochs={args.epochs}, threads={args.threads}")  # fmt: skip
    print("| figure | skembed best | skembed median | gensim best | gensim median |")
    print("|---|---|---|---|---|")
    for key in keys:
        lower_is_better = key.endswith("rank_median")
        pick = min if lower_is_better else max
        row = [key]
        for name in ("skembed", "gensim"):
            values = [run[key] for run in runs[name]]
            row += [f"{pick(values):.4g}", f"{statistics.median(values):.4g}"]
        print("| " + " | ".join(row) + " |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(dict(args=vars(args), runs=runs), f, indent=1)


if __name__ == "__main__":
    main()
