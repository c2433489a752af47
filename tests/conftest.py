import numpy as np
import pytest


def planted_topics(n_topics=4, words_per_topic=8, n_docs=400, doc_len=12, seed=0, prefix="t"):
    """Documents each drawn from one topic's words; returns (docs, topic of each word)."""
    rng = np.random.default_rng(seed)
    topic_words = [[f"{prefix}{t}w{i}" for i in range(words_per_topic)] for t in range(n_topics)]
    docs, labels = [], []
    for d in range(n_docs):
        t = d % n_topics
        docs.append(" ".join(rng.choice(topic_words[t], size=doc_len)))
        labels.append(t)
    word_topic = {w: t for t in range(n_topics) for w in topic_words[t]}
    return docs, word_topic, np.array(labels)


def topic_purity(wv, word_topic, k=5):
    """Fraction of each word's k nearest neighbours that share its topic."""
    hits = total = 0
    for word, topic in word_topic.items():
        if word not in wv:
            continue
        for other, _ in wv.most_similar(word, topn=k):
            if other in word_topic:
                hits += word_topic[other] == topic
                total += 1
    return hits / max(total, 1)


@pytest.fixture(scope="session")
def planted():
    return planted_topics()


@pytest.fixture(scope="session")
def kjv():
    from skembed.datasets import load_kjv

    return load_kjv()
