"""Word tokenizers: the default pattern's variants and a fallback for unsegmented scripts."""

import re
from functools import lru_cache

from sklearn.utils._param_validation import StrOptions

from skembed.text._analyzer import DEFAULT_TOKEN_PATTERN
from skembed.text._base import DocumentTransformer
from skembed.text._unicode_tables import MARKS, UNSEGMENTED

__all__ = ["Tokenizer", "make_token_pattern"]

_APOSTROPHES = "'\u2019"  # ASCII and typographic (right single quotation mark)
_HYPHENS = "\\-\u2010\u2011"  # hyphen-minus, hyphen, non-breaking hyphen
_INNER = "'\u2019-\u2010\u2011"


def make_token_pattern(*, apostrophes=False, hyphens=False):
    """Return a token pattern: the default one, optionally keeping inner punctuation.

    The default pattern matches runs of word characters (``\\w``: letters,
    digits, underscore) and combining marks, starting with a word character.
    Apostrophes or hyphens *between* two word characters can be kept inside
    the token, as in "don't", "O'Neill" or "well-known"; at the edges of a
    word they still separate ("'tis" gives "tis").

    Parameters
    ----------
    apostrophes : bool, default=False
        Keep ``'`` and ``’`` inside words.
    hyphens : bool, default=False
        Keep hyphens (``-``, U+2010, U+2011) inside words.

    Returns
    -------
    pattern : str
        A pattern for Python's ``re``, usable as ``token_pattern=``.

    Examples
    --------
    >>> import re
    >>> from skembed.text import make_token_pattern
    >>> re.findall(make_token_pattern(), "हिन्दी भाषा don't")
    ['हिन्दी', 'भाषा', 'don', 't']
    >>> re.findall(make_token_pattern(apostrophes=True, hyphens=True), "don't well-known")
    ["don't", 'well-known']
    """
    inner = (_APOSTROPHES if apostrophes else "") + (_HYPHENS if hyphens else "")
    if not inner:
        return DEFAULT_TOKEN_PATTERN
    word = "[\\w" + MARKS + "]"
    return f"(?u)\\w{word}*(?:[{inner}]\\w{word}*)*"


@lru_cache(maxsize=16)
def _compiled(apostrophes, hyphens):
    token = re.compile(make_token_pattern(apostrophes=apostrophes, hyphens=hyphens))
    # one unit of an unsegmented script: a base character with its combining marks
    unit = re.compile(f"[{UNSEGMENTED}][{MARKS}]*")
    run = re.compile(f"(?:[{UNSEGMENTED}][{MARKS}]*)+")
    return token, unit, run


class Tokenizer(DocumentTransformer):
    """Split documents into words, with a fallback for scripts written without spaces.

    A callable (``tokenizer=Tokenizer(...)`` in any vectorizer, where it
    receives the preprocessed document) and a pipeline step (``transform``
    returns the tokens of each document joined by single spaces, for the next
    step's default pattern to split again). It learns nothing, so ``clone``
    resetting it is harmless.

    Parameters
    ----------
    apostrophes : bool, default=False
        Keep apostrophes between letters inside a token ("don't").
    hyphens : bool, default=False
        Keep hyphens between letters inside a token ("well-known").
    unsegmented : {"words", "characters", "bigrams"}, default="words"
        What to do with runs of Chinese, Japanese (kana and kanji), Thai, Lao,
        Khmer and Myanmar characters, which are written without spaces:
        ``"words"`` keeps each run as one token (as the default pattern
        does); ``"characters"`` makes each character (with its combining
        marks) a token; ``"bigrams"`` makes each pair of neighbouring
        characters a token (a one-character run stays one token), the usual
        choice for Chinese and Japanese retrieval without a dictionary.

    See Also
    --------
    make_token_pattern : The token pattern for the same word rules.

    Examples
    --------
    >>> from skembed.text import Tokenizer
    >>> Tokenizer(unsegmented="bigrams")("我爱北京 and Hindi हिन्दी")
    ['我爱', '爱北', '北京', 'and', 'Hindi', 'हिन्दी']
    >>> Tokenizer(apostrophes=True).fit_transform(["Don't  stop!"])
    ["Don't stop"]
    """

    _parameter_constraints = {
        "apostrophes": ["boolean"],
        "hyphens": ["boolean"],
        "unsegmented": [StrOptions({"words", "characters", "bigrams"})],
    }

    def __init__(self, *, apostrophes=False, hyphens=False, unsegmented="words"):
        self.apostrophes = apostrophes
        self.hyphens = hyphens
        self.unsegmented = unsegmented

    def __call__(self, doc):
        """Return the tokens of one document.

        Parameters
        ----------
        doc : str
            The document.

        Returns
        -------
        tokens : list of str
            Its tokens, none empty.
        """
        return self._tokens(doc, _compiled(bool(self.apostrophes), bool(self.hyphens)))

    def _prepare_transform(self):
        return _compiled(bool(self.apostrophes), bool(self.hyphens))

    def _transform_document(self, doc, prepared):
        return " ".join(self._tokens(doc, prepared))

    def _tokens(self, doc, prepared):
        token, unit, run = prepared
        tokens = token.findall(doc)
        if self.unsegmented == "words":
            return tokens
        out = []

        def keep(piece):
            # a piece cut next to a run may begin or end with an inner apostrophe or hyphen
            piece = piece.strip(_INNER)
            if piece:
                out.append(piece)

        for tok in tokens:
            start = 0
            for match in run.finditer(tok):
                keep(tok[start : match.start()])
                units = unit.findall(match.group())
                if self.unsegmented == "characters" or len(units) == 1:
                    out.extend(units)
                else:
                    out.extend(a + b for a, b in zip(units, units[1:], strict=False))
                start = match.end()
            keep(tok[start:])
        return out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        return tags
