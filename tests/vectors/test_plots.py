"""Every plotting function draws labelled axes and writes a PNG of the expected size."""

import struct

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")  # no display
import matplotlib.pyplot as plt  # noqa: E402

from skembed import Word2VecVectorizer  # noqa: E402
from skembed.vectors import (  # noqa: E402
    cluster_words,
    plot_learning_curve,
    plot_map,
    plot_training_curves,
)

SMALL = dict(vector_size=10, min_count=1, epochs=3, sample=0, random_state=0)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def png_size(path):
    """(width, height) from a PNG's IHDR chunk; checks the signature first."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 1000  # something was drawn
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("method, label", [("pca", "PC"), ("tsne", "t-SNE")])
def test_plot_map_of_words_with_clusters(planted, tmp_path, method, label):
    docs, word_topic, _ = planted
    vec = Word2VecVectorizer(**SMALL).fit(docs)
    words = sorted(word_topic)
    clusters = cluster_words(vec.wv_, 4, words=words, random_state=0)
    path = tmp_path / f"map_{method}.png"
    ax = plot_map(vec.wv_, words=words, method=method, clusters=clusters, path=path)
    assert png_size(path) == (600, 400)
    assert (ax.get_xlabel(), ax.get_ylabel()) == (f"{label} 1", f"{label} 2")
    assert [t.get_text() for t in ax.texts] == words
    colours = ax.collections[0].get_array()
    assert len(np.unique(colours)) == 4


def test_plot_map_of_an_array_on_given_axes(tmp_path):
    fig, ax = plt.subplots(figsize=(3, 2))
    points = np.random.default_rng(0).normal(size=(20, 6))
    out = plot_map(points, ax=ax, path=tmp_path / "map.png")
    assert out is ax
    assert png_size(tmp_path / "map.png") == (300, 200)
    assert len(ax.texts) == 0 and len(ax.collections[0].get_offsets()) == 20
    with pytest.raises(ValueError, match="method must be one of"):
        plot_map(points, method="mds")
    with pytest.raises(ValueError, match="words has 2 labels for 20 vectors"):
        plot_map(points, words=["a", "b"])


def test_plot_training_curves_with_validation(planted, tmp_path):
    docs, _, _ = planted
    vec = Word2VecVectorizer(**{**SMALL, "epochs": 4}, early_stopping=True,
                             n_iter_no_change=10).fit(docs)  # fmt: skip
    path = tmp_path / "curves.png"
    ax = plot_training_curves(vec, path=path)
    assert png_size(path) == (600, 400)
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("epoch", "training loss")
    np.testing.assert_allclose(ax.lines[0].get_ydata(), vec.loss_curve_)
    twin = [other for other in ax.figure.axes if other is not ax][0]
    assert twin.get_ylabel() == "validation score"
    np.testing.assert_allclose(twin.lines[0].get_ydata(), vec.validation_scores_)
    with pytest.raises(ValueError, match="no loss_curve_"):
        plot_training_curves(object())


@pytest.mark.parametrize("param_name", [None, "epochs"])
def test_plot_learning_curve(planted, tmp_path, param_name):
    docs, _, _ = planted
    path = tmp_path / "learning.png"
    ax = plot_learning_curve(
        Word2VecVectorizer(**{**SMALL, "epochs": 1}), docs[:120], param_name=param_name,
        param_range=[1, 3] if param_name else None, train_sizes=[0.5, 1.0], cv=2, path=path,
    )  # fmt: skip
    assert png_size(path) == (600, 400)
    assert ax.get_xlabel() == (param_name or "training documents")
    assert ax.get_ylabel() == "score"
    held_out = ax.lines[1].get_ydata()
    assert len(held_out) == 2 and np.all(np.isfinite(held_out)) and np.all(held_out < 0)
