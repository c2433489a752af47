"""Find the word vectors of a model, and look words up in them."""

import numpy as np

OOV_OPTIONS = ("skip", "vector")


def _is_word_vectors(obj):
    # Duck-typed, so that anything shaped like WordVectors (gensim's KeyedVectors
    # included) can be evaluated.
    return all(hasattr(obj, name) for name in ("key_to_index", "index_to_key", "get_vector"))


def find_word_vectors(model):
    """Return the word vectors of ``model``.

    ``model`` is word vectors themselves, a fitted estimator with a ``wv_``
    attribute, a fitted search (``best_estimator_``) or a Pipeline: its steps
    are searched from the last to the first for one with fitted word vectors.
    """
    if _is_word_vectors(model):
        return model
    for attribute in ("wv_", "wv"):
        # getattr with a default: a property of an unfitted estimator may raise
        # AttributeError (sklearn's NotFittedError is one).
        wv = getattr(model, attribute, None)
        if wv is not None and _is_word_vectors(wv):
            return wv
    best = getattr(model, "best_estimator_", None)
    if best is not None:
        return find_word_vectors(best)
    steps = getattr(model, "steps", None)
    if steps is not None:
        for _, step in reversed(list(steps)):
            if step is None or isinstance(step, str):
                continue
            try:
                return find_word_vectors(step)
            except TypeError:
                continue
        raise TypeError(
            f"No step of {type(model).__name__} has fitted word vectors (a 'wv_' "
            "attribute); fit the pipeline first."
        )
    raise TypeError(
        "Expected WordVectors, a fitted estimator with a 'wv_' attribute or a Pipeline "
        f"containing one, got {type(model).__name__}."
    )


def normed_vectors(wv):
    """Return the unit-length vectors of ``wv`` as a float32 array."""
    if hasattr(wv, "get_normed_vectors"):
        return np.asarray(wv.get_normed_vectors(), dtype=np.float32)
    vectors = np.asarray(wv.vectors, dtype=np.float32)
    lengths = np.linalg.norm(vectors, axis=1, keepdims=True)
    lengths[lengths == 0] = 1.0
    return vectors / lengths


def check_oov(oov):
    if oov not in OOV_OPTIONS:
        raise ValueError(f"oov must be one of {OOV_OPTIONS}, got {oov!r}.")


def composed_vector(wv, word, lowercase):
    """Return the unit vector ``wv.get_vector`` gives ``word`` (or its lowercase), or None."""
    candidates = [word]
    if lowercase and word.lower() != word:
        candidates.append(word.lower())
    for candidate in candidates:
        try:
            vector = wv.get_vector(candidate, norm=True)
        except KeyError:
            continue
        return np.asarray(vector, dtype=np.float32)
    return None
