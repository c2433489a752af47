"""Parameter constraints shared by the estimators (scikit-learn's ``_parameter_constraints``).

Each estimator builds its own table from these groups, so that the table lists exactly the
parameters of its ``__init__``.  Integer parameters are bounded so that every value that
passes validation keeps the integer type the kernels are compiled for: an unbounded Python
int above ``2**63 - 1`` reaches numba as ``uint64`` (another compilation) or as an object it
cannot type, and the error would not name the parameter.
"""

import os
from collections.abc import Callable
from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions

from skembed.models._pooling import POOLING_OPTIONS
from skembed.schedules import SCHEDULES
from skembed.vectors._postprocessing import POSTPROCESSING_NAMES

__all__ = [
    "CLIP_CONSTRAINTS",
    "COMMON_CONSTRAINTS",
    "CONTROL_CONSTRAINTS",
    "MAX_INT32",
    "MAX_WINDOW",
    "MEMORY_CONSTRAINTS",
    "NEGATIVE_SAMPLING_CONSTRAINTS",
    "POSTPROCESSING_CONSTRAINTS",
    "STORAGE_CONSTRAINTS",
    "TEXT_CONSTRAINTS",
]

# Sizes, counts and ids the kernels and file formats hold as int32 (fastText's .bin header
# stores dim, ws, epoch, minCount, neg, minn, maxn and bucket as int32).
MAX_INT32 = int(np.iinfo(np.int32).max)
MAX_INT64 = int(np.iinfo(np.int64).max)
# GloVe's co-occurrence counting stores each distance as uint16; the other models share
# the bound so that a window means the same range for every estimator.
MAX_WINDOW = int(np.iinfo(np.uint16).max)
# Beyond |ns_exponent| = 10 the noise distribution is already one word, and count ** 10
# stays finite (and count ** -10 non-zero) for any count below 1e30.
MAX_NS_EXPONENT = 10.0


def _int(low, high=MAX_INT32):
    return Interval(Integral, low, high, closed="both")


# the CountVectorizer parameters every estimator reads its text with
TEXT_CONSTRAINTS = {
    "input": [StrOptions({"content", "file", "filename"})],
    "encoding": [str],
    "decode_error": [StrOptions({"strict", "ignore", "replace"})],
    "strip_accents": [StrOptions({"ascii", "unicode"}), Callable, None],
    "lowercase": ["boolean"],
    "preprocessor": [Callable, None],
    "tokenizer": [Callable, None],
    "token_pattern": [str, None],
    "stop_words": [StrOptions({"english"}), list, None],
}

# where the encoded corpus is kept (skembed.corpus._store): a folder or a joblib.Memory
MEMORY_CONSTRAINTS = {"memory": [None, str, os.PathLike, HasMethods(["cache"])]}

# the training controls the driver and the monitor read
CONTROL_CONSTRAINTS = {
    "learning_rate_schedule": [StrOptions(set(SCHEDULES)), callable],
    "warmup_fraction": [Interval(Real, 0, 1, closed="left")],
    "early_stopping": ["boolean"],
    "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
    "n_iter_no_change": [_int(1)],
    "tol": [Interval(Real, 0, None, closed="left")],
    "keep_best": ["boolean"],
    "callbacks": [list, None],
    "weight_decay": [Interval(Real, 0, None, closed="left")],
    "warm_start": ["boolean"],
    "update_vocabulary": ["boolean"],
    "total_words": [_int(1, MAX_INT64), None],
}

# what the vectorizers do to the word vectors before pooling (see make_postprocessor)
POSTPROCESSING_CONSTRAINTS = {
    "postprocessing": [
        StrOptions(set(POSTPROCESSING_NAMES)),
        HasMethods(["fit", "transform"]),
        list,
        None,
    ]
}

# gradient clipping of the skip-gram/CBOW family (GloVe has its own grad_clip)
# the precision the fitted matrices are stored in (training is always float32)
STORAGE_CONSTRAINTS = {"storage_dtype": [StrOptions({"float32", "float16"})]}

CLIP_CONSTRAINTS = {
    "clip_value": [Interval(Real, 0, None, closed="neither"), None],
    "clip_norm": [Interval(Real, 0, None, closed="neither"), None],
}

# the vocabulary, size, schedule and output parameters of every estimator
COMMON_CONSTRAINTS = {
    "vector_size": [_int(1)],
    "window": [_int(1, MAX_WINDOW)],
    "min_count": [_int(1)],
    "max_vocab_size": [_int(1), None],
    "max_final_vocab": [_int(1), None],
    "epochs": [_int(0)],
    "learning_rate": [Interval(Real, 0, None, closed="neither"), StrOptions({"auto"})],
    "min_learning_rate": [Interval(Real, 0, None, closed="left")],
    "pooling": [StrOptions(set(POOLING_OPTIONS))],
    "random_state": ["random_state"],
    "n_jobs": [Integral, None],
    "verbose": ["verbose"],
}

# the negative-sampling parameters of word2vec and fastText (``negative``'s lower bound
# differs: word2vec may train hierarchical softmax alone)
NEGATIVE_SAMPLING_CONSTRAINTS = {
    "ns_exponent": [Interval(Real, -MAX_NS_EXPONENT, MAX_NS_EXPONENT, closed="both")],
    "sample": [Interval(Real, 0, None, closed="left")],
}
