"""TextCleaner: markup, addresses, numbers, contractions and Unicode, one parameter a step."""

import re
import unicodedata

from sklearn.utils._param_validation import StrOptions

from skembed.text._base import DocumentTransformer, import_optional
from skembed.text._html import has_selectolax, html_to_text
from skembed.text._unicode_tables import INVISIBLE

__all__ = ["TextCleaner"]

_URL = re.compile(
    r"(?i)\b(?:(?:https?|ftp)://|www\d{0,3}\.)[^\s<>\"]*[^\s<>\".,;:!?)\]}'\u2019\u201d]"
)
# not followed by "@": in "a@b.coa@b.co" a shorter match would leave "EMAIL@b.co" behind
_EMAIL = re.compile(r"(?i)(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}\b(?!@)")
_HANDLE = re.compile(r"(?<![\w@])@\w+")
_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec"
)
_DAY = r"[0-3]?[0-9](?:st|nd|rd|th)?"
_DATE = re.compile(
    r"(?i)\b(?:"
    r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[T ][0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?)?"
    r"|[0-9]{1,2}[/.][0-9]{1,2}[/.](?:[0-9]{4}|[0-9]{2})"
    rf"|(?:{_DAY}\s+(?:of\s+)?)?(?:{_MONTHS})\.?(?:\s+{_DAY})?,?\s+[0-9]{{4}}"
    r")\b"
)
_NUMBER = re.compile(r"\b\d+(?:[.,]\d+)*\b")
_DIGIT = re.compile(r"\d")
_INVISIBLE = re.compile(f"[{INVISIBLE}\ud800-\udfff]")  # with lone surrogates, never text
# Combining diacritics of the Latin, Greek and Cyrillic alphabets (the "Combining
# Diacritical Marks" blocks): stripping every combining mark would also delete the
# vowel signs of Devanagari, Thai, ... and change those words.
_ACCENTS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")

_APOSTROPHE = "['\u2019]"
_NOT = re.compile(rf"(?i)\b(\w+?)(n{_APOSTROPHE}t)\b")
_CLITIC = re.compile(rf"(?i)(?<=\w)({_APOSTROPHE}(?:s|re|ve|ll|d|m))\b")
_IRREGULAR_NOT = {"wo": "will", "ca": "can", "sha": "shall", "ai": "is"}
_CLITIC_WORDS = {"re": "are", "ve": "have", "ll": "will", "d": "would", "m": "am"}
# "'s" is "is" after these words ("it's", "what's") and a possessive elsewhere
# ("John's"); "let's" is "let us".
_IS_AFTER = frozenset("it that he she what there here who where how when why".split())
_ACTIONS = {"keep", "placeholder", "remove"}


def _match_case(word, model):
    """Spell ``word`` in the case of ``model`` (upper, capitalised or lower)."""
    if model.isupper() and len(model) > 1:
        return word.upper()
    if model[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def _split_contractions(text):
    text = _NOT.sub(r"\1 \2", text)
    return _CLITIC.sub(r" \1", text)


def _expand_not(match):
    stem, suffix = match.group(1), match.group(2)
    stem = _match_case(_IRREGULAR_NOT.get(stem.lower(), stem), stem)
    return f"{stem} {_match_case('not', suffix[0] + suffix[-1])}"


def _expand_clitic(text):
    out = []
    start = 0
    for match in _CLITIC.finditer(text):
        clitic = match.group(1)[1:]
        word_start = match.start()
        while word_start > 0 and (text[word_start - 1].isalnum() or text[word_start - 1] == "_"):
            word_start -= 1
        word = text[word_start : match.start()].lower()
        if clitic.lower() == "s":
            if word == "let":
                expansion = "us"
            elif word in _IS_AFTER:
                expansion = "is"
            else:  # a possessive: split it off, as "split" does
                expansion = match.group(1)
        else:
            expansion = _CLITIC_WORDS[clitic.lower()]
        if expansion != match.group(1):
            expansion = _match_case(expansion, clitic if len(clitic) > 1 else clitic + clitic)
        out.append(text[start : match.start()])
        out.append(" " + expansion)
        start = match.end()
    out.append(text[start:])
    return "".join(out)


def _expand_contractions(text):
    return _expand_clitic(_NOT.sub(_expand_not, text))


def _until_stable(rules, text, max_passes=8):
    """Apply ``rules`` in turn until a pass changes nothing.

    Placeholders never match a pattern, removals shorten the text and contractions
    only insert a space before an apostrophe or drop one, so a few passes suffice;
    ``max_passes`` bounds the work whatever the input.
    """
    for _ in range(max_passes):
        new = text
        for rule in rules:
            new = rule(new)
        if new == text:
            break
        text = new
    return text


class TextCleaner(DocumentTransformer):
    """Clean raw documents: markup, addresses, numbers, contractions, Unicode.

    Every step is a parameter, so a search can tune the cleaning with the
    model, and the same cleaning runs at fit and transform time. The defaults
    keep the meaning: strip HTML, replace URLs and e-mail addresses by the
    words ``URL`` and ``EMAIL``, apply NFC, remove invisible characters and
    collapse whitespace; case and accents are kept. Placeholders are plain
    words (no angle brackets), so every tokenizer keeps them; they are
    lowercase when ``casefold=True``.

    The steps run in this order: encoding repair, HTML, invisible characters,
    Unicode normalisation, transliteration, case folding, accent stripping,
    URLs, e-mail addresses, handles, contractions, dates, numbers,
    whitespace. The step is stateless (``fit`` learns nothing). Encoding
    repair needs ``ftfy``, transliteration ``anyascii`` (both in the
    ``skembed[text]`` extra); the rest needs only the standard library.

    Parameters
    ----------
    html : bool, default=True
        Turn HTML or XML into text: tags, comments, scripts and styles
        dropped, entities decoded, block elements (paragraphs, list items,
        cells, line breaks, XML elements) become spaces. Documents without
        ``<`` or ``&`` are left as they are.
    html_parser : {"auto", "html.parser", "selectolax"}, default="auto"
        ``"auto"`` uses selectolax (faster) when installed, the standard
        library's ``html.parser`` otherwise; both give the same text on
        well-formed markup.
    fix_encoding : bool, default=False
        Repair mojibake (UTF-8 read as Latin-1 or Windows-1252, such as
        "cafÃ©") with ftfy.
    remove_invisible : bool, default=True
        Remove zero-width and other format characters (soft hyphen,
        byte-order mark, bidirectional controls) and control characters that
        are not whitespace. ZWNJ and ZWJ stay: they change spelling in
        Persian and Indic scripts.
    normalization : {"NFC", "NFKC", "NFD", "NFKD"} or None, default="NFC"
        Unicode normal form. NFKC also folds compatibility characters
        (ligatures, full-width letters, superscripts).
    casefold : bool, default=False
        Fold case with ``str.casefold`` (stronger than lowercasing: "ß"
        becomes "ss").
    strip_accents : bool, default=False
        Remove the combining accents of Latin, Greek and Cyrillic letters
        ("café" becomes "cafe"); the vowel signs of other scripts stay.
    transliterate : bool, default=False
        Transliterate everything to ASCII with anyascii ("Привет" becomes
        "Privet", "北京" "BeiJing").
    urls : {"placeholder", "remove", "keep"}, default="placeholder"
        Replace web addresses (``http://``, ``https://``, ``ftp://``,
        ``www.``) by the word ``URL``, remove them, or keep them.
    emails : {"placeholder", "remove", "keep"}, default="placeholder"
        The same for e-mail addresses, with the word ``EMAIL``.
    handles : {"placeholder", "remove", "keep"}, default="keep"
        The same for ``@handles``, with the word ``USER``.
    dates : {"placeholder", "remove", "keep"}, default="keep"
        The same for dates ("2024-01-31", "31/01/2024", "January 31, 2024",
        "31st of January 2024"), with the word ``DATE``.
    numbers : {"placeholder", "mask", "remove", "keep"}, default="keep"
        Replace numbers ("42", "3.14", "1,000") by the word ``NUMBER``;
        ``"mask"`` writes every digit as ``0`` ("1984" becomes "0000"),
        as the fastText and GloVe corpora do, keeping the number's shape.
    contractions : {"keep", "split", "expand"}, default="keep"
        English contractions and possessives: ``"split"`` separates them as
        the Penn Treebank does ("don't" becomes "do n't", "John's" "John
        's"); ``"expand"`` writes them out ("don't" becomes "do not",
        "won't" "will not", "it's" "it is") and splits possessives.
    collapse_whitespace : bool, default=True
        Collapse every run of whitespace into one space and strip the ends.

    See Also
    --------
    Tokenizer : Split the cleaned documents into words.

    Examples
    --------
    >>> from skembed.text import TextCleaner
    >>> TextCleaner().fit_transform(
    ...     ["<p>Write to <b>ana@example.org</b>&nbsp;or see https://example.org/faq.</p>"])
    ['Write to EMAIL or see URL.']
    >>> TextCleaner(contractions="expand", numbers="placeholder", casefold=True).transform(
    ...     ["It's 42 and I Don't KNOW"])
    ['it is number and i do not know']
    """

    _parameter_constraints = {
        "html": ["boolean"],
        "html_parser": [StrOptions({"auto", "html.parser", "selectolax"})],
        "fix_encoding": ["boolean"],
        "remove_invisible": ["boolean"],
        "normalization": [StrOptions({"NFC", "NFKC", "NFD", "NFKD"}), None],
        "casefold": ["boolean"],
        "strip_accents": ["boolean"],
        "transliterate": ["boolean"],
        "urls": [StrOptions(_ACTIONS)],
        "emails": [StrOptions(_ACTIONS)],
        "handles": [StrOptions(_ACTIONS)],
        "dates": [StrOptions(_ACTIONS)],
        "numbers": [StrOptions(_ACTIONS | {"mask"})],
        "contractions": [StrOptions({"keep", "split", "expand"})],
        "collapse_whitespace": ["boolean"],
    }

    def __init__(
        self,
        *,
        html=True,
        html_parser="auto",
        fix_encoding=False,
        remove_invisible=True,
        normalization="NFC",
        casefold=False,
        strip_accents=False,
        transliterate=False,
        urls="placeholder",
        emails="placeholder",
        handles="keep",
        dates="keep",
        numbers="keep",
        contractions="keep",
        collapse_whitespace=True,
    ):
        self.html = html
        self.html_parser = html_parser
        self.fix_encoding = fix_encoding
        self.remove_invisible = remove_invisible
        self.normalization = normalization
        self.casefold = casefold
        self.strip_accents = strip_accents
        self.transliterate = transliterate
        self.urls = urls
        self.emails = emails
        self.handles = handles
        self.dates = dates
        self.numbers = numbers
        self.contractions = contractions
        self.collapse_whitespace = collapse_whitespace

    def _check_dependencies(self):
        if self.fix_encoding:
            import_optional("ftfy", "TextCleaner(fix_encoding=True)")
        if self.transliterate:
            import_optional("anyascii", "TextCleaner(transliterate=True)")
        if self.html and self.html_parser == "selectolax" and not has_selectolax():
            raise ImportError(
                "TextCleaner(html_parser='selectolax') requires the optional package "
                "'selectolax'; install it with: pip install selectolax, or use "
                "html_parser='auto'."
            )

    def _prepare_transform(self):
        steps = []
        if self.fix_encoding:
            steps.append(import_optional("ftfy", "TextCleaner(fix_encoding=True)").fix_encoding)
        if self.html:
            parser = self.html_parser
            steps.append(lambda text: html_to_text(text, parser))
        if self.remove_invisible:
            steps.append(lambda text: _INVISIBLE.sub("", text))
        form = self.normalization
        if form is not None:
            steps.append(lambda text: unicodedata.normalize(form, text))
        if self.transliterate:
            anyascii = import_optional("anyascii", "TextCleaner(transliterate=True)").anyascii
            steps.append(anyascii)
        if self.casefold:
            # case folding can decompose ("ǰ"): normalise again so that a second pass is a no-op
            recompose = form or "NFC"
            steps.append(lambda text: unicodedata.normalize(recompose, text.casefold()))
        if self.strip_accents:
            recompose = "NFC" if form in (None, "NFD") else form
            steps.append(
                lambda text: unicodedata.normalize(
                    recompose, _ACCENTS.sub("", unicodedata.normalize("NFD", text))
                )
            )
        # Replacing one pattern can expose another ("0@A" without its number is a handle,
        # "0n'tn't" split once has a new contraction): the phase runs until nothing changes.
        phase = []
        self._replacements(phase, [(self.urls, _URL, "URL"), (self.emails, _EMAIL, "EMAIL")])
        self._replacements(phase, [(self.handles, _HANDLE, "USER")])
        # contractions before numbers: splitting "0n't" makes "0" a number of its own
        if self.contractions == "split":
            phase.append(_split_contractions)
        elif self.contractions == "expand":
            phase.append(_expand_contractions)
        self._replacements(phase, [(self.dates, _DATE, "DATE"), (self.numbers, _NUMBER, "NUMBER")])
        if phase:
            steps.append(lambda text: _until_stable(phase, text))
        if self.collapse_whitespace:
            steps.append(lambda text: " ".join(text.split()))
        return steps

    def _replacements(self, steps, actions):
        """Append the placeholder, removal or masking step of each ``(action, pattern, word)``."""
        for action, pattern, word in actions:
            if action == "keep":
                continue
            if action == "mask":
                steps.append(lambda text: _DIGIT.sub("0", text))
                continue
            replacement = " " if action == "remove" else (word.lower() if self.casefold else word)
            steps.append(lambda text, p=pattern, r=replacement: p.sub(r, text))

    def _transform_document(self, doc, steps):
        for step in steps:
            doc = step(doc)
        return doc

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        return tags
