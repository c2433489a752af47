"""Pictures of vectors and training: 2-D maps, loss curves, learning curves (matplotlib).

Each function draws on ``ax`` (a new 6 x 4 inch figure when None), saves a PNG
at 100 dpi when given ``path`` and returns the Axes.  Needs ``pip install
skembed[plot]``.
"""

import numpy as np

__all__ = ["plot_learning_curve", "plot_map", "plot_training_curves"]

MAP_METHODS = ("pca", "tsne", "umap")
MAP_LABELS = {"pca": "PC", "tsne": "t-SNE", "umap": "UMAP"}
# words drawn when plot_map is given WordVectors and no words: the most frequent
DEFAULT_MAP_WORDS = 100


def _axes(ax):
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError("Plotting needs matplotlib: pip install skembed[plot]") from None
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    return ax


def _save(ax, path):
    if path is not None:
        ax.figure.tight_layout()
        ax.figure.savefig(path, dpi=100, format="png")
    return ax


def _project(points, method, random_state):
    if method not in MAP_METHODS:
        raise ValueError(f"method must be one of {MAP_METHODS}, got {method!r}.")
    if len(points) < 3:
        raise ValueError(f"plot_map needs at least 3 points, got {len(points)}.")
    if method == "pca":
        from sklearn.decomposition import PCA

        return PCA(n_components=2, random_state=random_state).fit_transform(points)
    if method == "tsne":
        from sklearn.manifold import TSNE

        perplexity = min(30.0, (len(points) - 1) / 3)
        return TSNE(
            n_components=2, perplexity=perplexity, init="pca", random_state=random_state
        ).fit_transform(points)
    try:
        import umap
    except ImportError:
        raise ImportError("method='umap' needs umap-learn: pip install umap-learn") from None
    return umap.UMAP(n_components=2, random_state=random_state).fit_transform(points)


def plot_map(vectors, words=None, method="pca", clusters=None, ax=None, path=None,
             random_state=0):  # fmt: skip
    """Draw a 2-D map of words or documents, labelled and optionally coloured by cluster.

    Parameters
    ----------
    vectors : WordVectors or array-like of shape (n_points, vector_size)
        Word vectors (then ``words`` chooses the rows; the 100 first, most
        frequent, words when None), or vectors of documents or words.
    words : list of str, default=None
        With WordVectors, the words to draw; with an array, one label per row
        (no labels when None).
    method : {"pca", "tsne", "umap"}, default="pca"
        Projection of the unit vectors to 2-D: scikit-learn's PCA or TSNE, or
        umap-learn's UMAP when installed.
    clusters : array-like of int or ClusterResult, default=None
        Cluster of each point, or the result of :func:`cluster_words` (its
        ``table`` gives each word's cluster); points are coloured by it.
    ax : matplotlib Axes, default=None
    path : str or path-like, default=None
        Save the figure there as PNG.
    random_state : int, default=0
        Seed of t-SNE and UMAP.

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import numpy as np
    >>> from skembed.vectors import plot_map
    >>> points = np.random.default_rng(0).normal(size=(10, 5))
    >>> ax = plot_map(points, words=[f"w{i}" for i in range(10)])
    >>> ax.get_xlabel(), ax.get_ylabel()
    ('PC 1', 'PC 2')
    """
    from skembed.vectors._index import _unit_rows

    if hasattr(vectors, "index_to_key"):
        words = list(vectors.index_to_key[:DEFAULT_MAP_WORDS]) if words is None else list(words)
        points = np.stack([vectors.get_vector(w) for w in words]) if words else np.zeros((0, 1))
    else:
        points = np.asarray(vectors, dtype=np.float32)
        if words is not None:
            words = list(words)
            if len(words) != len(points):
                raise ValueError(f"words has {len(words)} labels for {len(points)} vectors.")
    if hasattr(clusters, "table"):
        column = "word" if "word" in clusters.table else "document"
        lookup = dict(zip(clusters.table[column], clusters.table["cluster"], strict=True))
        keys = words if column == "word" else range(len(points))
        clusters = [lookup.get(key, -1) for key in keys]
    if clusters is not None:
        clusters = np.asarray(clusters)
        if len(clusters) != len(points):
            raise ValueError(f"clusters has {len(clusters)} entries for {len(points)} points.")
    xy = _project(_unit_rows(points), method, random_state)
    ax = _axes(ax)
    ax.scatter(xy[:, 0], xy[:, 1], c=clusters, cmap="tab10" if clusters is not None else None,
               s=12)  # fmt: skip
    if words is not None:
        for (x, y), word in zip(xy, words, strict=True):
            ax.annotate(str(word), (x, y), fontsize=7, alpha=0.8)
    ax.set_xlabel(f"{MAP_LABELS[method]} 1")
    ax.set_ylabel(f"{MAP_LABELS[method]} 2")
    return _save(ax, path)


def plot_training_curves(estimator, ax=None, path=None):
    """Draw the training loss per epoch and, with early stopping, the validation score.

    Parameters
    ----------
    estimator : fitted skembed estimator or Pipeline ending in one
        Its ``loss_curve_`` (left axis) and ``validation_scores_`` (right
        axis, when not None) are drawn against the epoch.
    ax : matplotlib Axes, default=None
    path : str or path-like, default=None

    Returns
    -------
    ax : matplotlib Axes
        The loss axes; the validation axes is its twin.

    Examples
    --------
    >>> from skembed import Word2VecVectorizer
    >>> from skembed.vectors import plot_training_curves
    >>> docs = ["the cat sat on the mat", "the dog sat on the log"] * 30
    >>> vec = Word2VecVectorizer(vector_size=8, min_count=1, epochs=3, random_state=0).fit(docs)
    >>> ax = plot_training_curves(vec)
    >>> ax.get_xlabel(), len(ax.lines[0].get_xdata())
    ('epoch', 3)
    """
    from skembed.vectors._search import _last_step

    step = _last_step(estimator)
    losses = getattr(step, "loss_curve_", None)
    if losses is None:
        raise ValueError(
            f"{type(step).__name__} has no loss_curve_; plot_training_curves needs a fitted "
            "skembed estimator."
        )
    ax = _axes(ax)
    epochs = np.arange(1, len(losses) + 1)
    ax.plot(epochs, losses, marker="o", color="tab:blue", label="training loss")
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss")
    ax.xaxis.get_major_locator().set_params(integer=True)
    scores = getattr(step, "validation_scores_", None)
    if scores:
        twin = ax.twinx()
        # validation scores belong to the last fit's epochs, the end of loss_curve_
        twin.plot(epochs[-len(scores):], scores, marker="s", color="tab:orange",
                  label="validation score")  # fmt: skip
        twin.set_ylabel("validation score")
        handles = ax.get_legend_handles_labels()[0] + twin.get_legend_handles_labels()[0]
        ax.legend(handles=handles, loc="best")
    return _save(ax, path)


def plot_learning_curve(estimator, X, param_name=None, param_range=None,
                        train_sizes=(0.25, 0.5, 0.75, 1.0), scoring=None, cv=3, n_jobs=None,
                        ax=None, path=None):  # fmt: skip
    """Draw quality against corpus size (``learning_curve``) or a parameter (``validation_curve``).

    Parameters
    ----------
    estimator : skembed estimator or Pipeline
        Cloned and fitted for each fold by scikit-learn.
    X : list of str
        Documents.
    param_name : str, default=None
        Draw a validation curve of this parameter (e.g. ``"epochs"``) over
        ``param_range``; when None, a learning curve over ``train_sizes``.
    param_range : sequence, default=None
    train_sizes : sequence of float or int, default=(0.25, 0.5, 0.75, 1.0)
    scoring : str, callable or None, default=None
        None uses the estimator's held-out ``score``; a skembed scorer
        (:func:`skembed.evaluation.make_similarity_scorer`, ...) also works.
    cv : int or cross-validation generator, default=3
    n_jobs : int, default=None
        Processes of scikit-learn's cross-validation.
    ax : matplotlib Axes, default=None
    path : str or path-like, default=None

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> from skembed import Word2VecVectorizer
    >>> from skembed.vectors import plot_learning_curve
    >>> docs = ["the cat sat on the mat", "the dog sat on the log"] * 30
    >>> vec = Word2VecVectorizer(vector_size=8, min_count=1, epochs=1, random_state=0)
    >>> ax = plot_learning_curve(vec, docs, param_name="epochs", param_range=[1, 2], cv=2)
    >>> ax.get_xlabel(), ax.get_ylabel()
    ('epochs', 'score')
    """
    from sklearn.model_selection import learning_curve, validation_curve

    if param_name is None:
        sizes, train, test = learning_curve(
            estimator, X, None, train_sizes=train_sizes, scoring=scoring, cv=cv, n_jobs=n_jobs
        )
        xlabel = "training documents"
    else:
        if param_range is None:
            raise ValueError("param_range is needed with param_name.")
        sizes = np.asarray(param_range)
        train, test = validation_curve(
            estimator, X, None, param_name=param_name, param_range=param_range,
            scoring=scoring, cv=cv, n_jobs=n_jobs,
        )  # fmt: skip
        xlabel = param_name
    ax = _axes(ax)
    for scores, label in ((train, "training documents"), (test, "held-out documents")):
        mean, std = scores.mean(axis=1), scores.std(axis=1)
        ax.plot(sizes, mean, marker="o", label=label)
        ax.fill_between(sizes, mean - std, mean + std, alpha=0.2)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("score")
    ax.legend(loc="best")
    return _save(ax, path)
