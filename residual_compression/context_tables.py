"""Fitted initial counts of the format-2 context model, per model family.

Each table is stored below as zlib-compressed big-endian uint16 pairs
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
import zlib

import numpy as np

from residual_compression.errors import ResidualCompressionError

__all__ = ["TABLES", "fit", "load", "pack"]

# id -> (name, model ids fitted for, sha256 of the raw counts, data chunks)
TABLES = {}

TABLES[1] = (
    "conv_lstm v1: 400 training-split photo thumbnails, strength 64",
    (13, 14),
    "e4b8187fdf40c2a10f43dd35ee67cb165c191354dfa18b9ddd43294501c773ea",
    (
        "eNrtXWtb2zgT1Yf9sM8upRRC4lt8zcWBBAK00Ha3Lf//V71vRrkceexYLDLLJjPPkzzpII8tWXN0dCS7SokdkfWY"
        "55R5EuY5t4gcM0/GPB7zTDqr6XVnkUvmWVqc/cYi8hPzLJjnK/N8lm4tJnZwdsoQ+A/wXDA8j+j7Twvc/sBwm8c5"
        "Y0gegGfktKaX8HvsNHIEv3NWizkbua7oe7oXgbn/kY2b12x0+wLxtd1LFz8qG1b6o1L9/39CxqIyxplii8jmUTnL"
        "0ZAxu5HzPMbI404i55XsVGq2zWzM4TljY218cMXh7lgtzDj3jOvZRBY7PPu4zt6dnW3H5I0N1pm57yhuATuKx0mZ"
        "J+4sl8POcnlVg4Jl95zNRc18LyqjaJ2txt1bdtSUlTHzfQy5PACs9qgVzqHN+4S3GbR5Tn/tQ5lBhdeomsgBxRkA"
        "eg+pzh5c7crj0xFjuM7C6V0oG9H1tdxrDK1dUF/KYRadG21eUnvO4f4uGvreqswDzH5v6D4sIE5Kx32GMrfkX0Lk"
        "hcDYUVgKrP8T/f6gdlrUCc1+gnVmbrIyVb+D56QBt38HzP+NUDiAc2WUy7/B7OpPyooAEKCn6nSy17Cjzdl9p7mc"
        "ALLpseYj8NJTyskEsjshZnYK+ZsybN+1wBS43A1hWwLoNKL7kAN+zqlMDtdTwnmDxjbZ3ZeMYeDQgtNy/pwzj8nV"
        "p52Ny9N1m3YTecIYtVnTkiHzjUV/42WuVVVP5Zg/txjxxQ7PLpiC1V9zaNPTYxz7tCXygB3lq+rqhM/OHjAkcYnb"
        "w04ihzCK7RAyYeNjxMqELZHnjIVmDJHGLLsnkN0xRBjRNaBH4xvGLOkcPmDRpOE6PSgzo7uWA+aP6a/ncCUlxUI9"
        "ZGahuthbBueaq7oVpH9q2MIz+p2D54ba8wo8V/S5BkRdqvq1qdXc6BF+z41zXdG5kYfPqQ3nMMrfijZyNNYDRB1Q"
        "xgVqt4YwoJy8BIz1CPE8wPN+A7peAsfuE0p4gGk+xRlA5A90TASe0Cm6DiqR3bE7ZKHptqYRtMN03baI5GPwFGsU"
        "qIucAmLMCZFC+GtEHh8iLyhaBtczqlEwdkg+ZCMa1589i3EwYzxzytjplJUpO+nVZWfsfcxYLmfUM8Z7byyY8B3T"
        "vjh/njPMXyi7HQpih2WXa02kjXUPGNq37Qmq59gDxqjPGZJ0w7H56psrC1i9YsZLucIwtKgpnxdEtVydY28KbZ4D"
        "x86ofAEIk1BZZNS5MV40zQU+QpwJXdWwwqhzAz81dhXg4TOI11hRYaczZ5FTZerYU7q/U0DOgs4+NrhxAUx42VDT"
        "JWD1kj4juPIZnWUBxy7pahaVs4uOfRz2EbD6nND1FPjzOSE1YmyPPH/AURcMqXbHYmSfxoU+eDw6Vw9QxV9/79id"
        "O9yucv7U6TzlEkaokP4VALoO6V+eofmEoAaUDXiYQp4GVA5nNHoOgujtbRWPIYwIBdS636LkZEzJuVD1a47V6+Tj"
        "RdFShrNul+Ny1klk3j4Fq+mk1pNYaF9lC5+fqzqteyYwdnTWZ1nZZ7yX4+eFBcceMpSIaplnwNhpN0w4Vl3p2AFT"
        "D/hMIVFVzTazGJUyVadjhy1IMgYe24Pyem23D4xarz+i6p7T50yZK6pNOrYHmJzQETHEiY15jcauDNCpVC6fscD9"
        "G25HBK+ifQ2NWcyUMiiDumgkx3tXNPCEXO1UaM3SUWXS850UjtVqyQhqNxXcPhpDhhwQuuK+Pq1phJBxmtFFgMPx"
        "Hn6IurFnKKIx/Y7g7H1i14g8I6dMGNm77xS3MbLGQx/a54JqmrN8LyGXE1Wv6OK61ZRyNWXYG8FoW9CVIJJkytxJ"
        "ErB5R69lRDu34NgeG2G5/hNCK+G40NXo2Z32FbfoUQVj+DYqH9/lyOPwHexT1eUzhWLv1QJV9yQF54cJy8G2vOD6"
        "Z1rbD7NGfujW0s56ON95zvOLr9AlFqNSzmbHI5bdM1avEngX7qyOmG4T0icCLErprCcVzSppwOpPBguNlLnuGdCx"
        "IYwgQ0MTHjlVMAKIljvtRRG0oe75YWV+ERvPH43JW11BqLvX2AJ69jRkvAV3y+tRGHvFpLN8EXtvFleYcGjoGCnl"
        "agq5rFejQsjBuAEDkUH1CT0SOJdWGgvAhBHFnFT4odtd0xFcm7vVrhwiJ9t64Y4O31Ck9arfTUUZqNtLgGtnN2qz"
        "1zoxzlVCvkd0L3BdbwJt2GMK1cn6Y6phAePYbfyQr0p7tXz+kqFr0kmvvuyUY4eNM6ydJ3wx549U3fpyzGYuIevV"
        "mcDY0VnI+kah6hRX/mxF2/ODI4bnGeMDfG9bprra91WornaupqpuVeiqpcyVxai0ar8Fq4UZme/1najdLoVBRdcK"
        "CVUCQ7PyKzw8oXVhvxFvd5oP6j96jTU3UAh3aeqROq4wYXej5wCixU5VF79Sr8RY89XP4KOKrp9viiuKWdzAJQqI"
        "kxtP2WsPrmZqVW3EWLfYMRgqrlqNzJT53HFsKCQ6H3EvcZMaWVZmdjNjzVFnbq52a5fn27ke6r3u5no4KgWqq/3Y"
        "ej47hDztUcsmlXplhLGbN7usMPu2JjJqHXeEyWmFURdrnWHHdXNDM0E8vGQce7Un6ANjpz4r0/YuAv5+Eq6Zn6nq"
        "DtKBcvnsTPVeF51EvmDt01fV9zn4qm6N3maeEjGOnTIPX3EWrD4+Sxl/nqi6d/uMmaeNH2aMDeaMUV8xfjhSXa19"
        "c77qkr2bKMGfbhizeiUW85ScteGEzUFWeP9geKZQU1+ZO6sD471Mgdq86yM35uOngCFnqn59GVUUje34FKRex8yV"
        "+YxPYmhEsXK5vhxAn7RpW3uLKvXKDO3lgtoH92PrXSJepQ2zhvFlAmUCo310HFTeii3HLl8wUxM7DOspc7fGYL1T"
        "evdX39jBpTMUdbl9a1KbfvhpO1+OjHn66vsEysSGthk7ny+HBhd1iRKIfkPjSdKzreaAZVJD2bhW9e8VQRU6I54d"
        "VfSNjOpyCrmfGeubTasMYodrz448bxnZVU2lDcXExP6LWP38Cs9bRnZVU2lDsUPM52cHnvrI9xZxvr04squadtuG"
        "S4sy3/+1uyMmufyyXH5P/fCtc/l9tCH//U88P2uubQllvlvEWb2j7qnx2tzeha4jr7SsB/D8qinz0+J63Nwdwe3j"
        "w2r9ewieRUPfCMHztaG3eOAvGuJ8Ak/ScT98y8ieRb1i8Dw0XE9skacleL7tbUMZl4XbiAnHllw+VI79ZDHGTStl"
        "vtbEeXhDfviWke8ctaFwbLHX9ENXvYXPqflRP8BzRxzxMHL5R0dt+Lq7I+OycBsx4diSy4fKsaueLzXXNlc7fXtV"
        "Zvkv88O3jGzDSaqeR0fj8nfh2ILVHXPsuvWm2yPJ5R8WZe6FY8u4LBxbTPqh5HLH4/Ij/P7riDn29bvQvsSEY7vp"
        "h78s4jwcaC63eX4o0bFlXBaOLSb9UHL57Tj2L1Wvrx4Lx34Wji12IBz7XrVruX8faC5/UbJXRMZl4dhi0g8ll98H"
        "x9489/e0J87PA+XYd2vP5z11XwjHFnsHHPvxBf3w2544mz0S1weWy09rz80bcuxSOLZwbDHh2JLLwrEtxpR9+s/y"
        "wDn21Z66b/6vitXzob9aIn9W9c+RPavdfvivwrEFqxuy6ZujXF7uibN5A/bqTf9/H1Aub+Ygd3vq/pcjjp3tb+f/"
        "Aeb/IFA="
    ),
)


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
        raw = zlib.decompress(base64.b64decode("".join(data)))
        if hashlib.sha256(raw).hexdigest() != sha256:
            raise ResidualCompressionError(
                f"context table {ident} ({name}) fails its sha256 check; reinstall the package"
            )
        counts = np.frombuffer(raw, ">u2").reshape(2, -1).astype(np.int64)
        models.append(entropy.ContextModel(ident, counts[0], counts[1], name, model_ids))
    return models
