"""Numerical options of the estimators: half-precision storage, dropout, NCE."""

import pickle

import numpy as np
import pytest

from skembed import GloVeVectorizer, Word2VecVectorizer
from skembed.corpus._encoding import make_chunks
from skembed.corpus._sampling import noise_table
from skembed.models._kernels import _cbow, _sgns
from skembed.models._kernels._sigmoid import make_tables
from skembed.utils._random import seed_states

# a planted corpus: words co-occur within their topic only
_TOPICS = [[f"t{t}w{i}" for i in range(8)] for t in range(3)]


def _topic_docs(n_docs=300, seed=0):
    rng = np.random.RandomState(seed)
    docs = []
    for d in range(n_docs):
        topic = _TOPICS[d % len(_TOPICS)]
        docs.append(" ".join(rng.choice(topic, size=12)))
    return docs


DOCS = _topic_docs()
HALF = [
    (Word2VecVectorizer, dict(vector_size=48, min_count=1, epochs=2)),
    (Word2VecVectorizer, dict(algorithm="cbow", hs=True, vector_size=48, min_count=1, epochs=2)),
    (GloVeVectorizer, dict(vector_size=48, min_count=1, epochs=3)),
    (GloVeVectorizer, dict(vector_size=48, min_count=1, epochs=3, vector_combination="word")),
]
_half_ids = ["w2v-sg", "w2v-cbow-hs", "glove-sum", "glove-word"]


def _pair(cls, params):
    full = cls(**params, random_state=0).fit(DOCS)
    half = cls(**params, random_state=0, storage_dtype="float16").fit(DOCS)
    return full, half


@pytest.mark.parametrize(("cls", "params"), HALF, ids=_half_ids)
def test_float16_storage_is_the_float32_run_rounded(cls, params):
    full, half = _pair(cls, params)
    assert half.wv_.vectors.dtype == np.float16
    assert full.wv_.vectors.dtype == np.float32
    # training ran in float32: the stored vectors are the float32 ones, rounded once
    np.testing.assert_array_equal(half.wv_.vectors, full.wv_.vectors.astype(np.float16))
    X16, X32 = half.transform(DOCS[:5]), full.transform(DOCS[:5])
    assert X16.dtype == np.float32
    # a mean of rows each rounded by at most 2**-11 of its largest entry
    bound = 2.0**-11 * np.abs(full.wv_.vectors).max()
    np.testing.assert_allclose(X16, X32, rtol=0, atol=bound)
    assert half.score(DOCS[:20]) == pytest.approx(full.score(DOCS[:20]), rel=1e-3)


def test_float16_queries_answer_in_float32():
    full, half = _pair(*HALF[0])
    word = half.wv_.index_to_key[0]
    assert half.wv_[word].dtype == np.float32
    assert half.wv_.get_normed_vectors().dtype == np.float32
    (near16, sim16), (near32, sim32) = (
        half.wv_.most_similar(word, topn=1)[0],
        full.wv_.most_similar(word, topn=1)[0],
    )
    assert near16 == near32
    assert sim16 == pytest.approx(sim32, abs=2e-3)


@pytest.mark.parametrize(("cls", "params", "ratio"), [
    (*HALF[0], 0.5), (*HALF[2], 0.7), (*HALF[3], 0.75),
], ids=["w2v", "glove-sum", "glove-word"])  # fmt: skip
def test_float16_pickle_and_npz_shrink(cls, params, ratio, tmp_path):
    # GloVe keeps its biases and AdaGrad accumulators in float32: of W, C, the two
    # accumulators and (with "sum") the separate W + C, 2 of 4 or 3 of 5 matrices are halved
    params = {**params, "vector_size": 200}
    rng = np.random.RandomState(0)
    docs = [" ".join(f"w{i}" for i in rng.randint(0, 600, size=20)) for _ in range(300)]
    full = cls(**params, random_state=0).fit(docs)
    half = cls(**params, random_state=0, storage_dtype="float16").fit(docs)
    small, large = len(pickle.dumps(half)), len(pickle.dumps(full))
    # the matrices dominate the pickle; the vocabulary and settings add a little
    assert small / large == pytest.approx(ratio, abs=0.03)
    full.wv_.save(tmp_path / "full.npz")
    half.wv_.save(tmp_path / "half.npz")
    assert (tmp_path / "half.npz").stat().st_size < 0.55 * (tmp_path / "full.npz").stat().st_size


@pytest.mark.parametrize(("cls", "params"), HALF[::2], ids=["w2v", "glove"])
def test_float16_partial_fit_trains_in_float32_and_stores_again(cls, params):
    full, half = _pair(cls, params)
    before = half.wv_.vectors.copy()
    full.partial_fit(DOCS)
    half.partial_fit(DOCS)
    assert half.wv_.vectors.dtype == np.float16
    assert not np.array_equal(half.wv_.vectors, before)  # it trained
    # the continued run started from the rounded vectors: close to the float32 one
    np.testing.assert_allclose(
        half.wv_.vectors.astype(np.float32), full.wv_.vectors, atol=0.02 * np.abs(before).max()
    )
    assert half.transform(DOCS[:3]).dtype == np.float32


def test_float16_warm_start_then_float32():
    vec = Word2VecVectorizer(**HALF[0][1], random_state=0, storage_dtype="float16").fit(DOCS)
    vec.set_params(warm_start=True, storage_dtype="float32").fit(DOCS)
    assert vec.wv_.vectors.dtype == np.float32
    assert vec._output_vectors.dtype == np.float32


def test_float16_undo_after_failure_keeps_the_half_model():
    vec = Word2VecVectorizer(**HALF[0][1], random_state=0, storage_dtype="float16").fit(DOCS)
    before = vec.wv_.vectors.copy()

    def stop(*args, **kwargs):
        raise RuntimeError("stop")

    vec.set_params(callbacks=[stop])
    with pytest.raises(RuntimeError, match="stop"):
        vec.partial_fit(DOCS)
    assert vec.wv_.vectors.dtype == np.float16
    np.testing.assert_array_equal(vec.wv_.vectors, before)


# ---------------------------------------------------------------- dropout
def _pairs_problem(n_segments=4000, n_words=20, dim=4):
    """Segments of two tokens: with window 1 each token has exactly one context word."""
    rng = np.random.default_rng(0)
    tokens = rng.integers(0, n_words, size=2 * n_segments).astype(np.int32)
    seg = np.arange(0, 2 * n_segments + 1, 2, dtype=np.int64)
    chunks = make_chunks(seg, target=200)
    counts = np.bincount(tokens, minlength=n_words) + 1
    syn0 = (rng.normal(size=(n_words, dim)) * 0.1).astype(np.float32)
    return tokens, seg, chunks, counts, syn0


def _count_trained(algorithm, dropout):
    tokens, seg, chunks, counts, syn0 = _pairs_problem()
    keep = np.ones(len(counts), np.float32)
    prob, index = noise_table(counts, 0.75)
    sig, log_sig = make_tables()
    n_chunks = len(chunks) - 1
    lrs = np.full(n_chunks, 0.01, np.float32)
    loss, count = np.zeros(n_chunks), np.zeros(n_chunks, np.int64)
    dim = syn0.shape[1]
    tree = (np.zeros((0, dim), np.float32), np.zeros(0, np.uint8), np.zeros(0, np.int32),
            np.zeros(1, np.int64))  # fmt: skip
    common = (0, n_chunks, chunks, seg, tokens, syn0, np.zeros_like(syn0), keep, prob, index, 1,
              2)  # fmt: skip
    if algorithm == "skipgram":
        _sgns.skipgram_serial(*common, False, *tree, lrs, seeds_of(n_chunks), sig, log_sig, 2,
                              loss, count, dropout=dropout)  # fmt: skip
    else:
        _cbow.cbow_serial(*common, True, False, False, *tree, lrs, seeds_of(n_chunks), sig,
                          log_sig, 2, loss, count, dropout=dropout)  # fmt: skip
    return int(count.sum()), len(tokens)


def seeds_of(n):
    return seed_states(7, n)


@pytest.mark.parametrize("algorithm", ["skipgram", "cbow"])
@pytest.mark.parametrize("p", [0.2, 0.5])
def test_dropout_removes_the_asked_fraction_of_context_words(algorithm, p):
    # every token has one context word: with dropout p the pairs (skip-gram) or examples
    # (CBOW) trained are Binomial(n, 1 - p)
    trained, n = _count_trained(algorithm, p)
    assert _count_trained(algorithm, None) == (n, n)
    sd = np.sqrt(n * p * (1 - p))
    assert abs(trained - n * (1 - p)) < 4 * sd


def _topic_accuracy(vec):
    """Share of words whose nearest neighbour is in their own planted topic."""
    hits = [vec.wv_.most_similar(w, topn=1)[0][0][:2] == w[:2] for w in vec.wv_.index_to_key]
    return float(np.mean(hits))


@pytest.mark.parametrize("algorithm", ["skipgram", "cbow"])
def test_dropout_still_learns_planted_topics(algorithm):
    params = dict(algorithm=algorithm, vector_size=16, min_count=1, window=3, sample=0,
                  random_state=0)  # fmt: skip
    trained = Word2VecVectorizer(**params, epochs=10, dropout=0.2).fit(DOCS)
    control = Word2VecVectorizer(**params, epochs=10, learning_rate=1e-9).fit(DOCS)
    assert _topic_accuracy(trained) > 0.9
    assert _topic_accuracy(control) < 0.7


def test_dropout_zero_is_the_default_run():
    a = Word2VecVectorizer(vector_size=8, min_count=1, epochs=1, random_state=0).fit(DOCS)
    b = Word2VecVectorizer(vector_size=8, min_count=1, epochs=1, random_state=0, dropout=0.0)
    np.testing.assert_array_equal(a.wv_.vectors, b.fit(DOCS).wv_.vectors)
    c = Word2VecVectorizer(vector_size=8, min_count=1, epochs=1, random_state=0, dropout=0.3)
    assert not np.array_equal(a.wv_.vectors, c.fit(DOCS).wv_.vectors)


@pytest.mark.parametrize("fmt", ["npz", "word2vec-binary", "safetensors", "fasttext"])
def test_float16_vectors_save_and_load_as_their_values(fmt, tmp_path):
    from skembed.vectors import load, save

    _, half = _pair(*HALF[0])
    save(half.wv_, tmp_path / "vectors", format=fmt)
    loaded = load(tmp_path / "vectors", format=fmt)
    assert loaded.index_to_key == half.wv_.index_to_key
    np.testing.assert_array_equal(loaded.vectors, half.wv_.vectors.astype(np.float32))


# ---------------------------------------------------------------- momentum
@pytest.mark.parametrize("algorithm", ["skipgram", "cbow"])
def test_momentum_learns_planted_topics(algorithm):
    params = dict(algorithm=algorithm, vector_size=16, min_count=1, window=3, sample=0,
                  epochs=10, random_state=0)  # fmt: skip
    trained = Word2VecVectorizer(**params, momentum=0.5).fit(DOCS)
    control = Word2VecVectorizer(**params, momentum=0.5, learning_rate=1e-9).fit(DOCS)
    assert _topic_accuracy(trained) > 0.9
    assert _topic_accuracy(control) < 0.7
    assert trained.loss_curve_[-1] < trained.loss_curve_[0]
    assert not hasattr(trained, "_velocity")  # velocities live for one fit only
    plain = Word2VecVectorizer(**params).fit(DOCS)
    assert not np.allclose(trained.wv_.vectors, plain.wv_.vectors)


def test_momentum_zero_is_the_default_run():
    a = Word2VecVectorizer(vector_size=8, min_count=1, epochs=1, random_state=0).fit(DOCS)
    b = Word2VecVectorizer(vector_size=8, min_count=1, epochs=1, random_state=0, momentum=0.0)
    np.testing.assert_array_equal(a.wv_.vectors, b.fit(DOCS).wv_.vectors)


@pytest.mark.parametrize(
    ("extra", "match"),
    [
        (dict(hs=True), "negative sampling only"),
        (dict(loss="nce"), "negative sampling only"),
        (dict(negative=0, hs=True), "negative sampling only"),
        (dict(clip_norm=1.0), "clip_value or clip_norm"),
    ],
)
def test_momentum_refuses_what_it_does_not_implement(extra, match):
    vec = Word2VecVectorizer(momentum=0.9, min_count=1, vector_size=8, **extra)
    with pytest.raises(ValueError, match=match):
        vec.fit(DOCS)
    assert not hasattr(vec, "wv_")


# ---------------------------------------------------------------- fastText: NCE and dropout
_FT = dict(vector_size=16, min_count=1, window=3, sample=0, epochs=10, bucket=2000,
           random_state=0)  # fmt: skip
# words whose spelling says nothing of their topic (shared n-grams would group an untrained
# model's words by topic otherwise): word i belongs to topic _FT_TOPIC[i]
_FT_TOPIC = np.random.RandomState(1).permutation(np.arange(24) % 3)
_FT_WORDS = [f"q{i:02d}" for i in range(24)]


def _ft_docs(n_docs=300, seed=0):
    rng = np.random.RandomState(seed)
    members = [[w for w, t in zip(_FT_WORDS, _FT_TOPIC, strict=True) if t == k] for k in range(3)]
    return [" ".join(rng.choice(members[d % 3], size=12)) for d in range(n_docs)]


FT_DOCS = _ft_docs()


def _ft_topic_accuracy(vec):
    topic = dict(zip(_FT_WORDS, _FT_TOPIC, strict=True))
    hits = [topic[vec.wv_.most_similar(w, topn=1)[0][0]] == topic[w] for w in _FT_WORDS]
    return float(np.mean(hits))


@pytest.mark.parametrize("algorithm", ["skipgram", "cbow"])
@pytest.mark.parametrize("option", [dict(loss="nce"), dict(dropout=0.2)], ids=["nce", "dropout"])
def test_fasttext_options_learn_planted_topics(algorithm, option):
    from skembed import FastTextVectorizer

    trained = FastTextVectorizer(algorithm=algorithm, **_FT, **option).fit(FT_DOCS)
    control = FastTextVectorizer(algorithm=algorithm, **_FT, **option, learning_rate=1e-9)
    control.fit(FT_DOCS)
    assert _ft_topic_accuracy(trained) > 0.9
    assert _ft_topic_accuracy(control) < 0.7
    assert trained.loss_curve_[-1] < trained.loss_curve_[0]
    default = FastTextVectorizer(algorithm=algorithm, **_FT).fit(FT_DOCS)
    assert not np.allclose(trained.wv_.vectors, default.wv_.vectors)


def test_fasttext_dropout_zero_and_loss_ns_are_the_default_run():
    from skembed import FastTextVectorizer

    params = dict(vector_size=8, min_count=1, epochs=1, bucket=500, random_state=0)
    a = FastTextVectorizer(**params).fit(DOCS)
    b = FastTextVectorizer(**params, dropout=0.0, loss="ns").fit(DOCS)
    np.testing.assert_array_equal(a.wv_.vectors, b.wv_.vectors)


def test_momentum_trains_on_several_threads():
    vec = Word2VecVectorizer(momentum=0.5, vector_size=16, min_count=1, window=3, sample=0,
                             epochs=10, random_state=0, n_jobs=2).fit(DOCS)  # fmt: skip
    assert np.isfinite(vec.wv_.vectors).all()
    assert _topic_accuracy(vec) > 0.9
