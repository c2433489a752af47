"""Where strings end: encoding documents to int32 ids, vocabularies and derived tables.

Encoding (:mod:`._encoding`), sampling tables (noise distribution, subsampling),
the Huffman tree of hierarchical softmax and co-occurrence counting for GloVe.
Everything downstream of this package works on integer arrays.  No public names yet.
"""

__all__ = []
