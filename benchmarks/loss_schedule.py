"""Why the training loss can rise in the last epochs of a linear schedule.

Fits skip-gram (50 dimensions, 8 epochs, ``n_jobs=1``) on KJV with the
linear and the constant schedule and records after every epoch:

- ``loss``: the training loss reported for the epoch (``loss_curve_``), which
  is measured on the fly: each pair's loss is taken just before its update,
  while the parameters move during the epoch;
- ``score``: ``score()`` of the first ``--score-docs`` training verses at the
  end of the epoch, with the parameters frozen (fixed window and noise, no
  subsampling; greater is better).

Then, from the final linear model, one more epoch is run twice with a
constant rate: at ``1e-6`` (the parameters barely move, so the on-the-fly
loss is the loss of the frozen model under the training sampling) and at the
initial rate.  If the second is lower, the on-the-fly loss rewards a high
rate for moving the parameters toward the text just seen, and a falling rate
makes the reported loss rise although the model improves.

Usage::

    python benchmarks/loss_schedule.py            # about a minute per fit on 2 cores
"""

import argparse
import copy
import json

from skembed import Word2VecVectorizer
from skembed.datasets import load_kjv


def run(docs, score_docs, schedule, epochs, seed):
    rows = []

    def record(est, info):
        rows.append({"epoch": info.epoch, "lr_end": info.learning_rate, "loss": info.loss,
                     "score": est.score(score_docs)})  # fmt: skip

    est = Word2VecVectorizer(
        vector_size=50, epochs=epochs, learning_rate_schedule=schedule, callbacks=[record],
        random_state=seed, n_jobs=1,
    ).fit(docs)  # fmt: skip
    return est, rows


def one_more_epoch(est, docs, rate):
    est = copy.deepcopy(est)
    est.set_params(warm_start=True, epochs=1, learning_rate=rate, min_learning_rate=rate,
                   learning_rate_schedule="constant", callbacks=None)  # fmt: skip
    est.fit(docs)
    return float(est.loss_curve_[-1])


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--score-docs", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    docs = list(load_kjv().data)
    score_docs = docs[: args.score_docs]
    out = {}
    for schedule in ("linear", "constant"):
        est, rows = run(docs, score_docs, schedule, args.epochs, args.seed)
        out[schedule] = rows
        for r in rows:
            print(schedule, json.dumps(r), flush=True)
        if schedule == "linear":
            lr0 = est._learning_rates()[0] if hasattr(est, "_learning_rates") else 0.025
            out["frozen_epoch_loss"] = one_more_epoch(est, docs, 1e-6)
            out["high_rate_epoch_loss"] = one_more_epoch(est, docs, float(lr0))
            print("after linear: one epoch at 1e-6:", out["frozen_epoch_loss"],
                  f"at {lr0}:", out["high_rate_epoch_loss"], flush=True)  # fmt: skip
    return out


if __name__ == "__main__":
    main()
