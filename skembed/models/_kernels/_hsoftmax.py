"""The hierarchical-softmax update shared by skip-gram and CBOW kernels."""

import numpy as np

from skembed.models._kernels._clip import add_scaled
from skembed.models._kernels._sigmoid import log_sigmoid_lookup, sigmoid_lookup
from skembed.utils._jit import jit


@jit
def hierarchical_softmax_update(
    h,  # IN     float32[dim]: the input representation (a word row or a context mean)
    syn1_hs,  # IN/OUT float32[n_words - 1, dim]: one output vector per inner node
    target,  # IN     int: the word to predict
    codes,  # IN     uint8[n_steps]: branch taken at each step of every path (CSR)
    points,  # IN     int32[n_steps]: inner node of each step (CSR)
    code_indptr,  # IN     int64[n_words + 1]: word w's path is indptr[w]:indptr[w + 1]
    lr,  # IN     float: learning rate
    sig_table,  # IN     float32[TABLE_SIZE]
    log_sig_table,  # IN     float32[TABLE_SIZE]
    grad_h,  # OUT    float32[dim]: lr-scaled gradient for h is ADDED here
    clip_value=None,  # IN     float or None: bound on each component of an update
    clip_norm=None,  # IN     float or None: bound on the L2 norm of an update
):
    """Apply one update per inner node on the target's Huffman path; return the loss.

    At a node ``n`` reached with branch ``b`` the loss is
    ``-log s((1 - 2b) h.v_n)``, and the step is ``g = (1 - b - s(h.v_n)) * lr``
    (word2vec's convention: branch 1 is the "negative" side).  Beyond the
    table's range the sigmoid saturates, as in the negative-sampling update,
    so a confidently wrong node still gets a step (word2vec C and gensim skip
    such nodes).
    """
    dim = h.shape[0]
    loss = 0.0
    for j in range(code_indptr[target], code_indptr[target + 1]):
        node = points[j]
        f = np.float32(0.0)
        for k in range(dim):
            f += h[k] * syn1_hs[node, k]
        if codes[j] == 0:
            loss -= log_sigmoid_lookup(f, log_sig_table)
            g = (np.float32(1.0) - sigmoid_lookup(f, sig_table)) * np.float32(lr)
        else:
            loss -= log_sigmoid_lookup(-f, log_sig_table)
            g = -sigmoid_lookup(f, sig_table) * np.float32(lr)
        for k in range(dim):
            grad_h[k] += g * syn1_hs[node, k]
        if clip_value is not None or clip_norm is not None:
            add_scaled(syn1_hs, node, g, h, clip_value, clip_norm)
        else:
            for k in range(dim):
                syn1_hs[node, k] += g * h[k]
    return loss
