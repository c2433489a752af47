"""The encoded corpus on disk (``memory=``): keys, reuse, windows, damage and concurrency."""

import json
import os
import subprocess
import sys
import textwrap

import joblib
import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV

from skembed.corpus import _encoding, _store
from skembed.corpus._encoding import encode_documents, remap
from skembed.models._doc2vec import Doc2VecVectorizer
from skembed.models._fasttext import FastTextVectorizer
from skembed.models._glove import GloVeVectorizer
from skembed.models._pooling import document_frequency
from skembed.models._word2vec import Word2VecVectorizer


def _documents(n_docs=120, seed=0):
    """Zipf-distributed words over a small vocabulary, documents of varied length."""
    rng = np.random.default_rng(seed)
    words = [f"w{i}" for i in range(60)]
    p = 1.0 / np.arange(1, 61)
    p /= p.sum()
    return [
        " ".join(rng.choice(words, size=int(rng.integers(0, 40)), p=p)) for _ in range(n_docs)
    ]


DOCS = _documents()
PARAMS = dict(vector_size=8, min_count=2, epochs=2, random_state=0, n_jobs=1)


@pytest.fixture
def writes(monkeypatch):
    """Count the entries written (each is one streaming encoding pass)."""
    calls = []
    original = _store._write_entry

    def counting(*args, **kwargs):
        calls.append(args[0])
        return original(*args, **kwargs)

    monkeypatch.setattr(_store, "_write_entry", counting)
    return calls


def _entries(folder):
    root = os.path.join(folder, _store.FOLDER_NAME)
    return sorted(os.listdir(root)) if os.path.isdir(root) else []


def _entry_files(folder):
    (entry,) = _entries(folder)
    return os.path.join(folder, _store.FOLDER_NAME, entry)


# ------------------------------------------------------------------- reuse and keys
def test_second_fit_reads_the_cache(tmp_path, writes):
    first = Word2VecVectorizer(memory=str(tmp_path), **PARAMS).fit(DOCS)
    entry = _entry_files(tmp_path)
    stamps = {f: os.stat(os.path.join(entry, f)).st_mtime_ns for f in os.listdir(entry)}
    second = Word2VecVectorizer(memory=str(tmp_path), **PARAMS).fit(DOCS)
    assert len(writes) == 1
    assert stamps == {f: os.stat(os.path.join(entry, f)).st_mtime_ns for f in os.listdir(entry)}
    np.testing.assert_array_equal(first.wv_.vectors, second.wv_.vectors)


def test_vocabulary_trimming_shares_the_entry(tmp_path, writes):
    for min_count, max_final_vocab in [(1, None), (3, None), (1, 10)]:
        est = Word2VecVectorizer(memory=tmp_path, **{**PARAMS, "min_count": min_count})
        est.set_params(max_final_vocab=max_final_vocab).fit(DOCS)
        reference = Word2VecVectorizer(**{**PARAMS, "min_count": min_count})
        reference.set_params(max_final_vocab=max_final_vocab).fit(DOCS)
        assert est.wv_.index_to_key == reference.wv_.index_to_key
        np.testing.assert_array_equal(est.wv_.vectors, reference.wv_.vectors)
    assert len(writes) == 1 and len(_entries(tmp_path)) == 1


@pytest.mark.parametrize(
    "change", [{"lowercase": False}, {"max_vocab_size": 30}, {"token_pattern": r"\w\d"}]
)
def test_a_parameter_that_changes_the_encoding_changes_the_key(tmp_path, writes, change):
    docs = [d.replace("w1 ", "W1 ") for d in DOCS]
    Word2VecVectorizer(memory=tmp_path, **PARAMS).fit(docs)
    changed = Word2VecVectorizer(memory=tmp_path, **PARAMS).set_params(**change).fit(docs)
    assert len(writes) == 2 and len(_entries(tmp_path)) == 2
    reference = Word2VecVectorizer(**PARAMS).set_params(**change).fit(docs)
    assert changed.wv_.index_to_key == reference.wv_.index_to_key
    np.testing.assert_array_equal(changed.wv_.vectors, reference.wv_.vectors)


def test_changed_strings_change_the_key(tmp_path, writes):
    Word2VecVectorizer(memory=tmp_path, **PARAMS).fit(DOCS)
    edited = DOCS[:-1] + [DOCS[-1] + " newword newword"]
    est = Word2VecVectorizer(memory=tmp_path, **PARAMS).fit(edited)
    assert len(writes) == 2
    assert "newword" in est.vocabulary_


def test_changed_file_changes_the_key(tmp_path, writes):
    folder = tmp_path / "texts"
    folder.mkdir()
    for i, doc in enumerate(DOCS[:40]):
        (folder / f"{i:03d}.txt").write_text(doc)
    cache = tmp_path / "cache"
    params = dict(PARAMS, input="filename", memory=cache)
    Word2VecVectorizer(**params).fit([folder])
    Word2VecVectorizer(**params).fit([folder])
    assert len(writes) == 1
    target = folder / "005.txt"
    target.write_text(DOCS[5] + " newword newword")
    os.utime(target, ns=(os.stat(target).st_atime_ns, os.stat(target).st_mtime_ns + 10**9))
    est = Word2VecVectorizer(**params).fit([folder])
    assert len(writes) == 2
    assert "newword" in est.vocabulary_


def test_joblib_memory_location_is_used(tmp_path, writes):
    memory = joblib.Memory(tmp_path, verbose=0)
    Word2VecVectorizer(memory=memory, **PARAMS).fit(DOCS)
    Word2VecVectorizer(memory=str(tmp_path), **PARAMS).fit(DOCS)
    assert len(writes) == 1 and len(_entries(tmp_path)) == 1
    Word2VecVectorizer(memory=joblib.Memory(None, verbose=0), **PARAMS).fit(DOCS)
    assert len(writes) == 1  # no location: no cache


def test_generator_is_encoded_to_disk_each_time_and_left_nowhere(tmp_path, writes):
    a = Word2VecVectorizer(memory=tmp_path, **PARAMS).fit(d for d in DOCS)
    b = Word2VecVectorizer(memory=tmp_path, **PARAMS).fit(d for d in DOCS)
    reference = Word2VecVectorizer(**PARAMS).fit(DOCS)
    assert len(writes) == 2
    assert _entries(tmp_path) == []  # nothing published, no leftovers (POSIX)
    np.testing.assert_array_equal(a.wv_.vectors, reference.wv_.vectors)
    np.testing.assert_array_equal(b.wv_.vectors, reference.wv_.vectors)


def test_callable_text_parameter_is_not_keyed(tmp_path, writes):
    params = dict(PARAMS, preprocessor=str.upper, lowercase=False)
    Word2VecVectorizer(memory=tmp_path, **params).fit(DOCS)
    est = Word2VecVectorizer(memory=tmp_path, **params).fit(DOCS)
    assert len(writes) == 2 and _entries(tmp_path) == []
    assert all(word.isupper() for word in est.wv_.index_to_key)


# ------------------------------------------------------- same results, bounded windows
@pytest.mark.parametrize(
    "make",
    [
        lambda **kw: Word2VecVectorizer(pooling="tfidf", **kw),
        lambda **kw: Word2VecVectorizer(algorithm="cbow", hs=True, **kw),
        lambda **kw: Word2VecVectorizer(early_stopping=True, validation_fraction=0.2, **kw),
        lambda **kw: FastTextVectorizer(bucket=1000, **kw),
        lambda **kw: Doc2VecVectorizer(**kw),
        lambda **kw: GloVeVectorizer(**kw),
    ],
    ids=["word2vec-tfidf", "cbow-hs", "early-stopping", "fasttext", "doc2vec", "glove"],
)
def test_memory_gives_identical_results(tmp_path, monkeypatch, make):
    # tiny windows and flushes, so that every pass crosses many window boundaries
    monkeypatch.setattr(_store, "WINDOW_TOKENS", 37)
    monkeypatch.setattr(_encoding, "_FLUSH", 50)
    docs = DOCS + ["w1 w2 " * 60]  # a document longer than a window
    plain = make(**PARAMS)
    cached = make(memory=tmp_path, **PARAMS)
    expected = plain.fit_transform(docs)
    for _ in range(2):  # written, then read back
        got = cached.fit_transform(docs)
        np.testing.assert_array_equal(got, expected)
        np.testing.assert_array_equal(cached.wv_.vectors, plain.wv_.vectors)
        np.testing.assert_array_equal(cached.idf_, plain.idf_)
        assert cached.loss_curve_ == plain.loss_curve_
    np.testing.assert_array_equal(cached.transform(DOCS[:7]), plain.transform(DOCS[:7]))


def test_windowed_passes_match_the_in_memory_ones(tmp_path, monkeypatch):
    monkeypatch.setattr(_encoding, "_FLUSH", 64)
    docs = [d.split() for d in DOCS] + [[], ["w1"] * 500, []]
    est = Word2VecVectorizer(memory=tmp_path, max_vocab_size=25)
    mapped, words, counts = _store.read_documents(est, [" ".join(d) for d in docs])
    corpus, words_ref, counts_ref = encode_documents(docs, 25)
    assert isinstance(mapped, _store.MappedCorpus)
    np.testing.assert_array_equal(mapped.tokens, corpus.tokens)
    np.testing.assert_array_equal(mapped.offsets, corpus.offsets)
    assert words == words_ref
    np.testing.assert_array_equal(counts, counts_ref)
    mapping = np.where(np.arange(len(words)) % 3 == 0, -1, np.arange(len(words))).astype(np.int32)
    for window in (1, 7, 100, 10**6):
        monkeypatch.setattr(_store, "WINDOW_TOKENS", window)
        got, expected = _store.remap_corpus(mapped, mapping), remap(corpus, mapping)
        np.testing.assert_array_equal(got.tokens, expected.tokens)
        np.testing.assert_array_equal(got.offsets, expected.offsets)
        np.testing.assert_array_equal(
            _store.corpus_document_frequency(got, len(words), document_frequency),
            document_frequency(expected, len(words)),
        )
        spans = [(d0, d1) for d0, d1, _ in _store.document_windows(got)]
        assert spans[0][0] == 0 and spans[-1][1] == got.n_documents
        assert all(a[1] == b[0] for a, b in zip(spans, spans[1:], strict=False))
    empty = _store.remap_corpus(mapped, np.zeros(0, np.int32))
    assert empty.n_tokens == 0 and np.all(empty.offsets == 0)


# ------------------------------------------------------------ damage and concurrency
def _damage(entry, how):
    tokens = os.path.join(entry, "tokens.npy")
    if how == "truncated":
        with open(tokens, "r+b") as fh:
            fh.truncate(os.path.getsize(tokens) - 6)
    elif how == "flipped":
        with open(tokens, "r+b") as fh:
            fh.seek(-3, os.SEEK_END)
            byte = fh.read(1)
            fh.seek(-3, os.SEEK_END)
            fh.write(bytes([byte[0] ^ 0x01]))
    elif how == "meta":
        with open(os.path.join(entry, "meta.json"), "w") as fh:
            fh.write("{not json")
    elif how == "offsets":
        np.save(os.path.join(entry, "offsets.npy"), np.arange(3, dtype=np.int64))
    elif how == "missing":
        os.remove(os.path.join(entry, "counts.npy"))
    elif how == "words":
        with open(os.path.join(entry, "words.json"), "w") as fh:
            json.dump(["a"], fh)


@pytest.mark.parametrize("how", ["truncated", "flipped", "meta", "offsets", "missing", "words"])
def test_damaged_cache_is_rebuilt(tmp_path, writes, how):
    reference = Word2VecVectorizer(**PARAMS).fit(DOCS)
    Word2VecVectorizer(memory=tmp_path, **PARAMS).fit(DOCS)
    _damage(_entry_files(tmp_path), how)
    if how == "missing":  # a half-deleted entry is a miss, not damage
        est = Word2VecVectorizer(memory=tmp_path, **PARAMS).fit(DOCS)
    else:
        with pytest.warns(UserWarning, match="damaged"):
            est = Word2VecVectorizer(memory=tmp_path, **PARAMS).fit(DOCS)
    assert len(writes) == 2
    np.testing.assert_array_equal(est.wv_.vectors, reference.wv_.vectors)
    # the rebuilt entry is intact: the next fit reads it
    Word2VecVectorizer(memory=tmp_path, **PARAMS).fit(DOCS)
    assert len(writes) == 2 and len(_entries(tmp_path)) == 1


def test_a_writer_that_loses_the_race_uses_the_winners_entry(tmp_path):
    est = Word2VecVectorizer(memory=tmp_path)
    corpus, _, _ = _store.read_documents(est, DOCS)  # the winner's entry
    root = os.path.join(tmp_path, _store.FOLDER_NAME)
    (final,) = (os.path.join(root, e) for e in _entries(tmp_path))
    key = json.loads(open(os.path.join(final, "meta.json")).read())["key"]
    late = os.path.join(root, ".tmp-late")
    os.mkdir(late)
    _store._write_entry(late, est._analyze(DOCS), None, key)
    loaded, _, _ = _store._publish(late, final, key, root)
    np.testing.assert_array_equal(loaded.tokens, corpus.tokens)
    assert not os.path.exists(late) and _entries(tmp_path) == [os.path.basename(final)]


_CHILD = textwrap.dedent(
    """
    import sys, time
    import numpy as np
    from skembed.corpus import _store
    from skembed.models._word2vec import Word2VecVectorizer
    original = _store._write_entry
    def slow(*args, **kwargs):
        original(*args, **kwargs)
        time.sleep(1.5)  # both writers hold a complete entry before either publishes
    _store._write_entry = slow
    docs = [line for line in open(sys.argv[2]).read().split("\\n")]
    est = Word2VecVectorizer(memory=sys.argv[1], vector_size=8, min_count=2, epochs=1,
                             random_state=0, n_jobs=1).fit(docs)
    np.save(sys.argv[3], est.wv_.vectors)
    """
)


def test_concurrent_writers_leave_one_valid_entry(tmp_path, writes):
    corpus_file = tmp_path / "docs.txt"
    corpus_file.write_text("\n".join(DOCS))
    cache = tmp_path / "cache"
    outputs = [str(tmp_path / f"{i}.npy") for i in range(2)]
    children = [
        subprocess.Popen([sys.executable, "-c", _CHILD, str(cache), str(corpus_file), out])
        for out in outputs
    ]
    assert [child.wait(timeout=300) for child in children] == [0, 0]
    assert len(_entries(cache)) == 1  # no second entry, no temporary folder left
    est = Word2VecVectorizer(memory=cache, vector_size=8, min_count=2, epochs=1, random_state=0,
                             n_jobs=1).fit(DOCS)  # fmt: skip
    assert writes == []  # the entry left behind is complete and intact
    for i in range(2):
        np.testing.assert_array_equal(np.load(tmp_path / f"{i}.npy"), est.wv_.vectors)


def test_grid_search_reuses_the_cache(tmp_path, writes):
    search = GridSearchCV(
        Word2VecVectorizer(memory=tmp_path, **PARAMS),
        {"window": [2, 3], "vector_size": [4, 8]},
        cv=2,
    ).fit(DOCS)
    # one entry per distinct training set (2 folds and the refit), not one per fit
    assert len(writes) == 3 and len(_entries(tmp_path)) == 3
    assert np.isfinite(search.best_score_)
    plain = GridSearchCV(
        Word2VecVectorizer(**PARAMS), {"window": [2, 3], "vector_size": [4, 8]}, cv=2
    ).fit(DOCS)
    np.testing.assert_array_equal(
        search.cv_results_["mean_test_score"], plain.cv_results_["mean_test_score"]
    )


def test_words_with_lone_surrogates_round_trip(tmp_path):
    docs = ["caf\udce9 bar caf\udce9", "bar \u00e9t\u00e9 bar"]
    est = Word2VecVectorizer(memory=tmp_path, tokenizer=str.split, token_pattern=None)
    _, words, _ = _store.read_documents(est, docs)  # written to disk and read back
    assert words == ["caf\udce9", "bar", "\u00e9t\u00e9"]
