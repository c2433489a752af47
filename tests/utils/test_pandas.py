"""pandas is an extra: the core works without it, the table features name the extra."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest

from skembed import WordVectors
from skembed.datasets import (
    load_google_analogies,
    load_kjv,
    load_rv1909,
    load_simlex999,
    load_wordsim353,
)
from skembed.vectors import cluster_documents, cluster_words


@pytest.fixture
def no_pandas(monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)


@pytest.mark.parametrize(
    "loader, name",
    [
        (load_kjv, "load_kjv"),
        (load_rv1909, "load_rv1909"),
        (load_wordsim353, "load_wordsim353"),
        (load_simlex999, "load_simlex999"),
        (load_google_analogies, "load_google_analogies"),
    ],
)
def test_as_frame_without_pandas_names_the_extra(no_pandas, loader, name):
    with pytest.raises(ImportError, match=rf"{name}\(as_frame=True\).*skembed\[pandas\]"):
        loader(as_frame=True)
    # the plain Bunch needs no pandas
    assert loader().frame is None


def test_clusters_without_pandas_name_the_extra(no_pandas):
    wv = WordVectors(["a", "b", "c"], np.eye(3, dtype=np.float32))
    with pytest.raises(ImportError, match=r"cluster_words.*skembed\[pandas\]"):
        cluster_words(wv, 2)
    with pytest.raises(ImportError, match=r"cluster_documents.*skembed\[pandas\]"):
        cluster_documents(object(), ["a b"], 2)


@pytest.mark.slow
def test_fit_and_transform_in_a_process_without_pandas():
    """A lean installation: import, fit, transform and evaluate with pandas unimportable."""
    code = textwrap.dedent(
        """
        import sys
        sys.modules["pandas"] = None
        from skembed import Word2VecVectorizer
        from skembed.datasets import load_kjv
        from skembed.evaluation import word_similarity_score
        docs = load_kjv().data[:3000]
        vec = Word2VecVectorizer(vector_size=16, epochs=1, random_state=0).fit(docs)
        assert vec.transform(docs[:5]).shape == (5, 16)
        assert -1 <= word_similarity_score(vec, "wordsim353").spearman <= 1
        assert "pandas" not in [m.split(".")[0] for m in sys.modules if sys.modules[m]]
        print("ok")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
