"""ONNX models of fitted vectorizers: :func:`to_onnx` and the inputs of its token-id graph."""

import json

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.utils.validation import check_is_fitted

from skembed.export import _graph
from skembed.export._deps import require
from skembed.export._pooling import pooling_spec

__all__ = ["encode_for_onnx", "to_onnx"]

INPUTS = ("tokens", "text")


def _kind(vectorizer):
    """Return ``"fasttext"`` or ``"lookup"``, or raise for what ONNX cannot reproduce."""
    from skembed.models import (
        Doc2VecVectorizer,
        FastTextVectorizer,
        GloVeVectorizer,
        Word2VecVectorizer,
    )

    if isinstance(vectorizer, Doc2VecVectorizer):
        raise TypeError(
            "Doc2VecVectorizer cannot be exported to ONNX: its transform infers each "
            "document's vector by gradient descent on the fitted word and output vectors "
            "(epochs of sampled updates), which is training, not a fixed function of the "
            "tokens. Export the vectors of known documents (dv_) instead, or use a word "
            "vectorizer (Word2VecVectorizer, GloVeVectorizer, FastTextVectorizer)."
        )
    if isinstance(vectorizer, FastTextVectorizer):
        kind = "fasttext"
    elif isinstance(vectorizer, (Word2VecVectorizer, GloVeVectorizer)):
        kind = "lookup"
    else:
        raise TypeError(
            f"vectorizer must be a fitted Word2VecVectorizer, GloVeVectorizer or "
            f"FastTextVectorizer, got {type(vectorizer).__name__}."
        )
    check_is_fitted(vectorizer, "wv_")
    return kind


def _stop_words(vectorizer):
    stop = CountVectorizer(stop_words=vectorizer.stop_words).get_stop_words()
    return sorted(stop) if stop else []


def check_text_analyzer(vectorizer):
    """Raise unless the raw-text graph can reproduce ``vectorizer``'s analyzer on ASCII text.

    Parameters
    ----------
    vectorizer : skembed vectorizer

    Raises
    ------
    ValueError
        Naming the text parameter that ONNX cannot reproduce.

    Examples
    --------
    >>> from skembed import Word2VecVectorizer
    >>> from skembed.export._onnx import check_text_analyzer
    >>> check_text_analyzer(Word2VecVectorizer())
    >>> check_text_analyzer(Word2VecVectorizer(tokenizer=str.split))
    Traceback (most recent call last):
    ...
    ValueError: tokenizer=<method 'split' of 'str' objects> cannot run in an ONNX graph...
    """
    from skembed.text._analyzer import DEFAULT_TOKEN_PATTERN

    hint = (
        " cannot run in an ONNX graph; the raw-text graph needs the default analyzer. Export "
        "input='tokens' and give the graph the token ids of encode_for_onnx (or of your own "
        "tokenizer with the vocabulary in the model's metadata)."
    )
    if vectorizer.input != "content":
        raise ValueError(f"input={vectorizer.input!r}{hint}")
    for name in ("preprocessor", "tokenizer", "strip_accents"):
        value = getattr(vectorizer, name)
        if value is not None:
            raise ValueError(f"{name}={value!r}{hint}")
    if vectorizer.token_pattern != DEFAULT_TOKEN_PATTERN:
        raise ValueError(f"token_pattern={vectorizer.token_pattern!r}{hint}")


def _metadata(vectorizer, kind, input):
    wv = vectorizer.wv_
    meta = {
        "skembed.estimator": type(vectorizer).__name__,
        "skembed.input": input,
        "skembed.pooling": vectorizer.pooling,
        "skembed.vector_size": str(vectorizer._feature_matrix().shape[1]),
        "skembed.lowercase": json.dumps(bool(vectorizer.lowercase)),
        # row order: token id i is vocabulary[i]
        "skembed.vocabulary": json.dumps(list(wv.index_to_key), ensure_ascii=False),
    }
    if kind == "fasttext":
        meta.update(
            {
                "skembed.min_n": str(wv.min_n),
                "skembed.max_n": str(wv.max_n),
                "skembed.bucket": str(wv.bucket),
            }
        )
    return meta


def build_nodes(g, vectorizer, kind, input, inputs):
    """Write the nodes of ``vectorizer``'s graph into ``g``; return the output's name.

    Parameters
    ----------
    g : skembed.export._graph.Graph
    vectorizer : fitted Word2VecVectorizer, GloVeVectorizer or FastTextVectorizer
    kind : {"lookup", "fasttext"}
    input : {"tokens", "text"}
    inputs : list of str
        Names of the graph's inputs: ``[text]``, ``[token_ids]`` or, for
        fastText's token graph, ``[token_ids, ngram_buckets]``.

    Returns
    -------
    name : str
        The ``[n_documents, vector_size]`` float32 output.
    """
    wv = vectorizer.wv_
    spec = pooling_spec(vectorizer)
    subwords = kind == "fasttext" and wv.subwords_enabled
    ngram_rows = wv.ngram_rows if subwords and wv.is_compact else None
    zero_row = None
    if kind == "fasttext":
        if getattr(vectorizer, "postprocessor_", None) is not None:
            raise NotImplementedError(
                f"postprocessing={vectorizer.postprocessing!r} cannot be exported for "
                "FastTextVectorizer: the vectors of unseen words are composed from n-grams "
                "and then post-processed, which a lookup graph cannot do."
            )
        parts = [wv.vectors, wv.vectors_ngrams]
        if ngram_rows is not None:  # untouched buckets count as zero rows
            zero_row = len(wv) + len(ngram_rows)
            parts.append(np.zeros((1, wv.vector_size), dtype=np.float32))
        matrix = np.concatenate(parts)
    else:
        matrix = vectorizer._feature_matrix()  # post-processed when postprocessing is set
    matrix = g.const(np.ascontiguousarray(matrix, dtype=np.float32), "vectors")
    rows = None
    if input == "text":
        words = _graph.text_to_words(g, inputs[0], vectorizer.lowercase)
        ids = _graph.words_to_ids(g, words, wv.key_to_index, _stop_words(vectorizer))
        if subwords:
            buckets = _graph.words_to_ngram_buckets(g, words, wv.min_n, wv.max_n, wv.bucket)
            rows = _graph.buckets_to_rows(g, buckets, len(wv), ngram_rows, zero_row)
    else:
        ids = inputs[0]
        if kind == "fasttext":
            if subwords:
                rows = _graph.buckets_to_rows(g, inputs[1], len(wv), ngram_rows, zero_row)
            else:  # no n-gram has a row: an unknown word is skipped, as in transform
                rows = g.op("Sub", g.op("Mul", inputs[1], g.i64(0)), g.i64(1))
    vectors, known, present = _graph.word_vectors(g, matrix, ids, rows, zero_row)
    return _graph.pool(g, spec, vectors, ids, known, present)


def to_onnx(vectorizer, input="tokens"):
    """Return an ONNX model computing ``vectorizer.transform``'s document vectors.

    With ``input="tokens"`` (the exact path) the model reads the token ids
    of each document; :func:`encode_for_onnx` computes them from text with the
    vectorizer's own analyzer, and any runtime can compute them from the
    vocabulary stored in the model's metadata:

    - ``token_ids``: int64 ``[n_documents, max_tokens]``, the vocabulary row of
      each token, ``-1`` for a word outside the vocabulary and for padding.
    - FastTextVectorizer only, ``ngram_buckets``: int64
      ``[n_documents, max_tokens, max_ngrams]``, the fastText bucket
      (``fnv1a(ngram) % bucket``) of each character n-gram of each word
      outside the vocabulary, ``-1`` for padding; read only where
      ``token_ids`` is ``-1``.

    With ``input="text"`` the model reads the raw documents (a string tensor
    ``text`` of shape ``[n_documents]``), lowercases them when ``lowercase``
    is set, splits them with onnxruntime's ``com.microsoft.Tokenizer`` and
    removes the stop words; for fastText it hashes the n-grams of unseen
    words inside the graph.  That tokenizer is RE2, whose ``\\w`` is ASCII,
    and the lowercasing is ASCII only: the output equals ``transform`` on
    ASCII text; on other text the tokens differ (``"café"`` is read as
    ``"caf"``), so use the token-id graph there.  The text graph needs the
    default analyzer (no ``tokenizer``, ``preprocessor``, ``strip_accents``,
    custom ``token_pattern``) and runs only in ONNX Runtime (the
    ``com.microsoft`` domain).

    The output ``embedding`` is float32 ``[n_documents, vector_size]``; words
    outside the vocabulary are skipped (fastText: composed from their
    n-grams) and a document with no word is a row of zeros, as in
    ``transform``.  The metadata holds the vocabulary (``skembed.vocabulary``,
    a JSON list in row order), the pooling and, for fastText, ``min_n``,
    ``max_n`` and ``bucket``.

    The vectors are stored in the model: a fastText model keeps all
    ``bucket`` n-gram rows (``compact=True`` keeps only the used ones), and a
    model over 2 GB must be saved with
    ``onnx.save(model, path, save_as_external_data=True)``.

    Parameters
    ----------
    vectorizer : fitted Word2VecVectorizer, GloVeVectorizer or FastTextVectorizer
        Its ``pooling`` ("mean", "sum", "max", "tfidf") is exported as fitted.
    input : {"tokens", "text"}, default="tokens"
        What the model reads (see above).

    Returns
    -------
    model : onnx.ModelProto
        Save it with ``onnx.save(model, path)``.

    Raises
    ------
    ImportError
        When onnx is not installed (``pip install 'skembed[export]'``).
    TypeError
        For Doc2VecVectorizer (its transform is inference by gradient
        descent) and for other objects.
    ValueError
        For ``input="text"`` with a custom analyzer; the error names the
        parameter.
    NotImplementedError
        For a pooling without an ONNX exporter.

    Examples
    --------
    >>> import numpy as np
    >>> import onnxruntime as ort
    >>> from skembed import Word2VecVectorizer
    >>> from skembed.export import encode_for_onnx, to_onnx
    >>> docs = ["the cat sat on the mat", "the dog sat on the log"] * 20
    >>> vec = Word2VecVectorizer(vector_size=8, min_count=1, epochs=2, random_state=0)
    >>> vec = vec.fit(docs)
    >>> model = to_onnx(vec)
    >>> session = ort.InferenceSession(model.SerializeToString(),
    ...                                providers=["CPUExecutionProvider"])
    >>> feeds = encode_for_onnx(vec, ["the cat", "an unseen word"])
    >>> feeds["token_ids"]
    array([[ 0,  3, -1],
           [-1, -1, -1]])
    >>> (embedding,) = session.run(None, feeds)
    >>> bool(np.allclose(embedding, vec.transform(["the cat", "an unseen word"]), atol=1e-6))
    True
    """
    if input not in INPUTS:
        raise ValueError(f"input must be one of {INPUTS}, got {input!r}.")
    onnx = require("onnx")
    helper = onnx.helper
    kind = _kind(vectorizer)
    if input == "text":
        check_text_analyzer(vectorizer)
    sink = _graph.ModelSink()
    g = _graph.Graph(sink)
    n, dim = "n_documents", vectorizer._n_features_out
    tensor = onnx.TensorProto
    if input == "text":
        inputs = [helper.make_tensor_value_info("text", tensor.STRING, [n])]
    else:
        inputs = [helper.make_tensor_value_info("token_ids", tensor.INT64, [n, "max_tokens"])]
        if kind == "fasttext":
            inputs.append(
                helper.make_tensor_value_info(
                    "ngram_buckets", tensor.INT64, [n, "max_tokens", "max_ngrams"]
                )
            )
    out = build_nodes(g, vectorizer, kind, input, [i.name for i in inputs])
    sink.nodes.append(helper.make_node("Identity", [out], ["embedding"], name="embedding"))
    output = helper.make_tensor_value_info("embedding", tensor.FLOAT, [n, dim])
    graph = helper.make_graph(
        sink.nodes, f"skembed_{type(vectorizer).__name__}", inputs, [output], sink.initializers
    )
    domains = {node.domain for node in sink.nodes}
    opsets = [helper.make_opsetid(d, v) for d, v in _graph.OPSETS.items() if d in domains]
    model = helper.make_model(graph, opset_imports=opsets, producer_name="skembed")
    # the lowest IR version that carries opset 18, so that older runtimes load the file
    model.ir_version = 8
    helper.set_model_props(model, _metadata(vectorizer, kind, input))
    if model.ByteSize() < 2**31 - 2**20:  # the checker reads only models under protobuf's 2 GB
        onnx.checker.check_model(model)
    return model


def encode_for_onnx(vectorizer, documents):
    """Return the inputs of :func:`to_onnx`'s token-id graph for ``documents``.

    The documents go through the vectorizer's own analyzer, so the graph's
    output equals ``transform`` for any text, custom analyzers included.

    Parameters
    ----------
    vectorizer : fitted Word2VecVectorizer, GloVeVectorizer or FastTextVectorizer
    documents : iterable of str
        As for ``transform``.

    Returns
    -------
    feeds : dict of str to ndarray
        ``{"token_ids": int64 [n_documents, max_tokens]}`` (vocabulary row,
        ``-1`` for an unknown word and for padding) and, for fastText,
        ``"ngram_buckets"``: int64 ``[n_documents, max_tokens, max_ngrams]``,
        the buckets of each unknown word's n-grams (``-1`` padding).  Ready to
        pass to ``InferenceSession.run(None, feeds)``.

    Examples
    --------
    >>> from skembed import FastTextVectorizer
    >>> from skembed.export import encode_for_onnx
    >>> vec = FastTextVectorizer(vector_size=4, min_count=1, bucket=100, epochs=1,
    ...                          min_n=3, max_n=3, random_state=0).fit(["a cat sat"])
    >>> feeds = encode_for_onnx(vec, ["cat dog"])
    >>> feeds["token_ids"].tolist()
    [[1, -1]]
    >>> feeds["ngram_buckets"].shape  # "dog": <do, dog, og>
    (1, 2, 3)
    """
    from skembed.text._subwords import EOS, ngram_ids

    kind = _kind(vectorizer)
    wv = vectorizer.wv_
    index = wv.key_to_index
    docs = [list(tokens) for tokens in vectorizer._analyze(documents)]
    width = max((len(d) for d in docs), default=0)
    token_ids = np.full((len(docs), width), -1, dtype=np.int64)
    for i, tokens in enumerate(docs):
        token_ids[i, : len(tokens)] = [index.get(t, -1) for t in tokens]
    feeds = {"token_ids": token_ids}
    if kind == "fasttext":
        grams = {}
        if wv.subwords_enabled:
            for tokens in docs:
                for t in tokens:
                    if t not in index and t not in grams and t != EOS:
                        grams[t] = ngram_ids(t, wv.min_n, wv.max_n, wv.bucket, 0)
        depth = max((len(b) for b in grams.values()), default=0)
        buckets = np.full((len(docs), width, depth), -1, dtype=np.int64)
        for i, tokens in enumerate(docs):
            for j, t in enumerate(tokens):
                b = grams.get(t)
                if b is not None:
                    buckets[i, j, : len(b)] = b
        feeds["ngram_buckets"] = buckets
    return feeds
