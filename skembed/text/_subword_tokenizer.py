"""SubwordTokenizer: BPE, WordPiece or unigram vocabularies learnt in fit (``tokenizers``)."""

from numbers import Integral

from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from skembed.text._analyzer import DEFAULT_TOKEN_PATTERN
from skembed.text._base import (
    DocumentTransformer,
    import_optional,
    iter_documents,
    tokenize_documents,
)

__all__ = ["SubwordTokenizer"]

_FEATURE = "SubwordTokenizer"
_UNKNOWN = "[UNK]"


class SubwordTokenizer(DocumentTransformer):
    """Split words into subword units learnt from the training documents.

    ``fit`` learns a vocabulary of ``vocab_size`` units with the ``tokenizers``
    library (``skembed[text]`` extra): byte-pair encoding (``"bpe"``),
    WordPiece or a unigram language model. ``transform`` writes each document
    as its units separated by spaces; a unit that continues a word starts
    with ``continuation_prefix`` ("token ##izer"), so ``inverse_transform``
    puts the words back together. The vocabulary lives in the fitted object
    (as the library's JSON) and so in its pickle: no file, no download.

    Give the next step ``token_pattern=r"\\S+"`` (or ``tokenizer=str.split``)
    so that the prefixed units stay whole: the default word pattern would
    drop the ``#`` characters.

    Parameters
    ----------
    model : {"bpe", "wordpiece", "unigram"}, default="bpe"
        The subword model.
    vocab_size : int, default=8000
        Size of the vocabulary to learn (units, including the unknown unit).
    min_frequency : int, default=2
        Least count of a pair to be merged (BPE and WordPiece).
    continuation_prefix : str, default="##"
        Marks a unit that continues the word before it. An empty string
        leaves units unmarked (and ``inverse_transform`` cannot rejoin them).
    lowercase : bool, default=True
        Lowercase the documents first.
    token_pattern : str, default=DEFAULT_TOKEN_PATTERN
        Pattern of a word; subword units never cross words.

    Attributes
    ----------
    vocabulary_ : dict of str to int
        Every unit learnt and its id (continuation units with the model's own
        marking).
    tokenizer_json_ : str
        The learnt tokenizer, serialised by the ``tokenizers`` library.

    Examples
    --------
    >>> from skembed.text import SubwordTokenizer
    >>> docs = ["the tokenizer tokenizes tokens", "a token and tokens"] * 20
    >>> subwords = SubwordTokenizer(model="wordpiece", vocab_size=60).fit(docs)
    >>> units = subwords.transform(["tokens tokenize"])
    >>> subwords.inverse_transform(units)
    ['tokens tokenize']
    """

    _parameter_constraints = {
        "model": [StrOptions({"bpe", "wordpiece", "unigram"})],
        "vocab_size": [Interval(Integral, 2, None, closed="left")],
        "min_frequency": [Interval(Integral, 0, None, closed="left")],
        "continuation_prefix": [str],
        "lowercase": ["boolean"],
        "token_pattern": [str],
    }

    def __init__(
        self,
        *,
        model="bpe",
        vocab_size=8000,
        min_frequency=2,
        continuation_prefix="##",
        lowercase=True,
        token_pattern=DEFAULT_TOKEN_PATTERN,
    ):
        self.model = model
        self.vocab_size = vocab_size
        self.min_frequency = min_frequency
        self.continuation_prefix = continuation_prefix
        self.lowercase = lowercase
        self.token_pattern = token_pattern

    def _words(self, X):
        return tokenize_documents(X, self.token_pattern, self.lowercase)

    def _check_dependencies(self):
        import_optional("tokenizers", _FEATURE)

    def fit(self, X, y=None):
        """Learn the subword vocabulary of the documents.

        Parameters
        ----------
        X : iterable of str of length n_documents
            Raw documents.
        y : None
            Ignored.

        Returns
        -------
        self : SubwordTokenizer
            The fitted step.
        """
        self._validate_params()
        tk = import_optional("tokenizers", _FEATURE)
        words = self._words(X)
        special = [_UNKNOWN]
        if self.model == "bpe":
            model = tk.models.BPE(unk_token=_UNKNOWN, continuing_subword_prefix="##")
            trainer = tk.trainers.BpeTrainer(
                vocab_size=self.vocab_size,
                min_frequency=self.min_frequency,
                special_tokens=special,
                continuing_subword_prefix="##",
                show_progress=False,
            )
        elif self.model == "wordpiece":
            model = tk.models.WordPiece(unk_token=_UNKNOWN)
            trainer = tk.trainers.WordPieceTrainer(
                vocab_size=self.vocab_size,
                min_frequency=self.min_frequency,
                special_tokens=special,
                show_progress=False,
            )
        else:
            model = tk.models.Unigram()
            trainer = tk.trainers.UnigramTrainer(
                vocab_size=self.vocab_size,
                special_tokens=special,
                unk_token=_UNKNOWN,
                show_progress=False,
            )
        tokenizer = tk.Tokenizer(model)
        tokenizer.pre_tokenizer = tk.pre_tokenizers.WhitespaceSplit()
        try:
            tokenizer.train_from_iterator((" ".join(w) for w in words), trainer=trainer)
        except Exception as exc:  # the library raises a bare Exception
            if "not large enough" not in str(exc):
                raise
            n_chars = len({c for doc in words for word in doc for c in word})
            raise ValueError(
                f"vocab_size={self.vocab_size} is too small for the unigram model, which "
                f"needs a unit for each of the {n_chars} distinct characters of X (and one "
                "for the unknown unit)."
            ) from exc
        self.tokenizer_json_ = tokenizer.to_str()
        self.vocabulary_ = tokenizer.get_vocab()
        self._tokenizer = tokenizer
        return self

    def _live(self):
        check_is_fitted(self, "tokenizer_json_")
        tokenizer = self.__dict__.get("_tokenizer")
        if tokenizer is None:
            tk = import_optional("tokenizers", _FEATURE)
            tokenizer = self._tokenizer = tk.Tokenizer.from_str(self.tokenizer_json_)
        return tokenizer

    def __getstate__(self):
        # the live tokenizer is rebuilt from ``tokenizer_json_``: one source of truth
        state = self.__dict__.copy()
        state.pop("_tokenizer", None)
        return state

    def transform(self, X):
        """Return each document as space-separated subword units.

        Parameters
        ----------
        X : iterable of str of length n_documents
            Raw documents.

        Returns
        -------
        documents : list of str of length n_documents
            The units of each document; continuation units carry
            ``continuation_prefix``.
        """
        tokenizer = self._live()
        words = self._words(X)
        prefix = self.continuation_prefix
        out = []
        nonempty = [w for w in words if w]
        encodings = iter(tokenizer.encode_batch(nonempty, is_pretokenized=True))
        for doc_words in words:
            if not doc_words:
                out.append("")
                continue
            encoding = next(encodings)
            units, previous = [], None
            for unit, word in zip(encoding.tokens, encoding.word_ids, strict=True):
                if unit.startswith("##") and self.model != "unigram":
                    unit = unit[2:]
                if word == previous and unit != _UNKNOWN:
                    unit = prefix + unit
                units.append(unit)
                previous = word
            out.append(" ".join(units))
        return out

    def fit_transform(self, X, y=None):
        """Learn the vocabulary, then return the documents as subword units.

        Parameters
        ----------
        X : iterable of str of length n_documents
            Raw documents.
        y : None
            Ignored.

        Returns
        -------
        documents : list of str of length n_documents
            The units of each document.
        """
        docs = [doc for _, doc in iter_documents(X)]
        return self.fit(docs).transform(docs)

    def inverse_transform(self, X):
        """Join subword units back into words.

        Parameters
        ----------
        X : iterable of str of length n_documents
            Documents as returned by ``transform``.

        Returns
        -------
        documents : list of str of length n_documents
            Words separated by single spaces.
        """
        prefix = self.continuation_prefix
        if not prefix:
            raise ValueError(
                "inverse_transform needs continuation_prefix to mark where words continue; "
                "it is empty."
            )
        out = []
        for _, doc in iter_documents(X):
            words = []
            for unit in doc.split():
                if unit.startswith(prefix) and words:
                    words[-1] += unit[len(prefix) :]
                else:
                    words.append(unit)
            out.append(" ".join(words))
        return out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = True
        return tags
