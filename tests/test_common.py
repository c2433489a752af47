"""Contracts every estimator shares, run over every estimator.

A new estimator gets all of them by adding one line to ``ESTIMATORS``: an instance
with parameters small enough (vector size, epochs, buckets) that a fit on the tiny
corpus below takes milliseconds.

scikit-learn's own ``check_estimator`` runs a single check on estimators whose input
is text (their tags skip the rest), so its checks also run here through an adapter
that turns their numeric data into documents (``_NumericDocuments``).
"""

import inspect
import pickle
import sys
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone, is_classifier
from sklearn.exceptions import NotFittedError
from sklearn.utils import estimator_checks as sk_checks
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.validation import check_is_fitted

from skembed import (
    Doc2VecVectorizer,
    FastTextClassifier,
    FastTextVectorizer,
    GloVeVectorizer,
    PretrainedVectorizer,
    Word2VecVectorizer,
)
from skembed.models._base import BaseEmbeddingVectorizer

# word2vec text vectors of the words of the documents below and of the numeric adapter's test
PRETRAINED_FILE = str(Path(__file__).parent / "data" / "common_vectors.txt")


ESTIMATORS = [
    Word2VecVectorizer(vector_size=8, min_count=1, epochs=2, random_state=0),
    GloVeVectorizer(vector_size=8, window=3, min_count=1, epochs=2, random_state=0),
    FastTextVectorizer(vector_size=8, min_count=1, epochs=2, bucket=200, random_state=0),
    Doc2VecVectorizer(vector_size=8, min_count=1, epochs=2, random_state=0),
    FastTextClassifier(vector_size=8, epochs=2, bucket=200, random_state=0),
    PretrainedVectorizer(vectors=PRETRAINED_FILE),
]


def _id(estimator):
    return type(estimator).__name__


each_estimator = pytest.mark.parametrize("estimator", ESTIMATORS, ids=_id)

# Capabilities, read from the estimator's interface: those that train are seeded by
# random_state, and those with partial_fit learn incrementally (PretrainedVectorizer does
# neither: it uses the vectors it is given).
each_incremental_estimator = pytest.mark.parametrize(
    "estimator", [e for e in ESTIMATORS if hasattr(e, "partial_fit")], ids=_id
)


def _seeded(estimator):
    return "random_state" in estimator.get_params()


DOCS = [
    "the cat sat on the mat",
    "the dog sat on the log",
    "a cat and a dog ran in the park",
    "the bird sang on the branch of the tree",
] * 10
NEW_DOCS = ["a fox jumped over the lazy dog", "the fox hid in the tall grass"] * 5
# labels for the classifiers (the vectorizers ignore y)
Y = ["pet", "pet", "pet", "nature"] * 10
NEW_Y = ["pet", "nature"] * 5


def _partial_fit(est, X, y):
    """``partial_fit`` as each kind takes it: a classifier's first call names the classes."""
    if is_classifier(est) and not hasattr(est, "classes_"):
        return est.partial_fit(X, y, classes=["nature", "pet"])
    return est.partial_fit(X, y)


# ------------------------------------------------------------------ parameters
def test_the_base_class_declares_no_parameter():
    assert "__init__" not in vars(BaseEmbeddingVectorizer)
    assert BaseEmbeddingVectorizer._parameter_constraints == {}


@each_estimator
def test_init_stores_exactly_its_parameters_and_constrains_each(estimator):
    Estimator = type(estimator)
    default = Estimator()
    params = default.get_params()
    signature = inspect.signature(Estimator.__init__)
    for name, parameter in list(signature.parameters.items())[1:]:
        assert parameter.kind is inspect.Parameter.KEYWORD_ONLY, name
        assert params[name] is parameter.default, name
    # no attribute set in __init__ beyond the parameters, none of them fitted state
    assert set(vars(default)) == set(params)
    assert set(Estimator._parameter_constraints) == set(params)


@each_estimator
def test_docstring_documents_exactly_the_parameters_in_order(estimator):
    from numpydoc.docscrape import ClassDoc

    Estimator = type(estimator)
    doc = ClassDoc(Estimator, config={"show_class_members": False})
    # one entry may document several names ("input, encoding, ... : ...")
    documented = [name.strip() for entry in doc["Parameters"] for name in entry.name.split(",")]
    assert documented == list(inspect.signature(Estimator.__init__).parameters)[1:]
    assert set(documented) == set(estimator.get_params())
    for entry in doc["Parameters"]:
        assert entry.desc, entry.name
    assert "%(" not in Estimator.__doc__


@each_estimator
def test_documented_attributes_exist_after_fit(estimator):
    from numpydoc.docscrape import ClassDoc

    est = clone(estimator)
    if "store_cooccurrence" in est.get_params():
        est.set_params(store_cooccurrence=True)  # cooccurrence_ is kept only on request
    est.fit(DOCS, Y)
    documented = [entry.name for entry in ClassDoc(type(est))["Attributes"]]
    assert "wv_" in documented
    for name in documented:
        assert hasattr(est, name), name


@each_estimator
def test_clone_and_get_params_invariance(estimator):
    fitted = clone(estimator).fit(DOCS, Y)
    copy = clone(fitted)
    assert copy.get_params() == fitted.get_params()
    with pytest.raises(NotFittedError):
        check_is_fitted(copy)
    shallow = estimator.get_params(deep=False)
    deep = estimator.get_params(deep=True)
    assert shallow.items() <= deep.items()
    assert estimator.get_params() == clone(estimator).get_params()


@each_estimator
def test_every_parameter_rejects_a_value_of_the_wrong_type_naming_itself(estimator):
    bad = type("BadType", (), {})()
    for name in estimator.get_params():
        est = clone(estimator).set_params(**{name: bad})
        with pytest.raises(InvalidParameterError, match=f"'{name}' parameter"):
            est.fit(DOCS, Y)


OUT_OF_RANGE = [
    ("vector_size", 0),
    ("vector_size", 2**31),
    ("window", 0),
    ("window", 65536),
    ("window", 2**63),
    ("window", 2**64),
    ("epochs", -1),
    ("epochs", 2**63),
    ("min_count", 0),
    ("min_count", 2**64),
    ("max_vocab_size", 2**40),
    ("total_words", 2**64),
    ("learning_rate", 0.0),
]


# each estimator with each bound it has (a classifier has no window)
@pytest.mark.parametrize(
    "estimator, name, value",
    [
        pytest.param(est, name, value, id=f"{_id(est)}-{name}-{value}")
        for est in ESTIMATORS
        for name, value in OUT_OF_RANGE
        if name in est.get_params()
    ],
)
def test_out_of_range_values_raise_errors_naming_the_parameter(estimator, name, value):
    est = clone(estimator).set_params(**{name: value})
    with pytest.raises(InvalidParameterError, match=f"'{name}' parameter"):
        est.fit(DOCS, Y)


# -------------------------------------------------------------------- fitting
@each_estimator
def test_pickle_round_trip_gives_the_same_transform(estimator):
    fitted = clone(estimator).fit(DOCS, Y)
    restored = pickle.loads(pickle.dumps(fitted))
    assert_array_equal(restored.transform(DOCS + NEW_DOCS), fitted.transform(DOCS + NEW_DOCS))


@each_estimator
def test_set_output_pandas(estimator):
    pd = pytest.importorskip("pandas")
    est = clone(estimator)
    expected = clone(estimator).fit_transform(DOCS, Y)
    frame = est.set_output(transform="pandas").fit_transform(DOCS, Y)
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == list(est.get_feature_names_out())
    assert frame.shape == (len(DOCS), est.wv_.vector_size)
    assert_array_equal(frame.to_numpy(), expected)


@each_estimator
def test_fit_is_idempotent_and_seeded(estimator):
    est = clone(estimator)
    first = est.fit(DOCS, Y).wv_.vectors.copy()
    first_words = list(est.wv_.index_to_key)
    second = est.fit(DOCS, Y).wv_.vectors
    assert list(est.wv_.index_to_key) == first_words
    assert_array_equal(second, first)
    assert_array_equal(clone(estimator).fit(DOCS, Y).wv_.vectors, first)
    if _seeded(estimator):
        other = clone(estimator).set_params(random_state=1).fit(DOCS, Y).wv_.vectors
        assert other.shape == first.shape
        assert not np.allclose(other, first)


@each_estimator
def test_fit_transform_equals_fit_then_transform(estimator):
    via_fit_transform = clone(estimator).fit_transform(DOCS, Y)
    fitted = clone(estimator).fit(DOCS, Y)
    via_transform = fitted.transform(DOCS)
    assert via_fit_transform.dtype == np.float32
    assert via_fit_transform.shape == (len(DOCS), fitted.wv_.vector_size)
    assert_allclose(via_fit_transform, via_transform, rtol=1e-6, atol=1e-7)


@each_estimator
def test_bad_documents_give_clear_errors(estimator):
    est = clone(estimator)
    with pytest.raises(TypeError, match="single str; wrap it in a list"):
        est.fit("the cat sat on the mat", Y)
    with pytest.raises(TypeError, match="X must be an iterable of documents"):
        est.fit(None, Y)
    with pytest.raises(TypeError, match="document 1 is of type NoneType"):
        est.fit(["the cat sat", None, "the dog"], Y)
    with pytest.raises(TypeError, match="document 0 is of type int"):
        est.fit([3, "the dog"], Y)
    with pytest.raises(ValueError, match=r"document 1 \(b'\\xff"):
        est.fit([b"the cat sat", b"\xff\xfe the dog"], Y)
    fitted = clone(estimator).fit(DOCS, Y)
    with pytest.raises(TypeError, match="single str; wrap it in a list"):
        fitted.transform("the cat")
    with pytest.raises(TypeError, match="document 2 is of type float"):
        fitted.transform(["the cat", "a dog", 1.5])


@each_estimator
def test_bytes_documents_read_as_their_decoded_text(estimator):
    as_bytes = clone(estimator).fit_transform([doc.encode("utf-8") for doc in DOCS], Y)
    assert_array_equal(as_bytes, clone(estimator).fit_transform(DOCS, Y))


@each_estimator
def test_transform_before_fit_raises_not_fitted(estimator):
    with pytest.raises(NotFittedError):
        clone(estimator).transform(DOCS)


@each_incremental_estimator
def test_partial_fit_grows_the_vocabulary_keeping_ids(estimator):
    est = clone(estimator).set_params(update_vocabulary=True)
    _partial_fit(est, DOCS, Y)
    ids = dict(est.vocabulary_)
    vectors = est.wv_.vectors.copy()
    _partial_fit(est, NEW_DOCS, NEW_Y)
    assert "fox" not in ids and "fox" in est.vocabulary_
    assert len(est.wv_) > len(ids)
    assert {word: est.vocabulary_[word] for word in ids} == ids
    if not is_classifier(est):  # a classifier pools no idf
        assert est.idf_.shape == (len(est.wv_),)
    assert est.n_iter_ == 2
    assert not np.array_equal(est.wv_.vectors[: len(ids)], vectors)  # old rows trained on
    assert est.transform(NEW_DOCS).shape == (len(NEW_DOCS), est.vector_size)

    frozen = _partial_fit(clone(estimator), DOCS, Y)  # update_vocabulary=False keeps it fixed
    _partial_fit(frozen, NEW_DOCS, NEW_Y)
    assert "fox" not in frozen.vocabulary_


# ------------------------------------------------- scikit-learn's own checks
class _NumericDocuments:
    """Adapter: each row of a numeric ``X`` becomes a document of words such as ``f3_7``.

    Feature ``j`` of value ``v`` becomes the word ``f{j}_{floor(v)}`` (``m`` for a minus,
    which the token pattern would split on), so that scikit-learn's checks, written for
    numeric data, exercise the text estimator under them.  The adapter checks the number
    of features as a numeric estimator would; everything else is the estimator's own.
    """

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = False
        tags.input_tags.two_d_array = True
        return tags

    def _documents(self, X, reset):
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2:
            raise ValueError(f"expected a 2-d array, got {X.ndim} dimension(s)")
        if not reset and X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {X.shape[1]} features, but {type(self).__name__} was fitted on "
                f"{self.n_features_in_}"
            )
        bins = np.floor(X).astype(np.int64)
        docs = [
            " ".join(f"f{j}_{'m' if b < 0 else ''}{abs(b)}" for j, b in enumerate(row))
            for row in bins
        ]
        return docs, X.shape[1]

    # n_features_in_ is set after the estimator's own method: set before, it would make
    # the estimator look fitted to scikit-learn (which then skips partial_fit's validation)
    def fit(self, X, y=None):
        docs, n_features = self._documents(X, reset=True)
        super().fit(docs, y)
        self.n_features_in_ = n_features
        return self

    def fit_transform(self, X, y=None):
        docs, n_features = self._documents(X, reset=True)
        out = super().fit_transform(docs, y)
        self.n_features_in_ = n_features
        return out

    def transform(self, X):
        check_is_fitted(self, "wv_")
        return super().transform(self._documents(X, reset=False)[0])

    def score(self, X, y=None):
        check_is_fitted(self, "wv_")
        return super().score(self._documents(X, reset=False)[0], y)


class _NumericIncremental(_NumericDocuments):
    """The adapter of an estimator with ``partial_fit``."""

    def partial_fit(self, X, y=None, **kwargs):
        docs, n_features = self._documents(X, reset=not hasattr(self, "wv_"))
        super().partial_fit(docs, y, **kwargs)
        self.n_features_in_ = n_features
        return self


class _NumericClassifierDocuments(_NumericIncremental):
    """The adapter of a classifier: its prediction methods read the documents too."""

    def _predict(self, method, X):
        check_is_fitted(self, "wv_")
        return getattr(super(), method)(self._documents(X, reset=False)[0])

    def predict(self, X):
        return self._predict("predict", X)

    def predict_proba(self, X):
        return self._predict("predict_proba", X)

    def predict_log_proba(self, X):
        return self._predict("predict_log_proba", X)

    def decision_function(self, X):
        return self._predict("decision_function", X)


def _adapter(estimator):
    """The adapted class of ``estimator``'s class, a module attribute so that it pickles."""
    Estimator = type(estimator)
    name = f"Numeric{Estimator.__name__}"
    module = sys.modules[__name__]
    if not hasattr(module, name):
        if is_classifier(estimator):
            adapter = _NumericClassifierDocuments
        elif hasattr(Estimator, "partial_fit"):
            adapter = _NumericIncremental
        else:
            adapter = _NumericDocuments
        cls = type(name, (adapter, Estimator), {"__module__": __name__})
        setattr(module, name, cls)
    return getattr(module, name)(**estimator.get_params())


SKLEARN_CHECKS = [
    "check_no_attributes_set_in_init",
    "check_parameters_default_constructible",
    "check_get_params_invariance",
    "check_set_params",
    "check_dont_overwrite_parameters",
    "check_fit_idempotent",
    "check_estimators_pickle",
    "check_fit_check_is_fitted",
    "check_transformer_get_feature_names_out",
    "check_estimators_unfitted",
    "check_estimator_repr",
    "check_transformer_general",
    "check_param_validation",
    "check_transformer_n_iter",
    "check_estimators_overwrite_params",
    "check_n_features_in",
]


# the classifier checks that apply to a classifier of documents
CLASSIFIER_CHECKS = [
    "check_classifiers_train",
    "check_classifiers_classes",
    "check_classifiers_one_label",
    "check_classifiers_regression_target",
    "check_classifier_data_not_an_array",
    "check_supervised_y_2d",
    "check_supervised_y_no_nan",
    "check_decision_proba_consistency",
    "check_estimators_partial_fit_n_features",
    "check_non_transformer_estimators_n_iter",
]


@each_estimator
@pytest.mark.parametrize("check", SKLEARN_CHECKS)
def test_sklearn_check_through_numeric_adapter(estimator, check):
    adapted = _adapter(estimator)
    getattr(sk_checks, check)(type(adapted).__name__, adapted)


@pytest.mark.parametrize("estimator", [e for e in ESTIMATORS if is_classifier(e)], ids=_id)
@pytest.mark.parametrize("check", CLASSIFIER_CHECKS)
def test_sklearn_classifier_check_through_numeric_adapter(estimator, check):
    adapted = _adapter(estimator)
    getattr(sk_checks, check)(type(adapted).__name__, adapted)


@each_estimator
def test_numeric_adapter_feeds_the_estimator_documents(estimator):
    # the adapter is what the checks above exercise: it must hand over real documents
    adapted = _adapter(estimator)
    X = np.array([[0.5, -2.5], [1.2, 3.9], [0.1, -2.0], [1.9, 3.0]] * 10)
    y = ["a", "b", "a", "b"] * 10
    adapted.fit(X, y)
    assert {"f0_0", "f0_1", "f1_m3", "f1_3"} <= set(adapted.wv_.key_to_index)
    docs, _ = adapted._documents(X, reset=True)
    direct = clone(estimator).fit(docs, y)
    assert_array_equal(adapted.transform(X), direct.transform(docs))
