"""Train and transform on a Dask cluster.

:func:`fit` trains a word2vec, fastText, Doc2Vec or GloVe model on documents
spread over the workers of a Dask cluster (data-parallel shards, one replica
of the model on each worker, synchronous sparse averaging several times per
epoch; GloVe: co-occurrence counts summed over the shards) and returns an
ordinary fitted estimator; :func:`transform` turns a Dask bag or dataframe
column of documents into features, partition by partition, with the model
sent to each worker once.

Both need the optional packages ``dask`` and ``distributed``
(``pip install 'skembed[dask]'``); without them this module still imports, and
the functions raise an ImportError naming the extra.
"""

from skembed.distributed._fit import fit
from skembed.distributed._transform import transform

__all__ = ["fit", "transform"]
