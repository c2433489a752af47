"""Phrases: multi-word expressions learnt from collocation counts, joined into one token."""

from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from skembed.corpus._encoding import Corpus, encode_documents
from skembed.text import _analyzer
from skembed.text._analyzer import DEFAULT_TOKEN_PATTERN, check_documents
from skembed.text._base import DocumentTransformer, tokenize_documents
from skembed.text._fast_analyzer import (
    CompiledVocabulary,
    encode_texts,
    free_line_end,
    split_documents,
    word_store,
)
from skembed.text._kernels._phrases import (
    HEAD,
    candidate_keys,
    candidate_pairs,
    count_sorted,
    join_spans,
    segment,
    span_rows,
    write_phrased,
)

__all__ = ["Phrases", "ENGLISH_CONNECTOR_WORDS"]

# Function words that may sit inside a phrase but never start or end one
# ("bank_of_america", "lord_of_hosts"): articles, common prepositions, conjunctions.
ENGLISH_CONNECTOR_WORDS = frozenset(
    "a an the for of with without at from to in on by and or".split()
)
_DEFAULT_THRESHOLD = {"default": 10.0, "npmi": 0.5}
_MAX_KEY = 1 << 62


class Phrases(DocumentTransformer):
    """Join frequent collocations ("new york") into single tokens ("new_york").

    ``fit`` counts every word and every pair of neighbouring words (pairs may
    span connector words, as in "bank of america") and keeps the pairs whose
    score beats ``threshold``; ``transform`` rewrites each document with its
    phrases joined by ``delimiter``. Several ``passes`` build longer phrases
    from the phrases of the pass before ("new_york" + "city"). Where phrases
    overlap ("new york city" with both "new york" and "york city" learnt),
    the segmentation takes the phrases of best total score, not the first
    pair from the left. Counting, segmentation and joining run in numba
    over integer word ids; with the default ``token_pattern`` so do
    tokenizing and encoding (the compiled default analyzer), so no step
    loops over tokens in Python.

    The output is one str per document: its tokens (lowercased with
    ``lowercase=True``) joined by spaces, the next step's input. Phrases
    joined by ``"_"`` stay one token under the default token pattern.

    Parameters
    ----------
    min_count : int, default=5
        Pairs seen fewer times are never phrases (and the default score
        subtracts ``min_count`` from the pair count, as word2vec does).
    threshold : float or None, default=None
        A pair becomes a phrase when its score is above this value. None
        means 10.0 for ``scoring="default"`` and 0.5 for ``"npmi"``.
    scoring : {"default", "npmi"}, default="default"
        ``"default"`` is word2vec's score, ``(n_ab - min_count) / (n_a * n_b)
        * n_vocab``, with ``n_vocab`` the number of distinct words and pairs
        (the convention of gensim's ``Phrases``, so thresholds carry over);
        ``"npmi"`` is the normalised pointwise mutual information,
        ``log(p_ab / (p_a p_b)) / -log(p_ab)``, in [-1, 1] whatever the
        corpus size.
    connector_words : "english", list of str or None, default=None
        Words that may join the two ends of a phrase but never start or end
        one. ``"english"`` gives articles, prepositions and conjunctions
        (``ENGLISH_CONNECTOR_WORDS``).
    max_connectors : int, default=3
        Most connector words between the two ends of a phrase.
    passes : int, default=1
        Rounds of learning; pass ``k`` sees the phrases of pass ``k - 1`` as
        single tokens, so phrases of up to ``2 ** passes`` words form.
    delimiter : str, default="_"
        Joins the words of a phrase.
    lowercase : bool, default=True
        Lowercase before counting, so "New York" and "new york" pool.
    token_pattern : str, default=DEFAULT_TOKEN_PATTERN
        Pattern of a token, as in the vectorizers.

    Attributes
    ----------
    phrasegrams_ : dict of str to float
        Every phrase learnt (words joined by ``delimiter``) and its score.
    n_phrases_ : list of int
        Number of phrases learnt by each pass.

    See Also
    --------
    TextCleaner : Clean documents before finding phrases.

    Examples
    --------
    >>> from skembed.text import Phrases
    >>> docs = ["we flew to new york", "new york has parks", "they love new york",
    ...         "we love parks", "they flew home", "a new idea", "york is old",
    ...         "parks are green", "we are home", "they are old"] * 3
    >>> phrases = Phrases(min_count=3, threshold=1.0).fit(docs)
    >>> sorted(phrases.phrasegrams_)
    ['new_york']
    >>> phrases.transform(["A NEW hat in New York"])
    ['a new hat in new_york']
    """

    _parameter_constraints = {
        "min_count": [Interval(Integral, 1, None, closed="left")],
        "threshold": [Real, None],
        "scoring": [StrOptions({"default", "npmi"})],
        "connector_words": [StrOptions({"english"}), list, tuple, set, frozenset, None],
        "max_connectors": [Interval(Integral, 0, 8, closed="both")],
        "passes": [Interval(Integral, 1, None, closed="left")],
        "delimiter": [str],
        "lowercase": ["boolean"],
        "token_pattern": [str],
    }

    def __init__(
        self,
        *,
        min_count=5,
        threshold=None,
        scoring="default",
        connector_words=None,
        max_connectors=3,
        passes=1,
        delimiter="_",
        lowercase=True,
        token_pattern=DEFAULT_TOKEN_PATTERN,
    ):
        self.min_count = min_count
        self.threshold = threshold
        self.scoring = scoring
        self.connector_words = connector_words
        self.max_connectors = max_connectors
        self.passes = passes
        self.delimiter = delimiter
        self.lowercase = lowercase
        self.token_pattern = token_pattern

    def _encode(self, X):
        """Return ``(corpus, words, counts)`` of X, ids in order of first occurrence.

        The default token pattern runs compiled (tokens and ids in one pass);
        any other pattern goes through ``re`` and the Python encoder.
        """
        if self.token_pattern == DEFAULT_TOKEN_PATTERN and _analyzer.COMPILED:
            tokens, offsets, vocabulary = encode_texts(check_documents(X), self.lowercase)
            counts = vocabulary.counts[: vocabulary.n_words].copy()
            return Corpus(tokens, offsets), vocabulary.words(), counts
        return encode_documents(tokenize_documents(X, self.token_pattern, self.lowercase))

    def _connectors(self):
        if self.connector_words is None:
            return []
        words = (
            ENGLISH_CONNECTOR_WORDS if self.connector_words == "english" else self.connector_words
        )
        return sorted({w.lower() if self.lowercase else w for w in words})

    def _threshold(self):
        if self.threshold is None:
            return _DEFAULT_THRESHOLD[self.scoring]
        threshold = float(self.threshold)
        if self.scoring == "npmi" and not -1.0 <= threshold <= 1.0:
            raise ValueError(f"threshold must be in [-1, 1] with scoring='npmi', got {threshold}.")
        if self.scoring == "default" and threshold < 0:
            raise ValueError(f"threshold must be >= 0 with scoring='default', got {threshold}.")
        return threshold

    def fit(self, X, y=None):
        """Learn the phrases of the documents.

        Parameters
        ----------
        X : iterable of str of length n_documents
            Raw documents.
        y : None
            Ignored.

        Returns
        -------
        self : Phrases
            The fitted step.
        """
        self._fit_encoded(self._fit_setup(X))
        return self

    def fit_transform(self, X, y=None):
        """Learn the phrases, then return the documents with their phrases joined.

        Parameters
        ----------
        X : iterable of str of length n_documents
            Raw documents.
        y : None
            Ignored.

        Returns
        -------
        documents : list of str of length n_documents
            Tokens joined by spaces, phrases joined by ``delimiter``.
        """
        corpus, words, _ = self._fit_encoded(self._fit_setup(X))
        return self._write_last(self._passes[-1], corpus, words)

    def _fit_setup(self, X):
        self._validate_params()
        self._threshold()
        if not self.delimiter or any(c.isspace() for c in self.delimiter):
            raise ValueError(
                f"delimiter must be a non-empty str without spaces, got {self.delimiter!r}."
            )
        return self._encode(X)

    def _fit_encoded(self, encoded):
        """Learn every pass; return the corpus as the last pass saw it (before joining)."""
        connectors = self._connectors()
        passes, phrasegrams = [], {}
        for k in range(self.passes):
            state = self._learn_pass(*encoded, connectors, phrasegrams)
            passes.append(state)
            if k + 1 < self.passes:
                encoded = self._apply_pass(state, *encoded)
        self._passes = passes
        self.phrasegrams_ = phrasegrams
        self.n_phrases_ = [len(state["weight"]) for state in passes]
        return encoded

    def _learn_pass(self, corpus, words, counts, connectors, phrasegrams):
        n_words, n_tokens = len(words), corpus.n_tokens
        wanted = set(connectors)
        index = {w: i for i, w in enumerate(words) if w in wanted} if wanted else {}
        base = len(connectors) + 1
        code = np.zeros(n_words, dtype=np.int64)
        for k, word in enumerate(connectors):
            if word in index:
                code[index[word]] = k + 1
        tokens, offsets, most = corpus.tokens, corpus.offsets, self.max_connectors
        n_mid = base**most
        packed = n_words * n_words * n_mid < _MAX_KEY
        if packed:
            keys = np.empty(n_tokens, dtype=np.int64)
            n = candidate_keys(tokens, offsets, code, base, most, n_words, n_mid, keys)
            keys = keys[:n]
            keys.sort()
            pair_counts = np.empty(n, dtype=np.int64)
            n_pairs = count_sorted(keys, keys, pair_counts)  # distinct keys written in place
            # only pairs seen min_count times can score above any threshold: decode those
            frequent = np.flatnonzero(pair_counts[:n_pairs] >= self.min_count)
            keys, pair_counts = keys[frequent], pair_counts[frequent]
            mid, rest = keys % n_mid, keys // n_mid
            first, last = rest // max(n_words, 1), rest % max(n_words, 1)
        else:  # too many words to pack a pair into one int64
            first, mid, last = (np.empty(n_tokens, dtype=np.int64) for _ in range(3))
            n = candidate_pairs(tokens, offsets, code, base, most, first, mid, last)
            first, mid, last = first[:n], mid[:n], last[:n]
            rows, pair_counts = np.unique(
                np.stack([first, mid, last], axis=1), axis=0, return_counts=True
            )
            first, mid, last = rows[:, 0], rows[:, 1], rows[:, 2]
            n_pairs = len(pair_counts)
        n_vocab = n_words + n_pairs  # distinct words and pairs, as gensim counts
        scores = self._score(counts[first], counts[last], pair_counts, n_vocab, n_tokens)
        kept = np.flatnonzero(scores > self._threshold())
        first, mid, last, scores = first[kept], mid[kept], last[kept], scores[kept]
        # a compact vocabulary: the words of the phrases and the connectors
        used = np.unique(np.concatenate([first, last]))
        vocabulary = [words[i] for i in used] + [w for w in connectors if w in index]
        compact = {w: i for i, w in enumerate(vocabulary)}
        remap = np.full(n_words, -1, dtype=np.int64)
        remap[used] = np.arange(len(used))
        first, last = remap[first], remap[last]
        order = np.lexsort((last, mid, first))
        first, mid, last, scores = first[order], mid[order], last[order], scores[order]
        compact_code = np.zeros(len(vocabulary), dtype=np.int64)
        for k, word in enumerate(connectors):
            if word in compact:
                compact_code[compact[word]] = k + 1
        strings = []
        for a, m, b, s in zip(
            first.tolist(), mid.tolist(), last.tolist(), scores.tolist(), strict=True
        ):
            inner = []
            while m:
                inner.append(connectors[m % base - 1])
                m //= base
            phrase = self.delimiter.join([vocabulary[a], *reversed(inner), vocabulary[b]])
            strings.append(phrase)
            phrasegrams[phrase] = s
        # segmentation maximises a total of positive weights: NPMI is shifted into (0, 2]
        weight = scores + 1.0 if self.scoring == "npmi" else np.maximum(scores, 1e-12)
        return {
            "vocabulary": vocabulary,
            "code": compact_code,
            "base": base,
            "first": first,
            "mid": mid,
            "last": last,
            "weight": weight.astype(np.float64),
            "phrases": strings,
        }

    def _phrase_strings(self, state):
        """The phrase of each row of ``state`` (kept in ``state`` since; older pickles lack it)."""
        vocabulary, base = state["vocabulary"], state["base"]
        connector = {int(c) - 1: w for w, c in zip(vocabulary, state["code"], strict=True) if c}
        out = []
        for a, m, b in zip(state["first"], state["mid"], state["last"], strict=True):
            inner = []
            while m:
                inner.append(connector[int(m % base) - 1])
                m //= base
            out.append(self.delimiter.join([vocabulary[a], *reversed(inner), vocabulary[b]]))
        return out

    def _score(self, count_a, count_b, count_ab, n_vocab, n_tokens):
        count_a = count_a.astype(np.float64)
        count_b = count_b.astype(np.float64)
        count_ab = count_ab.astype(np.float64)
        if self.scoring == "default":
            return (count_ab - self.min_count) / (count_a * count_b) * n_vocab
        with np.errstate(divide="ignore", invalid="ignore"):
            p_ab = count_ab / n_tokens
            pmi = np.log(p_ab / ((count_a / n_tokens) * (count_b / n_tokens)))
            npmi = np.where(p_ab < 1.0, pmi / -np.log(p_ab), 1.0)
        return np.where(count_ab >= self.min_count, npmi, -np.inf)

    @staticmethod
    def _compact(state, words):
        """Each word's id in the vocabulary of ``state`` (-1 if absent there)."""
        index = {w: i for i, w in enumerate(state["vocabulary"])}
        return np.fromiter((index.get(w, -1) for w in words), np.int32, count=len(words))

    def _segment(self, state, compact_tokens, offsets):
        """The phrases of ``state`` chosen in a corpus of compact ids.

        Ids outside ``[0, len(state["vocabulary"]))`` are words of no phrase.

        Returns ``(span, rows)`` (see ``segment``; ``rows`` is the table row of
        each span longer than one token, in token order), or None when no
        phrase joins.
        """
        if len(state["weight"]) == 0 or compact_tokens.size == 0:
            return None
        span = np.ones(compact_tokens.size, dtype=np.int32)
        segment(
            compact_tokens,
            offsets,
            len(state["vocabulary"]),
            state["code"],
            state["base"],
            self.max_connectors,
            state["first"],
            state["mid"],
            state["last"],
            state["weight"],
            span,
        )
        starts = np.flatnonzero(span > 1)
        if starts.size == 0:
            return None
        rows = np.empty(starts.size, dtype=np.int64)
        span_rows(
            compact_tokens,
            starts,
            span[starts].astype(np.int64),
            state["code"],
            state["base"],
            state["first"],
            state["mid"],
            state["last"],
            rows,
        )
        return span, rows

    def _phrases_of(self, state):
        return state["phrases"] if "phrases" in state else self._phrase_strings(state)

    def _apply_pass(self, state, corpus, words, counts):
        """Join the phrases of ``state``; return the new ``(corpus, words, counts)``.

        Ids stay in order of first occurrence, a phrase being one word, so
        the next pass counts exactly what it would count from token lists.
        """
        if len(state["weight"]) == 0 or corpus.n_tokens == 0:
            return corpus, words, counts
        tokens = corpus.tokens
        chosen = self._segment(state, self._compact(state, words)[tokens], corpus.offsets)
        if chosen is None:
            return corpus, words, counts
        span, rows = chosen
        used, inverse = np.unique(rows, return_inverse=True)
        phrases = self._phrases_of(state)
        words = list(words)
        known = {w: i for i, w in enumerate(words)}  # a phrase may also be a raw token
        phrase_id = np.empty(used.size, dtype=np.int64)
        for p, row in enumerate(used.tolist()):
            phrase = phrases[row]
            if phrase not in known:
                known[phrase] = len(words)
                words.append(phrase)
            phrase_id[p] = known[phrase]
        # one word a phrase, renumbered by first occurrence (words no longer used dropped)
        joined = np.empty(tokens.size, dtype=np.int32)
        offsets = np.empty_like(corpus.offsets)
        order, counts, n = join_spans(
            tokens,
            corpus.offsets,
            span,
            phrase_id[inverse.reshape(-1)],
            len(words),
            joined,
            offsets,
        )
        return Corpus(joined[:n].copy(), offsets), [words[i] for i in order.tolist()], counts

    def _write_last(self, state, corpus, store, compact_tokens=None):
        """Join the phrases of the last pass and return one str per document.

        ``store`` is the list of words of ``corpus`` or its ``(word_chars,
        word_start)`` code points; ``compact_tokens`` the tokens as ids of
        the vocabulary of ``state`` when the caller has them. The documents
        are written straight from the code points of the words and the
        phrases, without renumbering.
        """
        if isinstance(store, list):
            if compact_tokens is None and len(state["weight"]):
                compact_tokens = self._compact(state, store)[corpus.tokens]
            store = word_store(store)
        word_chars, word_start = store
        tokens, offsets = corpus.tokens, corpus.offsets
        chosen = None
        if compact_tokens is not None:
            chosen = self._segment(state, compact_tokens, offsets)
        if chosen is None:
            span = np.ones(tokens.size, dtype=np.int32)
            rows = np.zeros(0, dtype=np.int64)
        else:
            span, rows = chosen
        phrase_chars, phrase_start = word_store(self._phrases_of(state))
        used = word_chars[: word_start[-1]]
        line_end = free_line_end(used, phrase_chars, " ")
        narrow = (used.size == 0 or int(used.max()) < 256) and (
            phrase_chars.size == 0 or int(phrase_chars.max()) < 256
        )
        dtype = np.uint8 if narrow else np.uint32
        out_start = np.empty(offsets.size, dtype=np.int64)
        args = (
            tokens,
            offsets,
            span,
            rows,
            word_start,
            word_chars,
            _heads(word_chars, word_start, dtype),
            phrase_start,
            phrase_chars,
            _heads(phrase_chars, phrase_start, dtype),
            32,
            line_end,
        )
        total = write_phrased(*args, np.empty(0, dtype=dtype), out_start)
        out = np.empty(total + HEAD, dtype=dtype)
        write_phrased(*args, out, out_start)
        out = out[:total]
        return split_documents(out, out_start, narrow, line_end)

    def transform(self, X):
        """Return the documents with their phrases joined.

        Parameters
        ----------
        X : iterable of str of length n_documents
            Raw documents.

        Returns
        -------
        documents : list of str of length n_documents
            Tokens joined by spaces, phrases joined by ``delimiter``.
        """
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self, "phrasegrams_")
        passes = self._passes
        first = passes[0]
        if self.token_pattern == DEFAULT_TOKEN_PATTERN and _analyzer.COMPILED:
            # the words of the first pass's phrases take ids 0 .. V - 1, so compact
            # ids need no lookup by string
            seeds = CompiledVocabulary(words=first["vocabulary"])
            tokens, offsets, vocabulary = encode_texts(
                check_documents(X), self.lowercase, vocabulary=seeds, grow=True
            )
            corpus = Corpus(tokens, offsets)
            if len(passes) == 1:  # ids from len(first["vocabulary"]) on are no phrase's
                store = (vocabulary.word_chars, vocabulary.word_start[: vocabulary.n_words + 1])
                return self._write_last(first, corpus, store, tokens)
            encoded = (corpus, vocabulary.words(), vocabulary.counts[: vocabulary.n_words].copy())
        else:
            encoded = self._encode(X)
        for state in passes[:-1]:
            encoded = self._apply_pass(state, *encoded)
        return self._write_last(passes[-1], encoded[0], encoded[1])

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = True
        return tags


def _heads(chars, start, dtype):
    """The first ``HEAD`` code points of each item of a store, zero-padded, as ``dtype``."""
    lengths = start[1:] - start[:-1]
    position = np.arange(HEAD)
    index = start[:-1, None] + position
    valid = position < lengths[:, None]
    if chars.size == 0:
        return np.zeros(index.shape, dtype=dtype)
    return np.where(valid, chars[np.minimum(index, chars.size - 1)], 0).astype(dtype)
