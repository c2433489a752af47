"""``fit_profile_``: where a fit spends its time, and its ``verbose=2`` report."""

import sys
import time

import numpy as np
import pytest

from skembed import FastTextVectorizer, GloVeVectorizer, Word2VecVectorizer

DOCS = [f"the cat sat on the mat number {i} while the dog ate" for i in range(60)]
SMALL = dict(vector_size=8, min_count=1, epochs=3, random_state=0)
PHASES = {"read", "vocabulary", "setup", "compile", "epochs", "kernel", "hooks", "finish",
          "other", "total"}  # fmt: skip
TIMES = ("epochs", "kernel", "memory")


def _check_consistent(profile, n_epochs):
    assert set(profile) == PHASES | {"memory"}
    assert len(profile["epochs"]) == len(profile["kernel"]) == n_epochs
    scalars = [v for k, v in profile.items() if k not in TIMES]
    assert all(v >= 0 for v in scalars + profile["epochs"] + profile["kernel"])
    for epoch, kernel in zip(profile["epochs"], profile["kernel"], strict=True):
        assert kernel <= epoch  # the kernels' share of the epoch
    named = sum(v for k, v in profile.items() if k not in (*TIMES, "total"))
    assert named + sum(profile["epochs"]) == pytest.approx(profile["total"], rel=1e-9)


@pytest.mark.parametrize(
    "estimator",
    [
        Word2VecVectorizer(**SMALL),
        FastTextVectorizer(**SMALL, bucket=1000),
        GloVeVectorizer(**SMALL),
    ],  # fmt: skip
    ids=lambda e: type(e).__name__,
)
def test_phases_are_present_and_add_up_to_the_fit_time(estimator):
    begin = time.perf_counter()
    estimator.fit(DOCS)
    wall = time.perf_counter() - begin
    profile = estimator.fit_profile_
    _check_consistent(profile, estimator.n_iter_)
    assert profile["total"] <= wall  # measured inside the call
    # the profile covers the call: what it leaves out is validation around _fit only
    assert profile["total"] >= estimator.train_time_


def test_each_phase_gets_its_own_time():
    # a tokenizer and a callback that sleep: their time must land in "read" and "hooks"
    def slow_tokenizer(text):
        time.sleep(0.002)
        return text.split()

    def slow_callback(estimator, info):
        time.sleep(0.05)

    vec = Word2VecVectorizer(**SMALL, tokenizer=slow_tokenizer, token_pattern=None,
                             callbacks=[slow_callback]).fit(DOCS)  # fmt: skip
    profile = vec.fit_profile_
    assert profile["read"] >= 0.002 * len(DOCS)
    assert profile["hooks"] >= 0.05 * 3
    _check_consistent(profile, 3)


def test_partial_fit_profiles_its_one_epoch():
    vec = Word2VecVectorizer(**SMALL).partial_fit(DOCS)
    first = vec.fit_profile_
    vec.partial_fit(DOCS[:10])
    _check_consistent(vec.fit_profile_, 1)
    assert vec.fit_profile_ is not first


def test_a_failed_fit_keeps_the_previous_profile():
    vec = Word2VecVectorizer(**SMALL).fit(DOCS)
    before = vec.fit_profile_

    def boom(estimator, info):
        raise RuntimeError("stop")

    vec.set_params(callbacks=[boom])
    with pytest.raises(RuntimeError, match="stop"):
        vec.fit(DOCS)
    assert vec.fit_profile_ is before


def test_verbose_2_prints_the_profile(capsys):
    Word2VecVectorizer(**SMALL, verbose=2).fit(DOCS)
    out = capsys.readouterr().out
    assert "fit profile" in out
    for label in ("read", "vocabulary", "setup", "compile", "epoch 1", "epoch 3", "hooks",
                  "finish", "other"):  # fmt: skip
        assert label in out
    assert "resident MB: start" in out or not sys.platform.startswith("linux")
    Word2VecVectorizer(**SMALL, verbose=1).fit(DOCS)
    assert "fit profile" not in capsys.readouterr().out


def test_profile_pickles_as_plain_data():
    import pickle

    vec = Word2VecVectorizer(**SMALL).fit(DOCS)
    again = pickle.loads(pickle.dumps(vec))
    assert again.fit_profile_ == vec.fit_profile_
    assert all(isinstance(v, float) for v in again.fit_profile_["epochs"])
    assert np.isfinite(again.fit_profile_["total"])


def test_memory_records_the_resident_set_of_each_phase():
    held = []

    def hold(estimator, info):  # 64 MiB held from the first epoch on
        if not held:
            held.append(np.ones(64 << 20, dtype=np.uint8))

    vec = Word2VecVectorizer(**SMALL, callbacks=[hold], verbose=2)
    vec.fit(DOCS)
    memory = vec.fit_profile_["memory"]
    assert set(memory) == {"start", "read", "vocabulary", "training", "finish", "peak"}
    if not sys.platform.startswith("linux"):
        assert memory["start"] is None
        return
    assert memory["training"] - memory["vocabulary"] > 60  # MB: the held array
    assert memory["finish"] - memory["vocabulary"] > 60
    assert memory["peak"] >= memory["training"] - 1
    assert all(v > 0 for v in memory.values())
