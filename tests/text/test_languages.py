import pickle
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone

from skembed.datasets import load_kjv, load_rv1909
from skembed.text import LanguageDetector, filter_languages, stop_words
from skembed.text._languages import _identifier

SAMPLES = {
    "en": "The children of Israel went out of the land of Egypt with a mighty hand.",
    "de": "Im Anfang schuf Gott Himmel und Erde, und die Erde war wüst und leer.",
    "fr": "Au commencement, Dieu créa les cieux et la terre, et la terre était informe.",
    "es": "En el principio creó Dios los cielos y la tierra, y la tierra estaba desordenada.",
    "ru": "В начале сотворил Бог небо и землю. Земля же была безвидна и пуста.",
    "zh": "起初神创造天地。地是空虚混沌，渊面黑暗；神的灵运行在水面上。",
    "ar": "في البدء خلق الله السماوات والأرض. وكانت الأرض خربة وخالية.",
}


def test_detects_the_sample_languages():
    codes = LanguageDetector().fit_transform(list(SAMPLES.values()))
    assert codes.shape == (len(SAMPLES), 1) and codes.dtype == object
    assert codes.ravel().tolist() == list(SAMPLES)


def _long_verses(data, min_words=8):
    return [verse for verse in data if len(verse.split()) >= min_words]


def test_bible_verses_of_eight_words_are_at_least_98_percent_right():
    english = _long_verses(load_kjv().data)
    spanish = _long_verses(load_rv1909().data)
    codes = LanguageDetector().fit_transform(english + spanish).ravel()
    accuracy_en = np.mean(codes[: len(english)] == "en")
    accuracy_es = np.mean(codes[len(english) :] == "es")
    # measured: 99.85% (30,687 KJV verses) and 99.46% (30,518 Reina-Valera verses)
    assert accuracy_en >= 0.98 and accuracy_es >= 0.98, (accuracy_en, accuracy_es)
    # every answer is a two-letter code by default
    assert all(len(code) == 2 for code in set(codes))


def test_restricting_languages_and_unknown():
    detector = LanguageDetector(languages=["en", "es"], unknown="??")
    codes = detector.fit_transform([SAMPLES["fr"], SAMPLES["es"], "", "123 -- 45", "   "])
    assert codes.ravel().tolist()[1:] == ["es", "??", "??", "??"]
    assert codes[0, 0] in {"en", "es"}


def test_min_confidence_gives_unknown():
    docs = [SAMPLES["en"], "ok"]
    strict = LanguageDetector(min_confidence=0.999).fit_transform(docs).ravel()
    lax = LanguageDetector(min_confidence=0.0).fit_transform(docs).ravel()
    assert strict[0] == "en" and strict[1] == "und"
    assert lax[1] != "und"


def test_bad_parameters_are_named():
    with pytest.raises(ValueError, match="languages.*xx"):
        LanguageDetector(languages=["en", "xx"]).fit(["a"])
    with pytest.raises(ValueError, match="languages"):
        LanguageDetector(languages=[]).fit(["a"])
    with pytest.raises(ValueError, match="min_confidence"):
        LanguageDetector(min_confidence=2.0).fit(["a"])
    with pytest.raises(TypeError, match="document 1"):
        LanguageDetector().transform(["fine", 3])
    with pytest.raises(TypeError, match="single str"):
        LanguageDetector().transform("just one string")


def test_pickle_clone_and_pandas_output():
    detector = LanguageDetector(languages=["en", "es"])
    again = pickle.loads(pickle.dumps(detector.fit(["x"])))
    assert clone(detector).get_params() == detector.get_params()
    docs = [SAMPLES["en"], SAMPLES["es"]]
    np.testing.assert_array_equal(again.transform(docs), detector.transform(docs))
    frame = LanguageDetector().set_output(transform="pandas").fit_transform(docs)
    assert isinstance(frame, pd.DataFrame) and frame["language"].tolist() == ["en", "es"]


def test_filter_languages_keeps_rows_and_labels_in_order():
    docs = [SAMPLES["en"], SAMPLES["es"], SAMPLES["de"], SAMPLES["es"]]
    labels = np.array([10, 11, 12, 13])
    kept, kept_y = filter_languages(docs, labels, keep=["es", "de"])
    assert kept == [docs[1], docs[2], docs[3]]
    np.testing.assert_array_equal(kept_y, [11, 12, 13])
    assert filter_languages(docs, keep="en") == [docs[0]]
    series = pd.Series(docs, index=[5, 6, 7, 8])
    kept_series, kept_labels = filter_languages(series, list(labels), keep="es")
    assert kept_series.index.tolist() == [6, 8] and kept_labels == [11, 13]
    with pytest.raises(ValueError, match="y has 2 labels for 4 documents"):
        filter_languages(docs, [1, 2], keep="en")
    with pytest.raises(ValueError, match="keep"):
        filter_languages(docs, keep=[])


def test_stop_words():
    for language, word in [("en", "the"), ("es", "los"), ("de", "und"), ("fr", "les")]:
        words = stop_words(language)
        assert word in words and words == sorted(words)
    with pytest.raises(ValueError, match="language: no stop-word list for 'xx'"):
        stop_words("xx")


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(), max_size=5))
def test_never_crashes_on_arbitrary_unicode(docs):
    codes = LanguageDetector().fit_transform(docs)
    assert codes.shape == (len(docs), 1)
    assert all(isinstance(code, str) and code for code in codes.ravel())


def test_missing_package_names_the_extra(monkeypatch):
    _identifier.cache_clear()
    monkeypatch.setitem(sys.modules, "py3langid", None)
    monkeypatch.setitem(sys.modules, "py3langid.langid", None)
    detector = LanguageDetector()  # construction never imports
    with pytest.raises(ImportError, match=r"skembed\[text\]"):
        detector.fit(["text"])
    monkeypatch.setitem(sys.modules, "stopwordsiso", None)
    with pytest.raises(ImportError, match=r"skembed\[text\]"):
        stop_words("en")
    _identifier.cache_clear()


def test_import_does_not_load_optional_packages():
    code = (
        "import sys, skembed.text; "
        "print(sorted(m for m in ('py3langid', 'stopwordsiso', 'ftfy', 'anyascii', "
        "'selectolax', 'tokenizers') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
