"""skembed.distributed.transform: Dask bags and dataframe columns, partition by partition."""

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")
db = pytest.importorskip("dask.bag")

from sklearn.exceptions import NotFittedError  # noqa: E402

from skembed import Word2VecVectorizer  # noqa: E402
from skembed.distributed import transform  # noqa: E402
from tests.conftest import planted_topics  # noqa: E402
from tests.distributed import _workers  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def docs():
    # some documents with no known word: their rows are zeros, as in transform
    return planted_topics(n_docs=120)[0] + ["zzz unknown", ""]


@pytest.fixture(scope="module")
def fitted(docs):
    vec = _workers.CountingVectorizer(vector_size=8, min_count=1, random_state=0)
    return vec.fit(docs[:-2])


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        processes=True, n_workers=2, threads_per_worker=1, host="127.0.0.1",
        dashboard_address=None,
    )  # fmt: skip
    with cluster, distributed.Client(cluster) as client:
        yield client


def test_a_bag_on_the_cluster_equals_the_in_process_transform(client, docs, fitted):
    before = client.run(_workers.unpickled)
    features = transform(fitted, db.from_sequence(docs, npartitions=8))
    assert features.dtype == np.float32 and features.shape[1] == 8
    result = features.compute()
    np.testing.assert_array_equal(result, fitted.transform(docs))
    assert result[-2:].sum() == 0 and np.abs(result[:-2]).sum(axis=1).min() > 0
    # the model went to each worker once, not once per partition
    after = client.run(_workers.unpickled)
    assert {address: after[address] - before[address] for address in after} == {
        address: 1 for address in after
    }


def test_a_dataframe_column_keeps_its_index_and_the_feature_names(client, docs, fitted):
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    series = pd.Series(docs, index=np.arange(len(docs)) * 10 + 7, name="text")
    frame = transform(fitted, dd.from_pandas(series, npartitions=5)).compute()
    assert list(frame.columns) == list(fitted.get_feature_names_out())
    np.testing.assert_array_equal(frame.index, series.index)
    np.testing.assert_array_equal(frame.to_numpy(), fitted.transform(docs))
    assert (frame.dtypes == np.float32).all()


def test_without_a_cluster_the_local_scheduler_gives_the_same_features(docs, fitted):
    import dask

    with dask.config.set(scheduler="threads"):
        features = transform(fitted, db.from_sequence(docs, npartitions=3)).compute()
    np.testing.assert_array_equal(features, fitted.transform(docs))


def test_bad_input_is_named(docs, fitted):
    with pytest.raises(TypeError, match="dask.bag.Bag or a dask.dataframe.Series"):
        transform(fitted, docs)
    with pytest.raises(NotFittedError):
        transform(Word2VecVectorizer(), db.from_sequence(docs, npartitions=2))
