import pickle
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.base import clone

from skembed.text import TextCleaner
from skembed.text._html import _selectolax_text, _stdlib_text, has_selectolax

HTML_CASES = [
    ("<p>Hello <b>bold</b>er &amp; <!-- note --><script>x = 1 < 2;</script>world</p>",
     "Hello bolder & world"),
    ("<html><head><title>T</title><style>p {color: red}</style></head>"
     "<body><ul><li>one<li>two</ul>a<br>b</body></html>", "one two a b"),
    ("&lt;tag&gt; &eacute; &#233; &#xE9; caf&eacute; AT&T &nbsp;x", "<tag> é é é café AT&T x"),
    ("<table><tr><td>1</td><td>2</td></tr></table>", "1 2"),
    ('<?xml version="1.0"?><root><item>x</item><item>y</item></root>', "x y"),
    ("<HTML><HEAD><TITLE>T</TITLE><BODY><P>Hi<svg><text>no</text></svg> there", "Hi there"),
    ("<div><p>para one</p><p>para two</p></div><noscript>enable js</noscript>",
     "para one para two"),
    ("plain text, no markup", "plain text, no markup"),
]  # fmt: skip


@pytest.mark.parametrize("html, text", HTML_CASES)
def test_html_to_text(html, text):
    assert TextCleaner(html_parser="html.parser").transform([html]) == [text]
    assert " ".join(_stdlib_text(html).split()) == text


@pytest.mark.skipif(not has_selectolax(), reason="selectolax is an optional parser")
@pytest.mark.parametrize("html, text", HTML_CASES)
def test_selectolax_gives_the_same_text(html, text):
    assert TextCleaner(html_parser="selectolax").transform([html]) == [text]
    assert " ".join(_selectolax_text(html).split()) == text


def test_defaults_keep_the_meaning():
    doc = (
        "Mail  ana.lopez+bible@correo.example.es or visit https://www.example.org/a?b=1, "
        "www.example.com! Señor @josé's café: 3 DON'T\u200b stop\u00ad"
    )
    assert TextCleaner().transform([doc]) == [
        "Mail EMAIL or visit URL, URL! Señor @josé's café: 3 DON'T stop"
    ]
    # NFC: a decomposed accent is composed
    assert TextCleaner().transform(["cafe\u0301"]) == ["caf\u00e9"]


@pytest.mark.parametrize(
    "params, doc, expected",
    [
        ({"urls": "remove"}, "see http://x.org/a.html. ok", "see . ok"),
        ({"urls": "keep"}, "see http://x.org/a.", "see http://x.org/a."),
        ({"emails": "remove"}, "a@b.co, hi", ", hi"),
        ({"handles": "placeholder"}, "@bob and @alice_2 (a@b.co)", "USER and USER (EMAIL)"),
        ({"handles": "remove"}, "hi @bob!", "hi !"),
        ({"numbers": "placeholder"}, "3 cats, 3.14 and 1,000,000 mp3",
         "NUMBER cats, NUMBER and NUMBER mp3"),
        ({"numbers": "mask"}, "in 1984, 3.14 x2", "in 0000, 0.00 x0"),
        ({"numbers": "remove"}, "42 is it", "is it"),
        (
            {"dates": "placeholder", "numbers": "placeholder"},
            "On 2024-01-31, 31/01/2024, January 31, 2024, 31st of Jan. 2024 and 5 May 1998: 7",
            "On DATE, DATE, DATE, DATE and DATE: NUMBER",
        ),
        ({"dates": "placeholder"}, "May I come in May?", "May I come in May?"),
        ({"contractions": "split"}, "I don't know John's dog; they're here",
         "I do n't know John 's dog; they 're here"),
        ({"contractions": "split"}, "can’t won’t", "ca n’t wo n’t"),
        (
            {"contractions": "expand"},
            "Won't you? I'm sure they've gone; John's dog can't. It's fine, let's go. ISN'T IT",
            "Will not you? I am sure they have gone; John 's dog can not. It is fine, let us go. "
            "IS NOT IT",
        ),
        ({"casefold": True}, "Straße ÉCOLE", "strasse école"),
        ({"casefold": True, "urls": "placeholder"}, "See HTTP://X.ORG", "see url"),
        ({"strip_accents": True}, "Crió Dios los cielos, naïve ÉCOLE",
         "Crio Dios los cielos, naive ECOLE"),
        ({"strip_accents": True}, "हिन्दी ภาษา", "हिन्दी ภาษา"),
        ({"normalization": "NFKC"}, "ﬁnance ＡＢＣ x²", "finance ABC x2"),
        ({"normalization": "NFD"}, "é", "e\u0301"),
        ({"normalization": None, "remove_invisible": False}, "a\u200bb", "a\u200bb"),
        ({"collapse_whitespace": False, "html": False}, " a \n b ", " a \n b "),
        ({"html": False}, "<b>x</b> &amp;", "<b>x</b> &amp;"),
    ],
)  # fmt: skip
def test_each_step(params, doc, expected):
    assert TextCleaner(**params).fit_transform([doc]) == [expected]


def test_mojibake_and_transliteration():
    cleaner = TextCleaner(fix_encoding=True)
    assert cleaner.transform(["cafÃ© â€œquotedâ€\x9d", "SchÃ¶ne GrÃ¼ÃŸe", "Ð¿Ñ€Ð¸Ð²ÐµÑ‚"]) == [
        "café “quoted”",
        "Schöne Grüße",
        "привет",
    ]
    assert TextCleaner().transform(["cafÃ©"]) == ["cafÃ©"]  # off by default
    latin = TextCleaner(transliterate=True, casefold=True)
    assert latin.transform(["Привет, мир! 北京 Größe"]) == ["privet, mir! beijing grosse"]


SAMPLES = {
    "de": ("Grüße aus <i>München</i> &ndash; schön, oder?", "Grüße aus München – schön, oder?"),
    "fr": ("L'été à Paris: «très» agréable", "L'été à Paris: «très» agréable"),
    "es": ("¿Dónde está la <b>niña</b>?", "¿Dónde está la niña?"),
    "ru": ("Привет,&nbsp;мир! <br/>Как дела?", "Привет, мир! Как дела?"),
    "zh": ("<p>我爱北京天安门。</p><p>你好！</p>", "我爱北京天安门。 你好！"),
    "ar": ("مرحبا <b>بالعالم</b> https://example.org", "مرحبا بالعالم URL"),
}


@pytest.mark.parametrize("language", sorted(SAMPLES))
def test_languages(language):
    doc, expected = SAMPLES[language]
    assert TextCleaner().transform([doc]) == [expected]


def test_pickle_clone_and_errors():
    cleaner = TextCleaner(numbers="mask", contractions="expand")
    copy = pickle.loads(pickle.dumps(cleaner.fit(["x"])))
    assert copy.transform(["I'm 42"]) == cleaner.transform(["I'm 42"]) == ["I am 00"]
    assert clone(cleaner).get_params() == cleaner.get_params()
    with pytest.raises(ValueError, match="numbers"):
        TextCleaner(numbers="words").fit(["x"])
    with pytest.raises(TypeError, match="document 1 is of type int"):
        TextCleaner().transform(["ok", 1])
    with pytest.raises(TypeError, match="single str"):
        TextCleaner().fit("one string")
    # stateless: transform without fit, and the output has one str per input row
    assert TextCleaner().transform(["", "<p></p>", "a"]) == ["", "", "a"]


def test_missing_packages_name_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "ftfy", None)
    monkeypatch.setitem(sys.modules, "anyascii", None)
    TextCleaner(fix_encoding=True)  # construction never imports
    with pytest.raises(ImportError, match=r"fix_encoding.*skembed\[text\]"):
        TextCleaner(fix_encoding=True).fit(["x"])
    with pytest.raises(ImportError, match=r"transliterate.*skembed\[text\]"):
        TextCleaner(transliterate=True).transform(["x"])
    assert TextCleaner().transform(["still works"]) == ["still works"]


_PARAMS = st.fixed_dictionaries(
    {
        "normalization": st.sampled_from(["NFC", "NFKC", "NFD", "NFKD", None]),
        "casefold": st.booleans(),
        "strip_accents": st.booleans(),
        "urls": st.sampled_from(["placeholder", "remove", "keep"]),
        "emails": st.sampled_from(["placeholder", "remove", "keep"]),
        "handles": st.sampled_from(["placeholder", "remove", "keep"]),
        "dates": st.sampled_from(["placeholder", "remove", "keep"]),
        "numbers": st.sampled_from(["placeholder", "mask", "remove", "keep"]),
        "contractions": st.sampled_from(["keep", "split", "expand"]),
    }
)
_TEXT = st.lists(
    st.one_of(
        st.text(),
        st.sampled_from(list("'’@.:/- 0123456789<>&;")),
        st.sampled_from(
            ["http://", "www.", "n't", "'s", "a@b.co", "&amp;", "<p>", "2024-01-31", "May 1"]
        ),
    ),
    max_size=12,
).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXT, _PARAMS)
def test_normalisation_is_idempotent_and_never_crashes(text, params):
    cleaner = TextCleaner(html=False, transliterate=False, **params)
    once = cleaner.transform([text])[0]
    assert isinstance(once, str)
    assert cleaner.transform([once]) == [once]
    assert once == "" or "" not in once.split(" ")  # collapsed: no empty piece


@settings(max_examples=200, deadline=None)
@given(_TEXT)
def test_defaults_never_crash_and_are_idempotent_without_markup(text):
    out = TextCleaner().transform([text])[0]
    assert isinstance(out, str) and out == out.strip()
    plain = text.replace("<", " ").replace("&", " ")
    once = TextCleaner().transform([plain])[0]
    assert TextCleaner().transform([once]) == [once]
