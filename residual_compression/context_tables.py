"""Fitted initial counts of the format-2 context model, per model family.

Each table is stored in ``context_tables.json`` as zlib-compressed big-endian uint16 pairs
``(ones, totals)`` for the :data:`~residual_compression.entropy.NUM_CONTEXTS`
contexts, base64-encoded, with the sha256 of the uncompressed bytes: a table
that fails its check is refused, as the zoo refuses a weights file. The id
of a table is written in every stream coded with it, so a table is never
changed in place: a new fit gets a new id (1..15) and the old one stays for
the streams that name it.

:func:`fit` makes a table from codes: the counts of each context over the
codes, scaled so no context starts with more than ``strength`` observations
(the adaptation then takes over quickly on large images).
"""

import base64
import hashlib
import json
import pathlib
import zlib

import numpy as np

from residual_compression.errors import ResidualCompressionError

__all__ = ["TABLES", "fit", "load", "pack"]

_DATA = pathlib.Path(__file__).with_name("context_tables.json")


def _read_tables():
    """``{id: (name, model ids fitted for, sha256 of the raw counts, data)}``
    from ``context_tables.json`` (installed with the package)."""
    entries = json.loads(_DATA.read_text(encoding="ascii"))
    return {
        int(ident): (e["name"], tuple(e["model_ids"]), e["sha256"], "".join(e["data"]))
        for ident, e in entries.items()
    }


TABLES = _read_tables()


def fit(codes, strength=64):
    """Initial ``(ones, totals)`` from codes ``(N, T, h, w, c)`` of +-1."""
    from residual_compression import entropy

    ones = np.zeros(entropy.NUM_CONTEXTS, np.int64)
    totals = np.zeros(entropy.NUM_CONTEXTS, np.int64)
    for bits in np.asarray(codes, np.int8):
        index = entropy._all_contexts(bits).reshape(-1)
        ones += np.bincount(index, weights=bits.reshape(-1) > 0, minlength=ones.size).astype(np.int64)
        totals += np.bincount(index, minlength=totals.size)
    scale = np.minimum(1.0, strength / np.maximum(totals, 1))
    return np.rint(ones * scale).astype(np.int64), np.rint(totals * scale).astype(np.int64)


def pack(ones, totals):
    """``(sha256, data)`` for a table entry of :data:`TABLES`."""
    raw = np.stack([ones, totals]).astype(">u2").tobytes()
    return hashlib.sha256(raw).hexdigest(), base64.b64encode(zlib.compress(raw, 9)).decode("ascii")


def load():
    """The :class:`~residual_compression.entropy.ContextModel` of every table, checked."""
    from residual_compression import entropy

    models = []
    for ident, (name, model_ids, sha256, data) in TABLES.items():
        raw = zlib.decompress(base64.b64decode(data))
        if hashlib.sha256(raw).hexdigest() != sha256:
            raise ResidualCompressionError(
                f"context table {ident} ({name}) fails its sha256 check; reinstall the package"
            )
        counts = np.frombuffer(raw, ">u2").reshape(2, -1).astype(np.int64)
        models.append(entropy.ContextModel(ident, counts[0], counts[1], name, model_ids))
    return models
