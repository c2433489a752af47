"""Phrases against gensim's Phrases, side by side in one run.

Both get the same tokens: the KJV verses (or Reina-Valera's) through skembed's
default analyzer, lowercased. gensim takes the token lists; skembed takes the
tokens joined by spaces (its compiled analyzer splits them back into the same
tokens), so skembed's figures include tokenizing and gensim's do not. Settings
are the same: word2vec's score (``scoring="default"``, gensim's
``original_scorer``), ``min_count``, ``threshold`` and, with
``--connectors``, the English connector words (gensim's
``ENGLISH_CONNECTOR_WORDS``, skembed's ``connector_words="english"``).

Runs are interleaved (skembed, gensim, skembed, ...) and repeated; the table
gives the best and the median CPU seconds (both run on one thread) of:

- fit: seconds to learn the phrases (skembed ``fit``; gensim's constructor);
- transform: seconds to rewrite every document with its phrases (skembed
  ``transform``, list of str; gensim ``list(phrases[token_lists])`` and the
  same through ``freeze()``, which gensim recommends for speed);
- the phrases found: how many, how many both found, and the largest relative
  difference of the scores of the common ones.

skembed joins overlapping phrases by best total score, gensim greedily from
the left, so transformed documents may differ where phrases overlap.

Usage::

    python benchmarks/bench_phrases.py --repeats 3
    python benchmarks/bench_phrases.py --connectors --scale 4 --repeats 3
    python benchmarks/bench_phrases.py --limit 2000 --repeats 1   # a smoke run

Needs the ``bench`` extra (gensim).
"""

import argparse
import json
import statistics
import sys
import time

from skembed.datasets import load_kjv, load_rv1909
from skembed.text import Phrases
from skembed.text._analyzer import DEFAULT_TOKEN_PATTERN


def token_lists(corpus, limit=None, scale=1):
    """Lowercased default-pattern tokens of each verse, the corpus repeated ``scale`` times."""
    import re

    loader = {"kjv": load_kjv, "rv1909": load_rv1909}[corpus]
    docs = list(loader().data)[:limit]
    pattern = re.compile(DEFAULT_TOKEN_PATTERN)
    return [pattern.findall(doc.lower()) for doc in docs] * scale


def timed(function):
    """Run ``function``; return its CPU seconds (both tools run on one thread) and result.

    CPU time rather than wall time, so that other work on a shared machine
    inflates the figures less; on an idle machine the two agree.
    """
    start = time.process_time()
    out = function()
    return time.process_time() - start, out


def run_skembed(texts, args):
    phrases = Phrases(
        min_count=args.min_count,
        threshold=args.threshold,
        connector_words="english" if args.connectors else None,
    )
    fit, _ = timed(lambda: phrases.fit(texts))
    transform, _ = timed(lambda: phrases.transform(texts))
    return {"fit": fit, "transform": transform}, phrases.phrasegrams_


def run_gensim(tokens, args):
    from gensim.models.phrases import ENGLISH_CONNECTOR_WORDS
    from gensim.models.phrases import Phrases as GensimPhrases

    fit, model = timed(
        lambda: GensimPhrases(
            tokens,
            min_count=args.min_count,
            threshold=args.threshold,
            connector_words=ENGLISH_CONNECTOR_WORDS if args.connectors else frozenset(),
        )
    )
    transform, _ = timed(lambda: list(model[tokens]))
    frozen = model.freeze()
    frozen_transform, _ = timed(lambda: list(frozen[tokens]))
    found = model.export_phrases()
    return {"fit": fit, "transform": transform, "frozen_transform": frozen_transform}, found


def compare(ours, theirs):
    common = ours.keys() & theirs.keys()
    worst = max(
        (abs(ours[p] - theirs[p]) / max(abs(theirs[p]), 1e-12) for p in common), default=0.0
    )
    return {
        "skembed_phrases": len(ours),
        "gensim_phrases": len(theirs),
        "common": len(common),
        "max_relative_score_difference": worst,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=["kjv", "rv1909"], default="kjv")
    parser.add_argument("--limit", type=int, default=None, help="first N verses only")
    parser.add_argument("--scale", type=int, default=1, help="repeat the corpus N times")
    parser.add_argument("--min-count", type=int, default=5)
    parser.add_argument("--threshold", type=float, default=10.0)
    parser.add_argument("--connectors", action="store_true")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", help="write the figures here")
    args = parser.parse_args(argv)

    tokens = token_lists(args.corpus, args.limit, args.scale)
    texts = [" ".join(t) for t in tokens]
    n_tokens = sum(map(len, tokens))
    Phrases(min_count=1, threshold=0.0).fit(texts[:50]).transform(texts[:50])  # compile

    figures = {"skembed": [], "gensim": []}
    for _ in range(args.repeats):
        times, ours = run_skembed(texts, args)
        figures["skembed"].append(times)
        times, theirs = run_gensim(tokens, args)
        figures["gensim"].append(times)

    print(f"{args.corpus}: {len(texts)} documents, {n_tokens} tokens, {args.repeats} runs")
    print(f"{'CPU seconds':<28}{'best':>10}{'median':>10}")
    summary = {}
    for tool, runs in figures.items():
        for key in runs[0]:
            values = [run[key] for run in runs]
            summary[f"{tool} {key}"] = (min(values), statistics.median(values))
            print(f"{tool + ' ' + key:<28}{min(values):>10.3f}{statistics.median(values):>10.3f}")
    ratios = {
        "fit": summary["gensim fit"][0] / summary["skembed fit"][0],
        "transform": summary["gensim transform"][0] / summary["skembed transform"][0],
        "frozen_transform": summary["gensim frozen_transform"][0]
        / summary["skembed transform"][0],
    }
    for key, value in ratios.items():
        print(f"gensim / skembed {key} (best): {value:.1f}x")
    agreement = compare(ours, theirs)
    print("phrases:", agreement)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(
                {
                    "args": vars(args),
                    "n_tokens": n_tokens,
                    "runs": figures,
                    "ratios": ratios,
                    "phrases": agreement,
                },
                f,
                indent=2,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
