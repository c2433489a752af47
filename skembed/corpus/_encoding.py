"""Corpus encoding: token streams to int32 ids, vocabulary building, scheduling chunks.

Strings end here.  One streaming pass over the documents assigns provisional
ids in order of first occurrence; once ``min_count`` is known the ids are
remapped to the final vocabulary (most frequent first, ties by first
occurrence) and out-of-vocabulary tokens are dropped, before any windowing.
"""

from array import array
from dataclasses import dataclass

import numpy as np

__all__ = ["Corpus", "encode_documents", "build_vocabulary", "encode_with_vocabulary"]

MAX_SEGMENT = 10_000  # tokens; long documents are cut here for scheduling
_FLUSH = 1 << 20


@dataclass
class Corpus:
    """Documents as one int32 token array and int64 document offsets.

    Document ``d`` is ``tokens[offsets[d]:offsets[d + 1]]``.
    """

    tokens: np.ndarray
    offsets: np.ndarray

    @property
    def n_documents(self):
        return len(self.offsets) - 1

    @property
    def n_tokens(self):
        return int(self.offsets[-1])

    def segments(self, max_length=MAX_SEGMENT):
        """Return segment offsets: documents cut into pieces of at most ``max_length``.

        A context window never crosses a segment boundary; empty documents
        give no segment.
        """
        lengths = np.diff(self.offsets)
        pieces = np.maximum(-(-lengths // max_length), 0)
        starts = np.repeat(self.offsets[:-1], pieces)
        # position of each piece inside its document
        first = np.repeat(np.cumsum(pieces) - pieces, pieces)
        starts = starts + (np.arange(len(starts)) - first) * max_length
        return np.concatenate([starts, [self.offsets[-1]]]).astype(np.int64)

    def subset(self, documents):
        """Return the corpus of the given document indices (in that order)."""
        documents = np.asarray(documents, dtype=np.int64)
        lo, hi = self.offsets[documents], self.offsets[documents + 1]
        offsets = np.concatenate([[0], np.cumsum(hi - lo)]).astype(np.int64)
        if len(documents):
            tokens = np.concatenate([self.tokens[a:b] for a, b in zip(lo, hi, strict=True)])
        else:
            tokens = np.empty(0, np.int32)
        return Corpus(tokens.astype(np.int32, copy=False), offsets)


def make_chunks(seg_offsets, target=MAX_SEGMENT):
    """Group consecutive segments into chunks of about ``target`` tokens.

    Returns ``chunk_segs`` (int64, n_chunks + 1): chunk ``c`` is segments
    ``chunk_segs[c]:chunk_segs[c + 1]``.  A chunk closes once it holds at
    least ``target`` tokens, so no chunk exceeds ``2 * target``.
    """
    # segments whose start falls in the same multiple of target share a chunk
    bucket = seg_offsets[:-1] // target
    boundaries = np.flatnonzero(np.diff(bucket)) + 1
    return np.concatenate([[0], boundaries, [len(seg_offsets) - 1]]).astype(np.int64)


class _Encoder:
    """Streaming encoder: provisional ids by first occurrence, optional pruning.

    Pruning must not cost the whole stream each time: a ``max_vocab_size``
    smaller than one document's new words prunes after every document.  So
    counts are kept up to date incrementally (each token is counted once), and
    a prune examines only the live ids (the survivors of the last prune and the
    ids added since), never the dead ones.  A survivor of the k-th prune occurs
    more than k times, so the ids examined over all prunes number at most about
    ``n_tokens * log(n_prunes)``; ``n_examined`` records them.
    """

    def __init__(self, max_vocab_size=None):
        self.index = {}
        self.words = []
        self.alive = []
        self.max_vocab_size = max_vocab_size
        self.min_reduce = 1
        self.n_live = 0
        self.parts = []
        self.buffer = array("i")
        self.offsets = array("q", [0])
        self.n_tokens = 0
        self._counts = np.zeros(0, dtype=np.int64)  # occurrences in parts[:_n_counted]
        self._n_counted = 0
        self._live = np.zeros(0, dtype=np.int64)  # ids alive after the last prune
        self._n_pruned_upto = 0  # ids from here on are new since the last prune
        self.n_examined = 0  # tokens counted and ids examined by prunes

    def add(self, tokens):
        index = self.index
        ids = list(map(index.get, tokens))
        if None in ids:
            for k, token in enumerate(tokens):
                if ids[k] is None:
                    i = index.get(token)
                    if i is None:
                        i = index[token] = len(self.words)
                        self.words.append(token)
                        self.alive.append(True)
                        self.n_live += 1
                    ids[k] = i
        self.buffer.extend(ids)
        self.n_tokens += len(ids)
        self.offsets.append(self.n_tokens)
        if len(self.buffer) >= _FLUSH:
            self._flush()
        if self.max_vocab_size is not None and self.n_live > self.max_vocab_size:
            self._prune()

    def _flush(self):
        if len(self.buffer):
            self.parts.append(np.frombuffer(self.buffer, dtype=np.int32).copy())
            self.buffer = array("i")

    def counts(self):
        """Return the occurrences of every provisional id so far (a view; pruned ids kept)."""
        self._flush()
        n_words = len(self.words)
        if self._counts.shape[0] < n_words:
            # grow geometrically, so that growing costs O(1) per id
            grown = np.zeros(max(n_words, 2 * self._counts.shape[0]), dtype=np.int64)
            grown[: self._counts.shape[0]] = self._counts
            self._counts = grown
        counts = self._counts[:n_words]
        for part in self.parts[self._n_counted :]:
            self.n_examined += part.size
            if 8 * part.size >= n_words:
                counts += np.bincount(part, minlength=n_words)
            else:  # a short part: cost its own length, not the vocabulary's
                np.add.at(counts, part, 1)
        self._n_counted = len(self.parts)
        return counts

    def _prune(self):
        # as gensim: drop words seen at most min_reduce times, then raise the bar
        counts = self.counts()
        n_words = len(self.words)
        live = np.concatenate(
            [self._live, np.arange(self._n_pruned_upto, n_words, dtype=np.int64)]
        )
        self.n_examined += live.size
        dead = counts[live] <= self.min_reduce
        doomed = live[dead]
        self._live = live[~dead]
        self._n_pruned_upto = n_words
        for i in doomed:
            del self.index[self.words[i]]
            self.alive[i] = False
        self.n_live -= len(doomed)
        self.min_reduce += 1

    # --- out-of-core (skembed.corpus._store): a writer spills the counted parts to disk
    def drain(self, final=False):
        """Return the encoded parts held so far, counted, and forget them.

        Without ``final``, nothing is returned until a part is full; ``final``
        also returns the last, partly filled buffer.  Offsets and counts stay.
        """
        if final:
            self._flush()
        if not self.parts:
            return []
        self.counts()  # count the parts before they go
        parts, self.parts, self._n_counted = self.parts, [], 0
        return parts

    # --- end out-of-core
    def result(self):
        counts = self.counts().copy()
        counts[~np.asarray(self.alive, dtype=bool)] = 0
        tokens = np.concatenate(self.parts) if self.parts else np.empty(0, np.int32)
        return Corpus(tokens, np.frombuffer(self.offsets, dtype=np.int64).copy()), counts


def encode_documents(token_lists, max_vocab_size=None):
    """Encode token lists in one streaming pass with provisional ids.

    Parameters
    ----------
    token_lists : iterable of list of str
    max_vocab_size : int, default=None
        Bound on distinct words held while counting; rare words are pruned on
        the way (their earlier occurrences are lost), as gensim does.

    Returns
    -------
    corpus : Corpus
        Tokens in provisional ids (order of first occurrence).
    words : list of str
        Word of each provisional id.
    counts : ndarray of shape (n_provisional,), int64
        Occurrences of each provisional id (0 for pruned ids).

    Notes
    -----
    Documents of the default analyzer (an ``AnalyzedDocuments`` whose
    ``compiled`` is set) are tokenized and encoded by the compiled analyzer,
    with the same result (stop words with ``max_vocab_size`` excepted: the
    Python path prunes without them, so it keeps that case).
    """
    options = getattr(token_lists, "compiled", None)
    if options is not None and not (max_vocab_size is not None and options["stop_words"]):
        return _encode_compiled(token_lists.documents(), options, max_vocab_size)
    encoder = _Encoder(max_vocab_size)
    for tokens in token_lists:
        encoder.add(tokens)
    corpus, counts = encoder.result()
    return corpus, encoder.words, counts


def _encode_compiled(documents, options, max_vocab_size=None):
    from skembed.text._fast_analyzer import encode_texts

    tokens, offsets, vocabulary = encode_texts(
        documents, options["lowercase"], max_vocab_size=max_vocab_size
    )
    words = vocabulary.words()
    counts = vocabulary.counts[: vocabulary.n_words].copy()
    counts[~vocabulary.alive[: vocabulary.n_words]] = 0  # pruned ids, as the Python encoder
    stop_words = options["stop_words"]
    if stop_words:
        # the Python analyzer drops stop words before the encoder sees them: dropping
        # their ids afterwards keeps the order of first occurrence of the others
        kept = np.fromiter((w not in stop_words for w in words), dtype=bool, count=len(words))
        if not kept.all():
            new_id = (np.cumsum(kept) - 1).astype(np.int32)
            keep = kept[tokens]
            kept_before = np.concatenate([[0], np.cumsum(keep)])
            tokens, offsets = new_id[tokens[keep]], kept_before[offsets].astype(np.int64)
            words = [w for w, k in zip(words, kept.tolist(), strict=True) if k]
            counts = counts[kept]
    return Corpus(tokens, offsets), words, counts


def build_vocabulary(words, counts, min_count=1, max_final_vocab=None):
    """Choose the final vocabulary: ``min_count``, then the ``max_final_vocab`` most frequent.

    Returns ``(final_words, final_counts, mapping)`` where ``mapping`` gives the
    final id of each provisional id, or -1 when the word is dropped.  Words are
    ordered by decreasing count, ties broken by first occurrence.
    """
    counts = np.asarray(counts, dtype=np.int64)
    candidates = np.flatnonzero(counts >= max(min_count, 1))
    order = candidates[np.argsort(-counts[candidates], kind="stable")]
    if max_final_vocab is not None:
        order = order[:max_final_vocab]
    mapping = np.full(len(counts), -1, dtype=np.int32)
    mapping[order] = np.arange(len(order), dtype=np.int32)
    return [words[i] for i in order], counts[order], mapping


def remap(corpus, mapping, keep_unknown=False):
    """Translate ids through ``mapping``; drop the -1 tokens unless ``keep_unknown``."""
    if len(mapping) == 0:
        if keep_unknown:
            return Corpus(np.full(corpus.n_tokens, -1, np.int32), corpus.offsets.copy())
        return Corpus(np.empty(0, np.int32), np.zeros_like(corpus.offsets))
    if keep_unknown:
        return Corpus(mapping[corpus.tokens].astype(np.int32, copy=False), corpus.offsets.copy())
    from skembed.corpus._kernels._remap import count_kept, remap_kept

    # one pass in numba: NumPy's gather, mask and cumsum held about 14 bytes a token
    tokens = np.ascontiguousarray(corpus.tokens, dtype=np.int32)
    offsets = np.ascontiguousarray(corpus.offsets, dtype=np.int64)
    mapping = np.ascontiguousarray(mapping, dtype=np.int32)
    n_tokens = tokens.shape[0]
    if offsets.ndim != 1 or offsets.shape[0] < 1 or offsets[0] != 0 or offsets[-1] != n_tokens:
        raise ValueError("corpus offsets must run from 0 to the number of tokens.")
    if np.any(offsets[1:] < offsets[:-1]):
        raise ValueError("corpus offsets must be non-decreasing.")
    if n_tokens and (tokens.min() < 0 or tokens.max() >= mapping.shape[0]):
        raise ValueError(f"corpus token ids must lie in [0, {mapping.shape[0]}).")
    out_tokens = np.empty(count_kept(tokens, mapping), dtype=np.int32)
    out_offsets = np.empty(offsets.shape[0], dtype=np.int64)
    remap_kept(tokens, offsets, mapping, out_tokens, out_offsets)
    return Corpus(out_tokens, out_offsets)


def extend_vocabulary(key_to_index, words, counts, min_count=1, grow=True):
    """Map a batch's provisional words onto an existing vocabulary, optionally growing it.

    Known words keep their ids (ids are never renumbered); with ``grow``, new
    words seen at least ``min_count`` times in the batch get the next ids, most
    frequent first, ties by first occurrence.

    Returns ``(new_words, mapping)``: the appended words and the id of each
    provisional id (-1: dropped).
    """
    counts = np.asarray(counts, dtype=np.int64)
    mapping = np.full(len(words), -1, dtype=np.int32)
    fresh = []
    for i, word in enumerate(words):
        known = key_to_index.get(word)
        if known is not None:
            mapping[i] = known
        elif grow and counts[i] >= max(min_count, 1):
            fresh.append(i)
    fresh = np.asarray(fresh, dtype=np.int64)
    fresh = fresh[np.argsort(-counts[fresh], kind="stable")]
    mapping[fresh] = len(key_to_index) + np.arange(len(fresh), dtype=np.int32)
    return [words[i] for i in fresh], mapping


def encode_with_vocabulary(token_lists, key_to_index, unknown=None):
    """Encode token lists against a fixed vocabulary.

    Unknown words are dropped, or encoded as ``unknown`` when it is an int.
    Documents of the default analyzer go through the compiled analyzer (see
    ``encode_documents``).
    """
    options = getattr(token_lists, "compiled", None)
    if options is not None and all(isinstance(w, str) for w in key_to_index):
        return _encode_compiled_with_vocabulary(
            token_lists.documents(), options, key_to_index, unknown
        )
    get = key_to_index.get
    buffer = array("i")
    offsets = array("q", [0])
    n = 0
    for tokens in token_lists:
        if unknown is None:
            ids = [i for i in map(get, tokens) if i is not None]
        else:
            ids = [get(t, unknown) for t in tokens]
        buffer.extend(ids)
        n += len(ids)
        offsets.append(n)
    tokens = np.frombuffer(buffer, dtype=np.int32).copy() if n else np.empty(0, np.int32)
    return Corpus(tokens, np.frombuffer(offsets, dtype=np.int64).copy())


def _encode_compiled_with_vocabulary(documents, options, key_to_index, unknown):
    from skembed.text._fast_analyzer import CompiledVocabulary, encode_texts

    words = list(key_to_index)
    values = np.fromiter(key_to_index.values(), dtype=np.int64, count=len(words))
    stop_words = options["stop_words"]
    if stop_words:
        # the Python analyzer drops stop words, known or not, before any lookup
        values[[i for i, w in enumerate(words) if w in stop_words]] = -2
        extra = sorted(w for w in stop_words if w not in key_to_index)
        words += extra
        values = np.concatenate([values, np.full(len(extra), -2, dtype=np.int64)])
    found, offsets, _ = encode_texts(documents, options["lowercase"], CompiledVocabulary(words))
    ids = np.where(found >= 0, values[np.maximum(found, 0)], -1) if values.size else found
    drop = ids == -2
    if unknown is None:
        drop |= ids == -1
    else:
        ids[ids == -1] = unknown
    if drop.any():
        keep = ~drop
        kept_before = np.concatenate([[0], np.cumsum(keep)])
        ids, offsets = ids[keep], kept_before[offsets].astype(np.int64)
    return Corpus(ids.astype(np.int32), offsets)
