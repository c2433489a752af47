"""What every skembed vectorizer shares: parameters, validation, fit/partial_fit/transform.

The estimator layer: it encodes text, builds or extends the vocabulary, sets up
early stopping and callbacks, and hands the work to the driver
(``_training.train_chunks``).  Subclasses supply the model through a few hooks:

- ``_default_learning_rate()``
- ``_init_parameters(words, counts, rng)``: create the arrays, set ``wv_``
- ``_grow_parameters(new_words, new_counts, rng)``: append rows for new words
- ``_make_step(corpus)``: return the driver's :class:`~skembed._training.Step`; it
  takes what it needs as arguments and sets no fitted state
- ``_parameter_arrays()``: the arrays trained in place (weight decay, ``keep_best``)
- ``_touched_arrays()``, ``_refresh()``, ``_finish(current)``, ``_structural_parameters``:
  the undo log of a continued fit, the per-epoch refresh of derived vectors, the
  end of training, and the parameters a warm start cannot change freely

``fit``, ``partial_fit`` and ``fit_transform`` are transactional: all of the fitted
state changes, or (on any exception) none of it.
"""

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from skembed._training._driver import train_chunks
from skembed._training._monitor import CallbackSupportMixin, EpochMonitor, with_callbacks
from skembed._training._profile import FitProfile, format_profile
from skembed.corpus._encoding import (
    build_vocabulary,
    encode_with_vocabulary,
    extend_vocabulary,
    remap,
)
from skembed.corpus._sampling import noise_table
from skembed.corpus._store import (
    bounded_step,
    corpus_document_frequency,
    pool_windows,
    read_documents,
    release_pages,
    remap_corpus,
)
from skembed.models._kernels._score import sgns_log_likelihood, sgns_log_likelihood_parallel
from skembed.models._pooling import (
    document_frequency,
    fit_pooling,
    pool_fitted,
    pooled_width,
    smooth_idf,
)
from skembed.schedules import get_schedule, with_warmup
from skembed.text._analyzer import build_analyzer, iter_tokens
from skembed.utils._memory import trim_heap
from skembed.utils._random import seed_states
from skembed.utils._threads import call_kernel, resolve_n_threads
from skembed.vectors._initial import as_initial_vectors, union_vocabulary
from skembed.vectors._postprocessing import feature_matrix, fit_postprocessing

__all__ = ["BaseEmbeddingVectorizer"]

# the fixed protocol of score(): window, noise words, noise exponent, seed
SCORE_WINDOW = 5
SCORE_NEGATIVE = 5
SCORE_NS_EXPONENT = 0.75
SCORE_SEED = 0


class BaseEmbeddingVectorizer(
    CallbackSupportMixin, ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator
):
    """Base class of skembed's vectorizers; not for direct use (see the module docstring)."""

    # Each estimator declares its own parameters in its own ``__init__`` and lists exactly
    # those in its ``_parameter_constraints`` (groups in ``models._params``): no defaults
    # here, so that no estimator carries a parameter it does not use.
    _parameter_constraints: dict = {}

    # ----------------------------------------------------------------- sklearn
    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.requires_fit = True
        return tags

    @property
    def _n_features_out(self):
        # estimators that infer or learn document vectors (Doc2Vec, the classifier) pool nothing
        return self._feature_matrix().shape[1] * pooled_width(getattr(self, "pooling", None))

    @property
    def vocabulary_(self):
        """dict of str to int: Row of each word in ``wv_`` (derived from ``wv_``)."""
        check_is_fitted(self, "wv_")
        return self.wv_.key_to_index

    # -------------------------------------------------------------- fit/transform
    def _analyze(self, X):
        return iter_tokens(X, build_analyzer(self), self.input)

    def _check_params(self):
        """Checks that constraints cannot express; raised before X is read."""

    def _learning_rates(self):
        start = (
            self._default_learning_rate()
            if self.learning_rate == "auto"
            else float(self.learning_rate)
        )
        return start, min(float(self.min_learning_rate), start)

    def _read(self, X):
        # in memory, or (with ``memory``) on disk: see skembed.corpus._store
        corpus, words, counts = read_documents(self, X)
        if corpus.n_documents == 0:
            raise ValueError("X is empty: fit needs at least one document.")
        if corpus.n_tokens == 0:
            raise ValueError(
                "X contains no tokens: every document is empty after analysis "
                "(check token_pattern, stop_words, preprocessor and tokenizer)."
            )
        return corpus, words, counts

    def _split_validation(self, corpus, counts, rng):
        """Hold out documents for early stopping; return (train, validation, train counts)."""
        n_docs = corpus.n_documents
        n_val = int(round(self.validation_fraction * n_docs))
        if n_val < 1 or n_val >= n_docs:
            raise ValueError(
                f"validation_fraction={self.validation_fraction} leaves no "
                f"{'validation' if n_val < 1 else 'training'} document out of {n_docs}: "
                "give more documents or change validation_fraction."
            )
        order = rng.permutation(n_docs)
        train = corpus.subset(np.sort(order[n_val:]))
        validation = corpus.subset(np.sort(order[:n_val]))
        alive = counts > 0  # ids pruned by max_vocab_size stay dead
        train_counts = np.bincount(train.tokens, minlength=len(counts)) * alive
        return train, validation, train_counts

    def _new_vocabulary(self, words, counts):
        final_words, final_counts, mapping = build_vocabulary(
            words, counts, self.min_count, self.max_final_vocab
        )
        if not final_words:
            top = int(np.argmax(counts))
            raise ValueError(
                f"min_count={self.min_count} removed every word: the most frequent word "
                f"{words[top]!r} occurs {counts[top]} time(s). Lower min_count "
                f"(at most {counts[top]}) or give more text."
            )
        return final_words, final_counts, mapping

    # Parameters that fix the shapes or the meaning of the fitted arrays: a warm start or
    # partial_fit compares them with the values of the first fit (see _check_structure).
    _structural_parameters = ("vector_size",)

    def _continuing(self, partial):
        """Whether this call continues from the fitted state (partial_fit, warm start)."""
        return hasattr(self, "wv_") and (partial or self.warm_start)

    def _check_structure(self):
        """Apply or refuse structural parameters changed since the first fit.

        Called before X is read.  Each parameter whose value differs from the
        one recorded at the first fit goes to :meth:`_apply_structure`, which
        adapts the fitted arrays or raises.
        """
        fitted = self.__dict__.get("_fitted_structure", {})
        current = {name: getattr(self, name) for name in self._structural_parameters}
        for name, value in current.items():
            if name in fitted and not self._same_structure(name, fitted[name], value):
                self._apply_structure(name, fitted[name], value)
        self._fitted_structure = current

    def _same_structure(self, name, fitted, current):
        return fitted == current

    def _apply_structure(self, name, fitted, current):
        """Adapt the fitted arrays to ``name=current`` or raise; here: raise."""
        raise ValueError(
            f"{name}={current!r} differs from {name}={fitted!r}, the value the fitted vectors "
            f"were trained with, and partial_fit or warm_start=True cannot change it: set "
            f"{name}={fitted!r} back, or fit from scratch (warm_start=False, or a clone)."
        )

    def _touched_arrays(self):
        """``(array, rows)`` pairs that continued training may change in place (rows None: all).

        The undo log of a continued fit copies them; subclasses whose matrices
        are large list only the rows their kernel can reach.
        """
        arrays = [*self._parameter_arrays(), self.wv_.vectors, self.wv_.counts]
        unique = {id(a): a for a in arrays if a is not None}
        return [(a, None) for a in unique.values()]

    def _undo_log(self, partial):
        """Return a function that puts the estimator back as it is now.

        A fresh fit replaces every fitted array by new ones, so the attributes
        themselves (a shallow copy of ``__dict__``) and the random state are
        enough; a continued fit also trains arrays in place, whose values
        (or, for large ones, touched rows) are copied here.
        """
        saved = dict(self.__dict__)
        rngs = {id(r): r for r in (saved.get("_rng"), self.random_state)
                if isinstance(r, np.random.RandomState)}  # fmt: skip
        rng_states = [(r, r.get_state()) for r in rngs.values()]
        copies, wv, wv_saved = [], saved.get("wv_"), None
        if self._continuing(partial):
            wv_saved = dict(wv.__dict__)
            for array, rows in self._touched_arrays():
                copies.append((array, rows, array.copy() if rows is None else array[rows]))

        def undo():
            for array, rows, copy in copies:
                if rows is None:
                    array[...] = copy
                else:
                    array[rows] = copy
            if wv_saved is not None:
                wv.__dict__.clear()
                wv.__dict__.update(wv_saved)
            self.__dict__.clear()
            self.__dict__.update(saved)
            for rng, state in rng_states:
                rng.set_state(state)

        return undo

    def _fit_transaction(self, X, partial):
        """Run :meth:`_fit` so that all of the fitted state changes, or none of it.

        Any exception (a callback raising, KeyboardInterrupt, MemoryError,
        divergence, bad input) puts back every fitted attribute, the arrays
        trained in place and the random state as they were before the call.
        """
        profile = FitProfile()
        undo = self._undo_log(partial)
        try:
            self._profile = profile  # the phases of _fit lap it
            corpus = self._fit(X, partial)
        except BaseException:
            undo()
            raise
        finally:
            self.__dict__.pop("_initial_cache", None)  # the loaded initial_vectors of this fit
            self.__dict__.pop("_profile", None)
        self.fit_profile_ = profile.as_dict()
        if self.verbose >= 2:
            print(format_profile(self.fit_profile_, "partial_fit" if partial else "fit"))
        return corpus

    def _lap(self, name=None, result=None):
        """End a phase of the running fit's profile (see :mod:`skembed._training._profile`).

        After reading and after the vocabulary, the temporaries of those phases
        are free: the allocator's free pages go back to the system before the
        parameters and the training take theirs (:func:`~skembed.utils._memory.trim_heap`).
        """
        if name in ("read", "vocabulary"):
            trim_heap()
        profile = self.__dict__.get("_profile")
        if profile is not None and result is not None:
            profile.lap_training(result)
        elif profile is not None:
            profile.lap(name)

    def _initial(self):
        """Return the WordVectors of ``initial_vectors`` (loaded once per fit), or None.

        None for estimators without the parameter; see :mod:`skembed.vectors._initial`
        for what a fresh fit does with them.
        """
        if "initial_vectors" not in self._parameter_constraints:
            return None
        cache = self.__dict__.get("_initial_cache")
        if cache is None or cache[0] is not self.initial_vectors:
            cache = (self.initial_vectors, as_initial_vectors(self.initial_vectors))
            self._initial_cache = cache
        return cache[1]

    def _fit(self, X, partial):
        """Fit, continue (warm start) or update (partial_fit); return X's encoded corpus.

        Not transactional by itself: call it through :meth:`_fit_transaction`.
        """
        self._check_params()
        continuing = self._continuing(partial)
        if continuing:
            self._check_structure()
            self._store(np.float32)  # a half-precision model trains in float32
        else:
            self._initial()  # a file that cannot be read fails before X is read
            self._rng = check_random_state(self.random_state)
        rng = self._rng
        self._lap()
        full, words, counts = self._read(X)
        self._lap("read")
        train, validation = full, None
        if self.early_stopping and not partial:
            train, validation, counts = self._split_validation(full, counts, rng)

        if continuing:
            new_words, mapping = extend_vocabulary(
                self.wv_.key_to_index, words, counts, self.min_count, self.update_vocabulary
            )
            n_old = len(self.wv_)
            batch = np.bincount(mapping[mapping >= 0], weights=counts[mapping >= 0],
                                minlength=n_old + len(new_words)).astype(np.int64)  # fmt: skip
            self.wv_.counts[:] += batch[:n_old]
            if new_words:
                self._grow_parameters(new_words, batch[n_old:], rng)
                self._document_frequency = np.concatenate(
                    [self._document_frequency, np.zeros(len(new_words), np.int64)]
                )
        else:
            final_words, final_counts, mapping = self._new_vocabulary(words, counts)
            # with initial_vectors, the words found only there follow (count 0)
            final_words, final_counts = union_vocabulary(
                final_words, final_counts, self._initial()
            )
            self._init_parameters(final_words, final_counts, rng)
            self._fitted_structure = {
                name: getattr(self, name) for name in self._structural_parameters
            }
            self.loss_curve_ = []
            self.n_iter_ = 0
            self._words_trained = 0
            self._document_frequency = np.zeros(len(final_words), np.int64)
            self._n_documents = 0

        train_corpus = remap_corpus(train, mapping)
        whole = train is full
        if whole:  # the provisional ids are not read again: free them before training
            del full, train, words
        if train_corpus.n_tokens == 0:
            raise ValueError(
                "no word of X is in the vocabulary; set update_vocabulary=True to add new words."
            )
        start, end = self._learning_rates()
        schedule = get_schedule(self.learning_rate_schedule)
        if partial:
            epochs = 1
            if self.total_words is None:
                schedule = get_schedule("constant")
            rates = with_warmup(schedule, start, end, self.warmup_fraction)
            words_done, total = self._words_trained, self.total_words
        else:
            epochs = self.epochs
            rates = with_warmup(schedule, start, end, self.warmup_fraction)
            words_done, total = 0, None

        monitor = self._monitor(validation, mapping)
        self._lap("vocabulary")
        with monitor.sklearn_callbacks(epochs):
            result = self._run(train_corpus, epochs, rates, rng, monitor, words_done, total)
            self._lap(result=result)
        restored = self.keep_best and monitor.best_state is not None
        if restored:
            for array, best in zip(self._parameter_arrays(), monitor.best_state, strict=True):
                array[...] = best
        # the driver refreshed the vectors after the last epoch when the monitor read them
        self._finish(current=monitor.needs_vectors and result.n_epochs > 0 and not restored)

        self.loss_curve_ = self.loss_curve_ + result.loss_curve
        self.n_iter_ += result.n_epochs
        self._words_trained += result.words
        self.train_time_ = result.seconds
        self.words_per_second_ = result.words_per_second
        self.validation_scores_ = monitor.validation_scores if validation is not None else None
        self.best_validation_score_ = monitor.best_score if validation is not None else None
        full_corpus = train_corpus if whole else remap_corpus(full, mapping)
        self._document_frequency = self._document_frequency + corpus_document_frequency(
            full_corpus, len(self.wv_), document_frequency
        )
        self._n_documents += full_corpus.n_documents
        self.idf_ = smooth_idf(self._document_frequency, self._n_documents)
        self._fit_postprocessing()
        self._fit_pooling(full_corpus)
        if getattr(self, "storage_dtype", "float32") == "float16":
            self._store(np.float16)
        self._lap("finish")
        return full_corpus

    def _fit_postprocessing(self):
        """Fit ``postprocessing`` on the trained word vectors; keep the vectors it gives.

        ``wv_`` keeps the trained vectors (continued training starts from
        them); ``transform`` pools the post-processed ones.
        """
        self.postprocessor_, self._processed_vectors = fit_postprocessing(
            getattr(self, "postprocessing", None), self.wv_.vectors
        )

    def _feature_matrix(self, vectors=None):
        """The word vectors ``transform`` pools: ``vectors`` (default ``wv_.vectors``),
        post-processed when ``postprocessing`` is set."""
        return feature_matrix(
            self.__dict__.get("postprocessor_"),
            self.__dict__.get("_processed_vectors"),
            self.wv_.vectors,
            vectors,
        )

    def _fit_pooling(self, corpus):
        """Fit what ``pooling`` learns from the training documents (SIF and uSIF; else None)."""
        self._pooling_state = fit_pooling(
            self.pooling, self._feature_matrix(), corpus, self.wv_.counts,
            resolve_n_threads(self.n_jobs),
        )  # fmt: skip
        release_pages(corpus)
        state = self._pooling_state
        self.common_components_ = None if state is None else state["components"]

    def _refresh(self):
        """Bring ``wv_.vectors`` and its caches up to date with the trained arrays."""
        self.wv_.clear_cache()

    def _finish(self, current):
        """Last step of training: refresh the vectors unless ``current`` says they are."""
        if not current:
            self._refresh()

    # Attributes holding matrices that ``storage_dtype`` stores (``wv_.vectors`` always is).
    _stored_matrices = ("_output_vectors", "_output_vectors_hs")

    def _store(self, dtype):
        """Cast the fitted matrices to ``dtype``: float16 after fit, float32 before training.

        The kernels take float32 only, and float16 updates would round away
        (0.5 + 1e-4 == 0.5 in float16), so a half-precision model trains in
        float32 and is stored in float16 once a fit ends.  New arrays replace
        the old ones (the undo log of a continued fit keeps the old); arrays
        shared between attributes stay shared.
        """
        cast = {}

        def convert(array):
            if array is None or array.dtype == dtype:
                return array
            if id(array) not in cast:
                cast[id(array)] = np.ascontiguousarray(array, dtype=dtype)
            return cast[id(array)]

        for name in self._stored_matrices:
            if name in self.__dict__:
                setattr(self, name, convert(getattr(self, name)))
        self.wv_.vectors = convert(self.wv_.vectors)
        self.wv_.clear_cache()

    def _monitor(self, validation, mapping):
        validate = None
        if validation is not None:
            held_out = remap(validation, mapping, keep_unknown=True)
            validate = lambda: self._score_corpus(held_out)  # noqa: E731
        snapshot = None
        if self.keep_best:
            snapshot = lambda: [a.copy() for a in self._parameter_arrays()]  # noqa: E731
        return EpochMonitor(self, validate, snapshot)

    def _run(self, corpus, epochs, rates, rng, monitor, words_done, total_words):
        step = bounded_step(self._make_step(corpus), corpus)  # windows of a mapped corpus
        return self._train(step, epochs, rates, rng, monitor, words_done, total_words)

    def _train(self, step, epochs, rates, rng, monitor, words_done, total_words):
        """Hand ``step`` to the driver with this estimator's controls."""
        return train_chunks(
            step,
            epochs=epochs,
            schedule=rates,
            rng=rng,
            n_threads=resolve_n_threads(self.n_jobs),
            verbose=self.verbose,
            weight_decay=float(self.weight_decay),
            refresh=self._refresh if monitor.needs_vectors else None,
            on_epoch_begin=monitor.begin,
            on_epoch_end=monitor,
            words_done=words_done,
            total_words=total_words,
        )

    def _clip_arguments(self):
        """Kernel arguments of the clipping bounds: None (no bound, compiled away) or float."""
        return {
            name: None if getattr(self, name) is None else float(getattr(self, name))
            for name in ("clip_value", "clip_norm")
        }

    @with_callbacks
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn word vectors from raw documents.

        All of the fitted state changes, or none of it: when the call raises
        (a callback, KeyboardInterrupt, MemoryError, divergence), the
        estimator is left exactly as it was before.

        Parameters
        ----------
        X : iterable of str of length n_documents
            Raw documents (or file names / file objects, see ``input``); a
            generator is read once.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted vectorizer.

        Raises
        ------
        ValueError
            When a warm start meets a structural parameter (``vector_size``, ...)
            changed since the first fit that it cannot apply; the error names it.
        FloatingPointError
            When training diverges (a non-finite loss or vector); the error
            names ``learning_rate`` and the epoch.
        """
        self._fit_transaction(X, partial=False)
        return self

    @with_callbacks
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None):
        """Train one pass over a batch of documents, continuing from the current state.

        The first call builds the vocabulary from the batch.  Later calls keep
        the vocabulary, or add the batch's new words when
        ``update_vocabulary=True``.  The rate is the constant ``learning_rate``,
        or decays over ``total_words`` when that is given.  ``early_stopping``
        does not apply.

        Parameters
        ----------
        X : iterable of str of length n_documents
        y : None
            Ignored.

        Returns
        -------
        self : object

        Raises
        ------
        ValueError
            When a structural parameter (``vector_size``, ...) changed since
            the first fit and cannot be applied; the error names it.
        FloatingPointError
            When training diverges; the estimator is left as before the call.
        """
        self._fit_transaction(X, partial=True)
        return self

    @with_callbacks
    @_fit_context(prefer_skip_nested_validation=True)
    def fit_transform(self, X, y=None):
        """Learn word vectors, then return the pooled vector of each training document.

        Equals ``fit(X).transform(X)`` but reads ``X`` only once, so it works
        on a generator.

        Parameters
        ----------
        X : iterable of str of length n_documents
        y : None
            Ignored.

        Returns
        -------
        X_new : ndarray of shape (n_documents, vector_size), dtype float32
        """
        return self._pool(self._fit_transaction(X, partial=False))

    def transform(self, X):
        """Return the pooled word vector of each document.

        Words outside the vocabulary are skipped; a document with no known
        word gets a row of zeros.

        Parameters
        ----------
        X : iterable of str of length n_documents

        Returns
        -------
        X_new : ndarray of shape (n_documents, vector_size), dtype float32
        """
        check_is_fitted(self, "wv_")
        return self._pool(*self._encode_for_transform(X))

    def _encode_for_transform(self, X):
        """Return ``(corpus, vectors, weights)``: X's tokens as rows of ``vectors``.

        Here unknown words are dropped and rows are ``wv_.vectors``; subword
        models override this to give unseen words rows of their own.
        """
        corpus = encode_with_vocabulary(self._analyze(X), self.wv_.key_to_index)
        return corpus, self.wv_.vectors, self.idf_

    def score(self, X, y=None):
        """Return the mean held-out log-likelihood of X's (word, context) pairs.

        A fixed protocol, independent of the hyper-parameters being searched, so
        that ``GridSearchCV(scoring=None)`` compares settings fairly: every
        (centre, context) pair within a window of 5 (never shrunk, never
        subsampled) scores ``log s(u_context . v_centre)`` plus
        ``log s(-u_context . v_noise)`` for 5 noise words drawn from the
        training unigram^0.75 distribution with a fixed seed.  A pair with a word
        outside the vocabulary scores ``6 log(1/2)``, the figure of a model that
        knows nothing, so a vocabulary cut by ``min_count`` cannot win by
        dodging rare words.  Greater is better; deterministic.

        Parameters
        ----------
        X : iterable of str of length n_documents
            Held-out documents.
        y : None
            Ignored.

        Returns
        -------
        score : float
            Mean log-likelihood per pair (at most 0).
        """
        check_is_fitted(self, "wv_")
        return self._score_corpus(
            encode_with_vocabulary(self._analyze(X), self.wv_.key_to_index, unknown=-1)
        )

    def _score_corpus(self, corpus):
        """``score`` of an encoded corpus whose unknown words are -1."""
        syn0, syn1 = (
            a if a is None else a.astype(np.float32, copy=False) for a in self._score_vectors()
        )  # storage_dtype="float16" stores half-precision matrices
        prob, index = noise_table(self.wv_.counts, SCORE_NS_EXPONENT)
        n_docs = corpus.n_documents
        ll = np.zeros(n_docs)
        pairs = np.zeros(n_docs, dtype=np.int64)
        call_kernel(
            sgns_log_likelihood, sgns_log_likelihood_parallel, resolve_n_threads(self.n_jobs),
            corpus.tokens, corpus.offsets, syn0, syn1, prob, index, SCORE_WINDOW,
            SCORE_NEGATIVE, seed_states(SCORE_SEED, n_docs),
            (1 + SCORE_NEGATIVE) * np.log(0.5), ll, pairs,
        )  # fmt: skip
        if pairs.sum() == 0:
            raise ValueError("X has no (word, context) pair to score: give longer documents.")
        return float(ll.sum() / pairs.sum())

    def _score_vectors(self):
        """Return the (input, output) matrices that ``score`` evaluates."""
        return self.wv_.vectors, self._output_vectors

    def _pool(self, corpus, vectors=None, idf=None):
        vectors = self._feature_matrix(vectors)
        vectors = vectors.astype(np.float32, copy=False)  # storage_dtype="float16"
        idf = self.idf_ if idf is None else idf
        state, n_threads = self.__dict__.get("_pooling_state"), resolve_n_threads(self.n_jobs)
        return pool_windows(  # window by window when the corpus is mapped
            corpus, lambda c: pool_fitted(self.pooling, state, vectors, c, idf, n_threads)
        )
