"""Search, clusters and pictures
=============================

Search, cluster and draw the King James Bible (needs ``pip install skembed[plot]``).

Trains ``Word2VecVectorizer`` on the verses, clusters words typical of four books,
searches the verses by meaning and draws a map of the words and the training curves.
Run ``python examples/search_kjv.py -o pictures/`` (``--small`` for a quick run;
``--epochs`` and ``--vector-size`` set the training).
"""

import argparse
from collections import Counter
from pathlib import Path

from skembed import Word2VecVectorizer
from skembed.datasets import load_kjv
from skembed.text._analyzer import build_analyzer
from skembed.vectors import DocumentIndex, cluster_words, plot_map, plot_training_curves

BOOKS = ("Genesis", "Psalms", "Matthew", "Revelation")


def typical_words(verses, books, vectorizer, per_book=8, min_count=10):
    """Per book, the words most over-represented in it (against the whole Bible)."""
    analyzer = build_analyzer(vectorizer)
    overall, by_book = Counter(), {book: Counter() for book in BOOKS}
    for text, book in zip(verses, books, strict=True):
        tokens = analyzer(text)
        overall.update(tokens)
        if book in by_book:
            by_book[book].update(tokens)
    total = sum(overall.values())
    chosen, taken = {}, set()
    for book, counts in by_book.items():
        size = sum(counts.values())
        ratio = {
            w: (c / size) / (overall[w] / total)
            for w, c in counts.items()
            if c >= min_count and w in vectorizer.wv_ and w not in taken
        }
        for word in sorted(ratio, key=lambda w: (-ratio[w], w))[:per_book]:
            chosen[word] = book
            taken.add(word)
    return chosen


def main(output_dir=".", small=False, epochs=None, vector_size=None, n_jobs=None):
    import matplotlib

    matplotlib.use("Agg")
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    kjv = load_kjv()
    verses, books = list(kjv.data), list(kjv.book)
    if small:
        verses, books = verses[::2], books[::2]
    vec = Word2VecVectorizer(
        vector_size=vector_size or (32 if small else 100),
        epochs=epochs or (5 if small else 10),
        early_stopping=True, n_iter_no_change=100,  # a validation curve, no stop
        random_state=0, n_jobs=n_jobs,
    ).fit(verses)  # fmt: skip

    word_book = typical_words(verses, books, vec)
    words = list(word_book)
    clusters = cluster_words(vec.wv_, len(BOOKS), words=words, random_state=0)
    table = clusters.table.assign(book=[word_book[w] for w in clusters.table["word"]])
    purity = table.groupby("cluster")["book"].agg(lambda b: b.value_counts().iloc[0]).sum()
    purity /= len(table)
    print(f"{len(words)} words of {', '.join(BOOKS)} in {len(BOOKS)} clusters: "
          f"purity {purity:.2f}, silhouette {clusters.silhouette:.2f}")  # fmt: skip
    for cluster, top in clusters.top_words.items():
        print(f"  cluster {cluster}: {' '.join(top[:6])}")

    index = DocumentIndex(vec).fit(verses)
    query = "the lord is my shepherd"
    hits = index.search(query, topn=3)
    print(f"verses nearest {query!r}:")
    for i, score in hits:
        print(f"  {score:.2f} {books[i]}: {verses[i][:70]}")
    expanded = index.expand_query(query, topn=2)
    print("expanded query:", ", ".join(f"{w} {weight:.2f}" for w, weight in expanded[:8]))

    map_path = output_dir / "kjv_map.png"
    curves_path = output_dir / "kjv_training_curves.png"
    ax = plot_map(vec.wv_, words=words, clusters=clusters, path=map_path)
    ax.set_title("Words typical of four books, coloured by cluster")
    ax.figure.tight_layout()
    ax.figure.savefig(map_path, dpi=100)
    ax = plot_training_curves(vec, path=curves_path)
    ax.set_title("Word2VecVectorizer on the King James Bible")
    ax.figure.tight_layout()
    ax.figure.savefig(curves_path, dpi=100)
    print(f"wrote {map_path} and {curves_path}")
    return dict(clusters=clusters, purity=purity, hits=hits, expanded=expanded,
                paths=(map_path, curves_path), vectorizer=vec)  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-o", "--output-dir", default=".")
    parser.add_argument("--small", action="store_true")
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--vector-size", type=int, default=None)
    parser.add_argument("--n-jobs", type=int, default=None)
    args = parser.parse_args()
    main(args.output_dir, args.small, args.epochs, args.vector_size, args.n_jobs)
