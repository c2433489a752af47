"""The semi-supervised pattern: vectors fitted on all the text, frozen, a classifier on labels."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline

from skembed import Word2VecVectorizer

ANIMALS = ["the cat sat on the mat", "a dog and a cat", "the dog ran to the cat"]
WEATHER = ["rain fell on the hill", "the wind and the rain", "snow and rain on the hill"]
DOCS = np.array((ANIMALS + WEATHER) * 4, dtype=object)
LABELS = np.array(([0] * 3 + [1] * 3) * 4)


@pytest.fixture
def fit_calls(monkeypatch):
    """Count the calls of Word2VecVectorizer.fit (fit_transform goes through it too)."""
    calls = []
    original = Word2VecVectorizer.fit

    def counted(self, *args, **kwargs):
        calls.append(self)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Word2VecVectorizer, "fit", counted)
    monkeypatch.setattr(
        Word2VecVectorizer, "fit_transform", lambda self, X, y=None: counted(self, X).transform(X)
    )
    return calls


def _frozen_pipeline():
    # unsupervised: every document, no label
    vectorizer = Word2VecVectorizer(
        vector_size=8, min_count=1, epochs=3, pooling="minmeanmax", random_state=0
    ).fit(DOCS)
    return vectorizer, make_pipeline(FrozenEstimator(vectorizer), LogisticRegression())


def test_frozen_vectors_survive_clone_and_pipeline_fit(fit_calls):
    vectorizer, pipe = _frozen_pipeline()
    before = vectorizer.wv_.vectors.copy()
    cloned = clone(pipe)
    labeled = np.arange(0, len(DOCS), 2)
    cloned.fit(DOCS[labeled], LABELS[labeled])
    assert len(fit_calls) == 1  # the one unsupervised fit
    frozen = cloned.steps[0][1].estimator
    assert frozen is vectorizer
    np.testing.assert_array_equal(frozen.wv_.vectors, before)
    assert cloned.predict(DOCS).shape == (len(DOCS),)


def test_frozen_vectors_survive_grid_search(fit_calls):
    vectorizer, pipe = _frozen_pipeline()
    before = vectorizer.wv_.vectors.copy()
    search = GridSearchCV(
        pipe,
        {"logisticregression__C": [0.1, 1.0, 10.0]},
        cv=StratifiedKFold(3, shuffle=True, random_state=0),
    ).fit(DOCS, LABELS)
    # 3 candidates x 3 folds + the refit fitted only the classifier
    assert len(fit_calls) == 1
    best_vectorizer = search.best_estimator_.steps[0][1].estimator
    assert best_vectorizer is vectorizer
    np.testing.assert_array_equal(best_vectorizer.wv_.vectors, before)
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))


def test_unfrozen_vectorizer_is_refitted_by_the_pipeline(fit_calls):
    # the contrast that makes the frozen tests meaningful: without FrozenEstimator
    # every pipeline fit refits the vectorizer on the labeled rows
    vectorizer = Word2VecVectorizer(vector_size=8, min_count=1, epochs=3, random_state=0)
    pipe = make_pipeline(vectorizer.fit(DOCS), LogisticRegression())
    clone(pipe).fit(DOCS[:12], LABELS[:12])
    assert len(fit_calls) == 2
