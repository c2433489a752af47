import pickle
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from skembed.text import Phrases
from skembed.text._kernels._phrases import candidate_keys, candidate_pairs, segment


def _planted_corpus(seed=0, n_docs=400, plant="new york"):
    rng = np.random.default_rng(seed)
    vocabulary = [f"w{i}" for i in range(300)]
    weights = 1.0 / np.arange(1, 301)
    weights /= weights.sum()
    docs = []
    for _ in range(n_docs):
        words = list(rng.choice(vocabulary, size=12, p=weights))
        if rng.random() < 0.5:
            words.insert(int(rng.integers(0, len(words))), plant)
        docs.append(" ".join(words))
    return docs


def _shuffled(docs, seed=1):
    tokens = " ".join(docs).split()
    np.random.default_rng(seed).shuffle(tokens)
    out, start = [], 0
    for doc in docs:
        n = len(doc.split())
        out.append(" ".join(tokens[start : start + n]))
        start += n
    return out


@pytest.mark.parametrize("scoring", ["default", "npmi"])
def test_planted_phrase_found_and_absent_from_shuffled_control(scoring):
    docs = _planted_corpus()
    phrases = Phrases(scoring=scoring).fit(docs)
    assert "new_york" in phrases.phrasegrams_
    # the Zipf filler has no collocations: at most a chance pair or two
    assert len(phrases.phrasegrams_) <= 3, phrases.phrasegrams_
    out = phrases.transform(docs)
    assert sum(doc.count("new_york") for doc in out) == sum(d.count("new york") for d in docs)
    control = Phrases(scoring=scoring).fit(_shuffled(docs))
    assert "new_york" not in control.phrasegrams_


def test_connector_words_and_passes():
    docs = _planted_corpus(plant="bank of america", seed=2)
    docs += ["w1 of w2 of w3 of w4 of w5"] * 30  # "of" is common elsewhere too
    with_connectors = Phrases(connector_words="english", passes=2).fit(docs)
    assert "bank_of_america" in with_connectors.phrasegrams_
    for state in with_connectors._passes:  # what a pickle without phrase strings rebuilds
        assert with_connectors._phrase_strings(state) == state["phrases"]
    assert "bank_of_america" not in Phrases().fit(docs).phrasegrams_
    # a connector never starts or ends a phrase
    learnt = Phrases(connector_words=["of"]).fit(docs).phrasegrams_
    assert not any(p.startswith("of_") or p.endswith("_of") for p in learnt)

    city = _planted_corpus(plant="new york city", seed=3)
    one = Phrases(passes=1).fit(city)
    two = Phrases(passes=2).fit(city)
    assert "new_york_city" not in one.phrasegrams_
    assert "new_york_city" in two.phrasegrams_ and len(two.n_phrases_) == 2
    assert "w7 new_york_city w9" in two.transform(["w7 new york city w9"])[0]


def test_counting_kernel_matches_a_python_count():
    rng = np.random.default_rng(0)
    n_words, connectors = 20, {3: 1, 7: 2}  # word id -> 1 + connector index
    code = np.zeros(n_words, np.int64)
    for word, c in connectors.items():
        code[word] = c
    tokens = rng.integers(-1, n_words, size=2000).astype(np.int32)
    offsets = np.array([0, 500, 500, 1337, 2000], np.int64)
    first, mid, last = (np.empty(len(tokens), np.int64) for _ in range(3))
    n = candidate_pairs(tokens, offsets, code, 3, 2, first, mid, last)
    expected = Counter()
    for d in range(len(offsets) - 1):
        doc = tokens[offsets[d] : offsets[d + 1]].tolist()
        for i, a in enumerate(doc):
            if a < 0 or code[a]:
                continue
            j, inner = i + 1, []
            while j < len(doc) and doc[j] >= 0 and code[doc[j]] and len(inner) < 2:
                inner.append(int(code[doc[j]]))
                j += 1
            if j < len(doc) and doc[j] >= 0 and not code[doc[j]]:
                folded = 0
                for c in inner:
                    folded = folded * 3 + c
                expected[(a, folded, doc[j])] += 1
    got = Counter(zip(first[:n].tolist(), mid[:n].tolist(), last[:n].tolist(), strict=True))
    assert got == expected and n > 100
    # the packed keys name the same candidates, in the same order
    keys = np.empty(len(tokens), np.int64)
    assert candidate_keys(tokens, offsets, code, 3, 2, n_words, 9, keys) == n
    np.testing.assert_array_equal(keys[:n], (first[:n] * n_words + last[:n]) * 9 + mid[:n])


def test_segmentation_takes_the_best_total_not_the_first_pair():
    code = np.zeros(4, np.int64)

    def spans(pairs, weights, tokens):
        order = sorted(range(len(pairs)), key=lambda k: pairs[k])
        table = np.array([pairs[k] for k in order], np.int64).reshape(-1, 2)
        weight = np.array([weights[k] for k in order], np.float64)
        mid = np.zeros(len(table), np.int64)
        tokens = np.array(tokens, np.int32)
        out = np.ones(len(tokens), np.int32)
        offsets = np.array([0, len(tokens)], np.int64)
        segment(tokens, offsets, 4, code, 1, 0, table[:, 0], mid, table[:, 1], weight, out)
        return out.tolist()

    # a b c: (b, c) scores higher than (a, b), which a left-to-right pass would take
    assert spans([(0, 1), (1, 2)], [1.0, 5.0], [0, 1, 2]) == [1, 2, 0]
    assert spans([(0, 1), (1, 2)], [5.0, 1.0], [0, 1, 2]) == [2, 0, 1]
    # a b c d: (a, b) + (c, d) = 6 beats (b, c) = 5
    assert spans([(0, 1), (1, 2), (2, 3)], [3.0, 5.0, 3.0], [0, 1, 2, 3]) == [2, 0, 2, 0]
    # unknown words (-1) break phrases
    assert spans([(0, 1)], [1.0], [0, -1, 1, 0, 1]) == [1, 1, 1, 2, 0]
    # so do ids from n_compact on (words of no phrase, as transform passes them)
    assert spans([(0, 1)], [1.0], [0, 4, 1, 0, 1, 7]) == [1, 1, 1, 2, 0, 1]


def test_scores_follow_the_formulas():
    docs = ["a b c", "a b d", "a e f", "g b h"]
    phrases = Phrases(min_count=1, threshold=0.0).fit(docs)
    # counts: a=3, b=3, (a, b)=2; distinct words 8 + distinct pairs 7 = 15
    assert phrases.phrasegrams_["a_b"] == pytest.approx((2 - 1) / (3 * 3) * 15)
    npmi = Phrases(min_count=1, threshold=-1.0, scoring="npmi").fit(docs)
    p_ab, p_a, p_b = 2 / 12, 3 / 12, 3 / 12
    assert npmi.phrasegrams_["a_b"] == pytest.approx(np.log(p_ab / (p_a * p_b)) / -np.log(p_ab))


def test_pickle_clone_errors_and_fit_transform():
    docs = _planted_corpus(n_docs=200)
    phrases = Phrases(min_count=3)
    with pytest.raises(NotFittedError):
        phrases.transform(docs)
    out = phrases.fit_transform(docs)
    assert out == phrases.transform(docs) and len(out) == len(docs)
    again = pickle.loads(pickle.dumps(phrases))
    assert again.transform(docs[:20]) == out[:20]
    for state in again._passes:  # as pickled before the phrase strings were kept
        del state["phrases"]
    assert again.transform(docs[:20]) == out[:20]
    assert not hasattr(clone(phrases), "phrasegrams_")
    with pytest.raises(ValueError, match="threshold must be in"):
        Phrases(scoring="npmi", threshold=3).fit(docs)
    with pytest.raises(ValueError, match="delimiter"):
        Phrases(delimiter=" ").fit(docs)
    with pytest.raises(ValueError, match="min_count"):
        Phrases(min_count=0).fit(docs)
    assert Phrases().fit([]).transform(["x y"]) == ["x y"]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(), min_size=1, max_size=8))
def test_never_crashes_nor_returns_empty_tokens(docs):
    phrases = Phrases(min_count=1, threshold=0.0, connector_words="english", passes=2)
    out = phrases.fit_transform(docs * 2)
    assert len(out) == 2 * len(docs)
    for doc in out:
        assert doc == "" or all(doc.split(" "))
    assert phrases.transform(docs) == out[: len(docs)]


@pytest.mark.parametrize(
    "params",
    [
        dict(),
        dict(connector_words="english", passes=2, min_count=3),
        dict(scoring="npmi", passes=3),
        dict(lowercase=False, passes=2, threshold=5.0),
    ],
)
def test_compiled_encoding_gives_the_results_of_token_lists(monkeypatch, params):
    from skembed.datasets import load_kjv
    from skembed.text import _analyzer

    docs = list(load_kjv().data[:6000])
    # raw tokens that are also phrases, and text the tables treat specially
    docs += ["the holy_ghost and the holy ghost", "ΣΟΦΟΣ \u0130stanbul", "", "new_york new york"]
    docs += ["new york is new york"] * 10
    results = []
    for compiled in (True, False):
        monkeypatch.setattr(_analyzer, "COMPILED", compiled)
        phrases = Phrases(**params)
        out = phrases.fit_transform(docs)
        results.append(
            (list(phrases.phrasegrams_.items()), phrases.n_phrases_, out, phrases.transform(docs))
        )
    assert results[0] == results[1]
    assert len(results[0][0]) > 100


def test_join_spans_kernel_matches_a_python_rewrite():
    from skembed.text._kernels._phrases import join_spans

    rng = np.random.default_rng(0)
    tokens = rng.integers(0, 50, size=3000).astype(np.int32)
    offsets = np.array([0, 1000, 1000, 2500, 3000], np.int64)
    span = np.ones(tokens.size, np.int32)
    starts = []
    for d in range(len(offsets) - 1):
        i = offsets[d]
        while i < offsets[d + 1] - 3:
            if rng.random() < 0.1:  # a phrase of 2 or 3 words
                width = int(rng.integers(2, 4))
                span[i], span[i + 1 : i + width] = width, 0
                starts.append(i)
                i += width
            else:
                i += 1
    span_word = 50 + rng.integers(0, 10, size=len(starts))
    out, out_offsets = np.empty(tokens.size, np.int32), np.empty_like(offsets)
    order, counts, n = join_spans(tokens, offsets, span, span_word, 60, out, out_offsets)
    expected, expected_offsets, phrase = (
        [],
        [0],
        dict(zip(starts, span_word.tolist(), strict=True)),
    )
    for d in range(len(offsets) - 1):
        for i in range(offsets[d], offsets[d + 1]):
            if span[i]:
                expected.append(phrase.get(i, int(tokens[i])))
        expected_offsets.append(len(expected))
    assert order[out[:n]].tolist() == expected and out_offsets.tolist() == expected_offsets
    first_seen = list(dict.fromkeys(expected))  # ids by first occurrence
    assert order.tolist() == first_seen
    assert counts.tolist() == [expected.count(w) for w in first_seen]
    assert len(starts) > 50


_WORDS = [
    "new",
    "york",
    "NEW",
    "Σοφός",
    "ΣΟΦΟΣ",
    "İstanbul",
    "the",
    "of",
    "new_york",
    "x",
    "हिन्दी",
]


@settings(max_examples=60, deadline=None)
@given(
    docs=st.lists(
        st.lists(st.sampled_from(_WORDS), max_size=8).map(" ".join), min_size=1, max_size=30
    ),
    lowercase=st.booleans(),
)
def test_compiled_and_python_encodings_agree_on_generated_documents(docs, lowercase):
    from skembed.text import _analyzer

    results = []
    for compiled in (True, False):
        _analyzer.COMPILED = compiled
        try:
            phrases = Phrases(
                min_count=1,
                threshold=0.0,
                connector_words=["the", "of"],
                passes=2,
                lowercase=lowercase,
            )
            out = phrases.fit_transform(docs)
            results.append((list(phrases.phrasegrams_.items()), out, phrases.transform(docs)))
        finally:
            _analyzer.COMPILED = True
    assert results[0] == results[1]


def test_count_sorted_matches_numpy_unique():
    from skembed.text._kernels._phrases import count_sorted

    rng = np.random.default_rng(3)
    for size in (0, 1, 7, 5000):
        keys = np.sort(rng.integers(0, 40, size=size).astype(np.int64))
        expected_keys, expected_counts = np.unique(keys, return_counts=True)
        counts = np.empty(size, np.int64)
        n = count_sorted(keys, keys, counts)  # in place, as Phrases runs it
        assert keys[:n].tolist() == expected_keys.tolist()
        assert counts[:n].tolist() == expected_counts.tolist()


def test_write_phrased_kernel_matches_a_python_rewrite():
    from skembed.text._fast_analyzer import word_store
    from skembed.text._kernels._phrases import HEAD, write_phrased
    from skembed.text._phrases import _heads

    rng = np.random.default_rng(1)
    # words shorter and longer than HEAD, one of them empty-free but non-Latin-1
    words = ["a", "bb", "exactly8", "ninechars", "a_rather_long_word", "Σοφός", "x" * 30]
    phrases = ["bb_a", "exactly8_of_ninechars", "Σοφός_x"]
    tokens = rng.integers(0, len(words), size=400).astype(np.int32)
    offsets = np.array([0, 0, 150, 151, 400], np.int64)
    span = np.ones(tokens.size, np.int32)
    rows = []
    for d in range(len(offsets) - 1):
        i = offsets[d]
        while i < offsets[d + 1] - 3:
            if rng.random() < 0.2:
                width = int(rng.integers(2, 4))
                span[i], span[i + 1 : i + width] = width, 0
                rows.append(int(rng.integers(0, len(phrases))))
                i += width
            else:
                i += 1
    rows = np.array(rows, np.int64)
    expected = []
    s = 0
    for d in range(len(offsets) - 1):
        units = []
        for i in range(offsets[d], offsets[d + 1]):
            if span[i] > 1:
                units.append(phrases[rows[s]])
                s += 1
            elif span[i] == 1:
                units.append(words[tokens[i]])
        expected.append(" ".join(units))
    word_chars, word_start = word_store(words)
    phrase_chars, phrase_start = word_store(phrases)
    for line_end in (10, -1):
        out_start = np.empty(offsets.size, np.int64)
        args = (
            tokens, offsets, span, rows,
            word_start, word_chars, _heads(word_chars, word_start, np.uint32),
            phrase_start, phrase_chars, _heads(phrase_chars, phrase_start, np.uint32),
            32, line_end,
        )  # fmt: skip
        total = write_phrased(*args, np.empty(0, np.uint32), out_start)
        out = np.full(total + HEAD, 7, np.uint32)
        assert write_phrased(*args, out, out_start) == total
        text = out[:total].tobytes().decode("utf-32-le")
        got = (
            text.split("\n")
            if line_end >= 0
            else [text[a:b] for a, b in zip(out_start[:-1], out_start[1:], strict=True)]
        )
        assert got == expected
    assert len(rows) > 20


def test_tokens_holding_line_ends_keep_one_string_per_document():
    # a custom pattern whose tokens may hold "\n": the writer cannot split on it
    docs = ["new\nyork new\nyork", "old town", "new\nyork"] * 4
    phrases = Phrases(min_count=1, threshold=0.0, token_pattern=r"[^ ]+").fit(docs)
    out = phrases.transform(docs)
    assert out == ["new\nyork_new\nyork", "old_town", "new\nyork"] * 4
