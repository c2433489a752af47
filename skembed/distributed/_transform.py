"""Transform a Dask collection of documents partition by partition."""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from skembed.distributed._deps import require_distributed

__all__ = ["transform"]


def _transform_partition(documents, estimator):
    return np.asarray(estimator.transform(list(documents)), dtype=np.float32)


def _transform_series(series, estimator, columns):
    import pandas as pd

    features = _transform_partition(series, estimator)
    return pd.DataFrame(features, index=series.index, columns=columns)


def _ship(estimator, client):
    """Send the model to every worker once: a scattered future, else one graph key."""
    import dask
    from dask.base import get_scheduler

    if client is None:
        # the client that will compute the graph, if any: dask.config's scheduler decides
        owner = getattr(get_scheduler(), "__self__", None)
        if not isinstance(owner, require_distributed().Client):
            return dask.delayed(estimator, pure=True)  # one key, read by every partition
        client = owner
    return client.scatter(estimator, broadcast=True, hash=False)


def transform(estimator, documents, client=None):
    """Turn a Dask bag or dataframe column of documents into features, lazily.

    Each partition is transformed where it lives, by ``estimator.transform``
    on the partition's documents; the fitted model travels to each worker
    once (scattered with ``client``, or the client that Dask would compute
    with), not once per partition.  Without a distributed client the model is
    one key of the graph, read by every partition (Dask's local schedulers).
    With ``client`` given, compute the result on that client.

    Parameters
    ----------
    estimator : fitted transformer
        A fitted skembed vectorizer, or any fitted object whose ``transform``
        takes a list of documents (a Pipeline).
    documents : dask.bag.Bag or dask.dataframe.Series
        Documents (or file names, following the estimator's ``input``).
    client : distributed.Client, default=None
        Where to scatter the model; default: the current client if any.

    Returns
    -------
    features : dask.array.Array or dask.dataframe.DataFrame
        For a bag, a float32 array of shape ``(n_documents, n_features)``
        whose row chunks (one per partition) have unknown sizes until
        computed; for a Series, a DataFrame with the Series' index and the
        estimator's ``get_feature_names_out`` as columns.  Computing it equals
        ``estimator.transform(documents.compute())``.

    Raises
    ------
    TypeError
        When ``documents`` is neither a Dask bag nor a Dask Series.
    ImportError
        When Dask is not installed (``pip install 'skembed[dask]'``).

    Examples
    --------
    >>> import dask.bag as db
    >>> from skembed import Word2VecVectorizer
    >>> from skembed.distributed import transform
    >>> docs = ["the cat sat on the mat", "the dog sat on the log"] * 20
    >>> vec = Word2VecVectorizer(vector_size=8, min_count=1, random_state=0).fit(docs)
    >>> transform(vec, db.from_sequence(docs, npartitions=4)).compute().shape
    (40, 8)
    """
    require_distributed()
    import dask.array as da
    import dask.bag as db

    check_is_fitted(estimator)
    if isinstance(documents, db.Bag):
        width = _transform_partition([""], estimator).shape[1]
        model = _ship(estimator, client)
        parts = documents.map_partitions(_transform_partition, model).to_delayed()
        return da.concatenate(
            [da.from_delayed(p, shape=(np.nan, width), dtype=np.float32) for p in parts]
        )
    if _is_dask_series(documents):
        import pandas as pd

        columns = [str(c) for c in estimator.get_feature_names_out()]
        meta = pd.DataFrame(
            {c: pd.Series(dtype=np.float32) for c in columns},
            index=documents._meta.index,
        )
        model = _ship(estimator, client)
        return documents.map_partitions(_transform_series, model, columns, meta=meta)
    raise TypeError(
        f"documents must be a dask.bag.Bag or a dask.dataframe.Series of documents, got "
        f"{type(documents).__name__}; for a DataFrame, pass one column (frame['text'])."
    )


def _is_dask_series(documents):
    try:
        import dask.dataframe as dd
    except ImportError:  # dask without its dataframe extra cannot hold a Series anyway
        return False
    return isinstance(documents, dd.Series)
