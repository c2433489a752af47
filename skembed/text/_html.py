"""HTML and XML to plain text, with the standard library or selectolax (same output)."""

import importlib.util
from html.parser import HTMLParser

__all__ = ["html_to_text", "has_selectolax"]

# Elements whose content is not text for a reader (<head> holds metadata and the title).
_SKIPPED = frozenset({"script", "style", "noscript", "template", "svg", "math", "head"})
# Inline HTML elements run on with their neighbours ("<b>bold</b>er" gives "bolder");
# every other element (paragraphs, list items, cells, line breaks, and any XML element)
# is a boundary, a space on either side ("<p>one</p><p>two</p>" gives "one two").
_INLINE = frozenset(
    "a abbr acronym b bdi bdo big cite code data del dfn em font i ins kbd label mark q rp rt "
    "ruby s samp small span strike strong sub sup time tt u var wbr".split()
)


def has_selectolax():
    """Whether the optional selectolax parser is installed."""
    return importlib.util.find_spec("selectolax") is not None


class _TextCollector(HTMLParser):
    """Collect the text of a document; entities decoded by ``convert_charrefs``."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self._skip = []

    def handle_starttag(self, tag, attrs):
        if tag == "body" and "head" in self._skip:
            # <head> is often left unclosed; browsers (and selectolax) close it here
            del self._skip[self._skip.index("head") :]
        if tag in _SKIPPED:
            self._skip.append(tag)
        elif tag not in _INLINE:
            self.parts.append(" ")

    def handle_startendtag(self, tag, attrs):
        if tag not in _INLINE:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if self._skip and tag == self._skip[-1]:
            self._skip.pop()
        elif tag not in _INLINE:
            self.parts.append(" ")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def _stdlib_text(doc):
    collector = _TextCollector()
    collector.feed(doc)
    collector.close()
    return "".join(collector.parts)


def _selectolax_text(doc):
    from selectolax.lexbor import LexborHTMLParser

    root = LexborHTMLParser(doc).root
    parts = []
    stack = [] if root is None else [root]
    while stack:  # depth-first, iterative: deeply nested markup must not hit the recursion limit
        node = stack.pop()
        if node is None:
            parts.append(" ")
            continue
        tag = node.tag
        if tag == "-text":
            parts.append(node.text_content or "")
            continue
        if tag.startswith("-") or tag in _SKIPPED:  # comments, doctype, scripts, ...
            continue
        if tag not in _INLINE:
            parts.append(" ")
            stack.append(None)
        stack.extend(reversed(list(node.iter(include_text=True))))
    return "".join(parts)


def html_to_text(doc, parser="auto"):
    """Return the text of an HTML or XML document.

    Tags, comments, scripts and styles are dropped, entities decoded, and
    block elements (paragraphs, list items, table cells, line breaks, ...)
    become spaces. A document without ``<`` or ``&`` is returned unchanged.

    Parameters
    ----------
    doc : str
        The document.
    parser : {"auto", "html.parser", "selectolax"}, default="auto"
        ``"auto"`` uses selectolax when installed, the standard library's
        ``html.parser`` otherwise.

    Returns
    -------
    text : str
        The text, whitespace not yet collapsed.
    """
    if "<" not in doc and "&" not in doc:
        return doc
    if parser == "selectolax" or (parser == "auto" and has_selectolax()):
        return _selectolax_text(doc)
    return _stdlib_text(doc)
