"""Rewrite a fastText .bin of format version 11/12 in the layout of the versions before 11."""

import struct


def to_old_format(data):
    """Return ``data`` (a version 11/12 file, not quantized) in the layout before version 11.

    That layout has no signature (magic, version), no ``pruneidx_size`` in
    the Dictionary head, and no quant or qout flag before the matrices.
    """
    pos = 8  # magic and version: dim and ws, the first fields of Args, follow
    out = [data[pos : pos + 56]]  # Args: 12 int32 and a float64
    pos += 56
    size, nwords, nlabels, ntokens, pruneidx_size = struct.unpack_from("<iiiqq", data, pos)
    assert pruneidx_size == -1
    out.append(struct.pack("<iiiq", size, nwords, nlabels, ntokens))
    pos += struct.calcsize("<iiiqq")
    start = pos
    for _ in range(size):
        pos = data.index(b"\0", pos) + 1 + 9  # word, NUL, int64 count, int8 type
    out.append(data[start:pos])
    assert data[pos] == 0  # not quantized
    pos += 1
    for flag in (False, True):
        if flag:
            pos += 1  # qout
        m, n = struct.unpack_from("<qq", data, pos)
        out.append(data[pos : pos + 16 + 4 * m * n])
        pos += 16 + 4 * m * n
    assert pos == len(data)
    return b"".join(out)
