"""The text steps compose with the vectorizers: pipelines, searches, pickles."""

import pickle

import numpy as np
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from skembed import Word2VecVectorizer
from skembed.text import Phrases, TextCleaner, Tokenizer
from tests.text.test_phrases import _planted_corpus


def test_cleaner_phrases_vectorizer_pipeline():
    docs = [f"<p>{doc}</p> see http://ny.example" for doc in _planted_corpus(plant="New York")]
    pipe = make_pipeline(
        TextCleaner(),
        Phrases(),
        Word2VecVectorizer(min_count=1, vector_size=8, epochs=2, random_state=0),
    )
    X = pipe.fit_transform(docs)
    assert X.shape == (len(docs), 8) and X.dtype == np.float32
    vectorizer = pipe[-1]
    assert "new_york" in vectorizer.vocabulary_ and "url" in vectorizer.vocabulary_
    assert "york" not in vectorizer.vocabulary_
    copy = pickle.loads(pickle.dumps(pipe))
    np.testing.assert_array_equal(copy.transform(docs[:4]), pipe.transform(docs[:4]))
    fresh = clone(pipe)
    assert not hasattr(fresh[1], "phrasegrams_")


def test_grid_search_tunes_text_steps_with_two_jobs():
    from skembed.datasets import load_kjv

    kjv = load_kjv(target="testament")
    rng = np.random.default_rng(0)
    rows = rng.choice(len(kjv.data), size=300, replace=False)
    X = [kjv.data[i] for i in rows]
    y = kjv.target[rows]
    pipe = make_pipeline(
        TextCleaner(),
        Tokenizer(),
        Phrases(min_count=3),
        Word2VecVectorizer(min_count=2, vector_size=8, epochs=1, random_state=0),
        LogisticRegression(max_iter=200),
    )
    search = GridSearchCV(
        pipe,
        {"textcleaner__casefold": [False, True], "phrases__threshold": [5.0, 20.0]},
        cv=2,
        n_jobs=2,
    )
    search.fit(X, y)
    assert set(search.best_params_) == {"textcleaner__casefold", "phrases__threshold"}
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert search.predict(X[:5]).shape == (5,)
