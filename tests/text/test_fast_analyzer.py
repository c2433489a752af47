"""The compiled default analyzer gives exactly the tokens and ids of the Python one."""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skembed.corpus._encoding import encode_documents, encode_with_vocabulary
from skembed.datasets import load_kjv, load_rv1909
from skembed.text import _analyzer, _fast_analyzer
from skembed.text._analyzer import DEFAULT_TOKEN_PATTERN, build_analyzer, iter_tokens
from skembed.text._fast_analyzer import CompiledVocabulary, encode_texts, join_documents

PATTERN = re.compile(DEFAULT_TOKEN_PATTERN)


def _python_tokens(docs, lowercase=True):
    return [PATTERN.findall(doc.lower() if lowercase else doc) for doc in docs]


def _compiled_tokens(docs, lowercase=True):
    tokens, offsets, vocabulary = encode_texts(docs, lowercase)
    words = vocabulary.words()
    assert len(set(words)) == len(words)
    bounds = zip(offsets[:-1], offsets[1:], strict=True)
    return [[words[i] for i in tokens[a:b]] for a, b in bounds]


@pytest.mark.parametrize("loader", [load_kjv, load_rv1909])
@pytest.mark.parametrize("lowercase", [True, False])
def test_same_tokens_as_python_on_the_bibles(loader, lowercase):
    docs = list(loader().data)
    expected = _python_tokens(docs, lowercase)
    assert _compiled_tokens(docs, lowercase) == expected
    tokens, offsets, vocabulary = encode_texts(docs, lowercase)
    assert join_documents(tokens, offsets, vocabulary) == [" ".join(t) for t in expected]


# characters that exercise the tables: marks, digits of many scripts, underscore, letters
# with odd lowercase (U+0130, capital sigma, title case), scripts without case, separators
_TRICKY = (
    "aZ_09 \t\n.,'-\u0130\u0131i\u0307I\u03a3\u03c3\u03c2\u0391\u01c5\u1e9e\u00df"
    "\u0915\u093f\u094d\u0930\u0300\u0301\u20dd\u0e01\u0e31\u4e2d\u6587\u0660\u0967"
    "\u00b2\u2460\u2163\u200d\u200c\uff21\U00010400\U0001d400\U0001f600"
)
_TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from(_TRICKY),
        st.characters(blacklist_categories=("Cs",)),
    ),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(docs=st.lists(_TEXT, max_size=6), lowercase=st.booleans())
def test_same_tokens_as_python_on_generated_unicode(docs, lowercase):
    assert _compiled_tokens(docs, lowercase) == _python_tokens(docs, lowercase)


def test_final_sigma_and_dotted_capital_i_follow_str_lower():
    docs = ["ΟΔΟΣ ΣΟΦΟΣ", "\u0130stanbul İZMİR", "plain text", "ΣΑΣ. Σ"]
    assert _compiled_tokens(docs) == _python_tokens(docs)
    assert _compiled_tokens(docs)[0] == ["οδος", "σοφος"]


def test_arrays_grow_inside_one_long_document(monkeypatch):
    # more distinct words and code points than the first allocation, in one document,
    # and batches of a few documents each
    words = [f"w{i:05d}" + "x" * (i % 40) for i in range(5000)]
    docs = [" ".join(words), "", "W00001 w00002", " ".join(reversed(words))]
    assert _compiled_tokens(docs) == _python_tokens(docs)
    monkeypatch.setattr(_fast_analyzer, "_BATCH", 3)
    assert _compiled_tokens(docs) == _python_tokens(docs)


def test_counts_follow_first_occurrence():
    tokens, offsets, vocabulary = encode_texts(["b a B", "", "c A b"])
    assert vocabulary.words() == ["b", "a", "c"]
    assert vocabulary.counts[: vocabulary.n_words].tolist() == [3, 2, 1]
    assert tokens.tolist() == [0, 1, 0, 2, 1, 0]
    assert offsets.tolist() == [0, 3, 3, 6]


def test_fixed_vocabulary_lookup_gives_minus_one_for_unknown_words():
    vocabulary = CompiledVocabulary(["york", "new"])
    tokens, offsets, _ = encode_texts(["New York is new", "old"], vocabulary=vocabulary)
    assert tokens.tolist() == [1, 0, -1, 1, -1]
    assert offsets.tolist() == [0, 4, 5]
    assert vocabulary.n_words == 2


class _Params:
    input = "content"
    encoding = "utf-8"
    decode_error = "strict"
    strip_accents = None
    lowercase = True
    preprocessor = None
    tokenizer = None
    token_pattern = DEFAULT_TOKEN_PATTERN
    stop_words = None

    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)


def _both(monkeypatch, function, docs, *args, params=None, **kwargs):
    params = params or _Params()
    results = []
    for compiled in (True, False):
        monkeypatch.setattr(_analyzer, "COMPILED", compiled)
        analyzed = iter_tokens(docs, build_analyzer(params), params.input)
        assert (analyzed.compiled is not None) == compiled
        results.append(function(analyzed, *args, **kwargs))
    return results


_DOCS = ["The LORD is my shepherd", b"I shall not want", "", "the end of THE book the"]


@pytest.mark.parametrize(
    "params",
    [
        _Params(),
        _Params(lowercase=False),
        _Params(stop_words="english"),
        _Params(stop_words=["the", "absent"]),
    ],
)
def test_encoders_agree_with_the_python_path(monkeypatch, params):
    fast, slow = _both(monkeypatch, encode_documents, _DOCS, params=params)
    assert fast[1] == slow[1]
    np.testing.assert_array_equal(fast[2], slow[2])
    np.testing.assert_array_equal(fast[0].tokens, slow[0].tokens)
    np.testing.assert_array_equal(fast[0].offsets, slow[0].offsets)
    assert fast[0].tokens.dtype == np.int32 and fast[0].offsets.dtype == np.int64
    key_to_index = {"the": 3, "lord": 0, "shall": 1, "end": 2, "THE": 4}
    for unknown in (None, -1, 7):
        fast, slow = _both(
            monkeypatch, encode_with_vocabulary, _DOCS, key_to_index, unknown, params=params
        )
        np.testing.assert_array_equal(fast.tokens, slow.tokens)
        np.testing.assert_array_equal(fast.offsets, slow.offsets)


@pytest.mark.parametrize("max_vocab_size", [1, 7, 300, 2000])
def test_pruning_while_counting_agrees_with_the_python_encoder(monkeypatch, max_vocab_size):
    docs = list(load_kjv().data[:3000]) + ["", "a b c d e f g h"] * 3
    fast, slow = _both(monkeypatch, encode_documents, docs, max_vocab_size)
    assert fast[1] == slow[1]
    np.testing.assert_array_equal(fast[2], slow[2])
    np.testing.assert_array_equal(fast[0].tokens, slow[0].tokens)
    np.testing.assert_array_equal(fast[0].offsets, slow[0].offsets)
    assert (slow[2] == 0).any()  # some words were pruned


def test_custom_analyzers_keep_the_python_path():
    for params in (
        _Params(token_pattern=r"(?u)\b\w\w+\b"),
        _Params(preprocessor=str.upper),
        _Params(tokenizer=str.split),
        _Params(strip_accents="unicode"),
    ):
        assert iter_tokens(_DOCS, build_analyzer(params)).compiled is None


@pytest.mark.parametrize("input", ["filename", "file"])
def test_files_are_read_then_encoded_compiled(monkeypatch, tmp_path, input):
    paths = []
    for k, doc in enumerate(["The LORD is my shepherd", "", "Ὁ λόγος ΣΟΦΟΣ the end"]):
        paths.append(tmp_path / f"{k}.txt")
        paths[-1].write_text(doc, encoding="utf-8")
    params = _Params(input=input)

    def encode(compiled):
        monkeypatch.setattr(_analyzer, "COMPILED", compiled)
        docs = paths if input == "filename" else [open(p, "rb") for p in paths]  # noqa: SIM115
        try:
            analyzed = iter_tokens(docs, build_analyzer(params), input)
            assert (analyzed.compiled is not None) == compiled
            return encode_documents(analyzed)
        finally:
            for f in docs if input == "file" else []:
                f.close()

    fast, slow = encode(True), encode(False)
    expected = ["the", "lord", "is", "my", "shepherd", "ὁ", "λόγος", "σοφος", "end"]
    assert fast[1] == slow[1] == expected
    np.testing.assert_array_equal(fast[0].tokens, slow[0].tokens)
    if input == "file":
        return
    with pytest.raises(ValueError, match="document 0 .* could not be read"):
        encode_documents(iter_tokens([tmp_path / "missing.txt"], build_analyzer(params), input))


def test_bad_documents_are_named():
    analyzed = iter_tokens(["fine", 3], build_analyzer(_Params()))
    with pytest.raises(TypeError, match="document 1 is of type int"):
        encode_documents(analyzed)
    analyzed = iter_tokens(["fine", b"\xff"], build_analyzer(_Params()))
    with pytest.raises(ValueError, match="document 1"):
        encode_documents(analyzed)
    with pytest.raises(TypeError, match="single str"):
        encode_documents(iter_tokens("a document", build_analyzer(_Params())))


def _fit_results(estimator, docs, y):
    fitted = estimator.fit(docs, y) if y is not None else estimator.fit(docs)
    out = [list(fitted.wv_.index_to_key), fitted.wv_.vectors.copy()]
    if hasattr(fitted, "predict_proba"):
        out.append(fitted.predict_proba(docs[:200]))
    else:
        out.append(fitted.transform(docs[:200]))
        out.append(fitted.score(docs[:200]) if hasattr(fitted, "score") else None)
    return out


@pytest.mark.parametrize(
    "name",
    ["Word2VecVectorizer", "GloVeVectorizer", "FastTextVectorizer", "FastTextClassifier"],
)
def test_estimators_identical_with_the_compiled_analyzer_on_and_off(monkeypatch, name):
    import skembed.models as models

    bunch = load_kjv()
    docs, y = list(bunch.data[:1500]), np.asarray(bunch.target[:1500])
    params = dict(vector_size=16, min_count=2, epochs=1, n_jobs=1, random_state=0)
    if name == "FastTextVectorizer":
        params.update(bucket=1000)
    calls = []
    encode = _fast_analyzer.encode_texts
    monkeypatch.setattr(
        _fast_analyzer, "encode_texts", lambda *a, **k: calls.append(1) or encode(*a, **k)
    )
    results = []
    for compiled in (True, False):
        monkeypatch.setattr(_analyzer, "COMPILED", compiled)
        estimator = getattr(models, name)(**params)
        results.append(_fit_results(estimator, docs, y if name == "FastTextClassifier" else None))
        assert bool(calls) == compiled  # the compiled encoder ran exactly when switched on
        calls.clear()
    fast, slow = results
    assert fast[0] == slow[0] and len(fast[0]) > 1000
    for a, b in zip(fast[1:], slow[1:], strict=True):
        np.testing.assert_array_equal(a, b)


def test_character_tables_match_re_and_str_lower_on_every_code_point():
    char_class, lower_shift, special = _fast_analyzer.character_tables()
    every = [chr(c) for c in range(_fast_analyzer.N_CODEPOINTS)]
    word = re.compile(r"\w")
    mark = re.compile("[" + _analyzer.MARKS + "]")
    expected = [1 if word.match(c) else 2 if mark.match(c) else 0 for c in every]
    np.testing.assert_array_equal(char_class, expected)
    lowered = [c.lower() for c in every]
    one = np.array([len(c) == 1 for c in lowered])
    assert np.flatnonzero(special).tolist() == sorted([0x3A3, *np.flatnonzero(~one).tolist()])
    expected = [ord(c) if len(c) == 1 else k for k, c in enumerate(lowered)]
    expected[0x3A3] = 0x3A3  # decided by str.lower per document
    np.testing.assert_array_equal(np.arange(len(every)) + lower_shift, expected)


def test_a_seeded_vocabulary_grows_after_its_own_words():
    seeds = CompiledVocabulary(words=["york", "new"])
    tokens, offsets, vocabulary = encode_texts(
        ["New York is new", "", "old york"], vocabulary=seeds, grow=True
    )
    assert vocabulary.words() == ["york", "new", "is", "old"]
    assert tokens.tolist() == [1, 0, 2, 1, 3, 0]
    assert offsets.tolist() == [0, 4, 4, 6]
    assert vocabulary.counts[:4].tolist() == [2, 2, 1, 1]
    # without grow, a given vocabulary stays fixed and unknown words are -1
    tokens, _, fixed = encode_texts(["old new"], vocabulary=CompiledVocabulary(words=["new"]))
    assert tokens.tolist() == [-1, 0] and fixed.words() == ["new"]


def test_batches_hold_about_one_batch_of_long_documents():
    # 500 documents of 100k code points: the reader must not take thousands ahead
    pulled = [0]
    rng = np.random.default_rng(0)
    docs = ["ab " * int(n) for n in rng.integers(20_000, 40_000, size=500)]

    def stream():
        for d in docs:
            pulled[0] += 1
            yield d

    batches = _fast_analyzer._batches(stream(), "X")
    first = next(batches)
    limit = _fast_analyzer._BATCH
    # a batch is about 2M code points (~22 documents here); reading ahead stays near that
    assert pulled[0] <= 2 * limit // 60_000 + 16
    rest = list(batches)
    assert pulled[0] == len(docs)
    assert len(first) + sum(map(len, rest)) == len(docs)


def test_batches_keep_every_document_in_order():
    rng = np.random.default_rng(1)
    docs = [("w " * int(n)).strip() for n in rng.zipf(1.3, size=20_000) % 300_000]
    batches = list(_fast_analyzer._batches(iter(docs), "X"))
    assert [d for b in batches for d in b] == docs
    limit = _fast_analyzer._BATCH
    for b in batches[:-1]:  # full batches: they end with the document that fills them
        assert sum(map(len, b)) >= limit
        assert sum(map(len, b[:-1])) < limit
