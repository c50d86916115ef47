"""Classical baseline codecs and the target-size search of paper sec. 4.3.

Table 1 of Toderici et al. (2016) compares the neural codecs with header-less
JPEG, JPEG 2000 and WebP at fixed byte targets. "Since these standard codecs
can not be tuned to an exact byte budget [...] we search for the encoder
quality setting that leads to a file whose size is as close as possible, but
never less than, the target size" (sec. 4.3). ``encode_at_target`` implements
that search over a codec's ``settings``; sizes are header-less as defined in
``residual_compression.evaluation.containers``.

Codecs (all through Pillow's encoders; Pillow is imported lazily):

* ``jpeg``: libjpeg(-turbo) baseline JPEG, 4:2:0 chroma subsampling, standard
  Huffman tables, quality 1..100.
* ``jpeg_optimized``: as ``jpeg`` with ``optimize=True`` (per-image optimal
  Huffman tables), quality 1..100.
* ``jpeg2000``: OpenJPEG, raw J2K codestream, irreversible 9/7 wavelet with
  the colour transform, one quality layer, ``quality_mode="dB"`` with target
  PSNRs from 10 dB to 60 dB in 0.25 dB steps. ``quality_mode="rates"`` is not
  used: its rate budget includes the ~150-byte main header, which starves
  32x32 images. The number of resolution levels is chosen from the image size
  (see ``Jpeg2000Codec``).
* ``webp``: libwebp lossy, quality 0..100, ``method=6`` (slowest, best).
* ``avif``: libavif, quality 0..100, 4:2:0, ``speed`` 6, one thread (so that
  the output is deterministic); available only when Pillow has AVIF support
  (``PIL.features.check("avif")``).

All settings lists are in ascending order of file size as far as the encoder
allows (sizes are monotone "mostly"; the search tolerates local violations).
"""

from __future__ import annotations

import abc
import io
import math
import numbers

import numpy as np

from residual_compression import validation
from residual_compression.errors import BitstreamError
from residual_compression.errors import ImageInputError
from residual_compression.errors import InvalidTypeError
from residual_compression.errors import InvalidValueError
from residual_compression.evaluation import containers

__all__ = [
    "BaselineCodec",
    "JpegCodec",
    "Jpeg2000Codec",
    "WebpCodec",
    "AvifCodec",
    "BASELINE_NAMES",
    "available_baselines",
    "get_baseline",
    "TargetSearch",
    "encode_at_target",
]


def _check_image(image, name="image"):
    if not isinstance(image, np.ndarray):
        raise InvalidTypeError(f"{name} must be a numpy uint8 array (H, W, 3), got {type(image).__name__}")
    if image.dtype != np.uint8:
        raise ImageInputError(f"{name} must have dtype uint8, got dtype {image.dtype}")
    if image.ndim != 3 or image.shape[2] != 3 or image.shape[0] < 1 or image.shape[1] < 1:
        raise ImageInputError(f"{name} must have shape (H, W, 3), got shape {image.shape}")
    return np.ascontiguousarray(image)


class BaselineCodec(abc.ABC):
    """A classical codec searched over quality settings (paper sec. 4.3).

    Subclasses set ``name`` (registry key), ``label`` (row name of Table 1),
    ``format`` (Pillow format name) and ``settings`` (quality settings in
    ascending order of file size), optionally ``search_window``, and
    implement ``_save_options`` and ``payload_size``.
    """

    name = ""
    label = ""
    format = ""
    feature = ""  # PIL.features name required by this codec
    settings = ()
    search_window = 2  # neighbours checked by TargetSearch (see there)

    @classmethod
    def available(cls):
        """True when the installed Pillow can encode and decode this format."""
        from PIL import features

        return bool(features.check(cls.feature))

    def _check_setting(self, setting):
        if setting not in self.settings:
            raise InvalidValueError(
                f"setting must be one of the {self.name} settings "
                f"({self.settings[0]!r}..{self.settings[-1]!r}), got {setting!r}"
            )

    @abc.abstractmethod
    def _save_options(self, image, setting):
        """Keyword arguments for ``PIL.Image.save`` at this setting."""

    def encode(self, image, setting):
        """Encode a uint8 (H, W, 3) image at ``setting``; returns the whole file."""
        image = _check_image(image)
        self._check_setting(setting)
        from PIL import Image

        buffer = io.BytesIO()
        Image.fromarray(image, "RGB").save(buffer, self.format, **self._save_options(image, setting))
        return buffer.getvalue()

    @abc.abstractmethod
    def payload_size(self, data):
        """Header-less size in bytes of an encoded file (see ``containers``)."""

    def file_size(self, data):
        """Whole-file size in bytes, headers included."""
        return len(containers.as_bytes(data))

    def decode(self, data):
        """Decode a whole file to a uint8 (H, W, 3) RGB array."""
        data = containers.as_bytes(data)
        from PIL import Image

        try:
            with Image.open(io.BytesIO(data), formats=[self.format]) as img:
                rgb = img.convert("RGB")
                rgb.load()
        except Exception as exc:  # Pillow raises many types for bad data
            raise BitstreamError(f"{self.name}: cannot decode {len(data)} bytes: {exc}") from exc
        return np.asarray(rgb, dtype=np.uint8).copy()

    def __repr__(self):
        return f"{type(self).__name__}()"


class JpegCodec(BaselineCodec):
    """Baseline JPEG, 4:2:0, quality 1..100; ``optimize`` for optimal Huffman."""

    format = "JPEG"
    feature = "jpg"
    settings = tuple(range(1, 101))

    def __init__(self, optimize=False):
        self.optimize = validation.boolean("optimize", optimize)
        self.name = "jpeg_optimized" if optimize else "jpeg"
        self.label = "Header-less JPEG (optimized Huffman)" if optimize else "Header-less JPEG"

    def _save_options(self, image, setting):
        return {"quality": setting, "optimize": self.optimize, "subsampling": "4:2:0", "progressive": False}

    def payload_size(self, data):
        return containers.jpeg_payload_size(data)

    def __repr__(self):
        return f"JpegCodec(optimize={self.optimize})"


class Jpeg2000Codec(BaselineCodec):
    """OpenJPEG J2K codestream at target PSNRs (``quality_mode="dB"``).

    ``num_resolutions=None`` picks ``clamp(floor(log2(min(H, W))) - 2, 1, 6)``
    resolution levels: 3 for 32x32 (an 8x8 lowest band), 6 for large images.
    """

    name = "jpeg2000"
    label = "Header-less JPEG 2000"
    format = "JPEG2000"
    feature = "jpg_2000"
    settings = tuple(round(10.0 + 0.25 * i, 2) for i in range(201))

    def __init__(self, num_resolutions=None):
        if num_resolutions is not None:
            validation.int_in_range("num_resolutions", num_resolutions, 1, 32, what="None or an integer in [1, 32]")
        self.num_resolutions = num_resolutions

    def resolutions_for(self, height, width):
        if self.num_resolutions is not None:
            return int(self.num_resolutions)
        return max(1, min(6, int(math.floor(math.log2(min(height, width)))) - 2))

    def _save_options(self, image, setting):
        return {
            "no_jp2": True,
            "irreversible": True,
            "mct": 1,
            "quality_mode": "dB",
            "quality_layers": [float(setting)],
            "num_resolutions": self.resolutions_for(image.shape[0], image.shape[1]),
        }

    def payload_size(self, data):
        return containers.jpeg2000_payload_size(data)

    def __repr__(self):
        return f"Jpeg2000Codec(num_resolutions={self.num_resolutions!r})"


class WebpCodec(BaselineCodec):
    """libwebp lossy VP8, quality 0..100, method 6."""

    name = "webp"
    label = "Header-less WebP"
    format = "WEBP"
    feature = "webp"
    settings = tuple(range(0, 101))

    def _save_options(self, image, setting):
        return {"quality": setting, "method": 6, "lossless": False}

    def payload_size(self, data):
        return containers.webp_payload_size(data)


class AvifCodec(BaselineCodec):
    """libavif (AV1), quality 0..100, 4:2:0, speed 6, single-threaded.

    libavif maps the 101 quality values onto 64 AV1 quantizers, so sizes
    come in runs of equal values and are less monotone than the other
    codecs' (about 4 decreasing steps per 32x32 image). The target search
    therefore checks 10 neighbours each side (``search_window``): on the
    first 100 CIFAR-10 test images at 7 targets (32..256 B) it then differs
    from an exhaustive search once, by 1 byte (window 2: 8 misses on 80
    queries at 64/128 B; window 12: none).
    """

    name = "avif"
    label = "Header-less AVIF"
    format = "AVIF"
    feature = "avif"
    settings = tuple(range(0, 101))
    search_window = 10

    def __init__(self, speed=6):
        self.speed = validation.int_in_range("speed", speed, 0, 10)

    def _save_options(self, image, setting):
        return {"quality": setting, "subsampling": "4:2:0", "speed": self.speed, "max_threads": 1}

    def payload_size(self, data):
        return containers.avif_payload_size(data)

    def __repr__(self):
        return f"AvifCodec(speed={self.speed})"


_FACTORIES = {
    "jpeg": lambda: JpegCodec(optimize=False),
    "jpeg_optimized": lambda: JpegCodec(optimize=True),
    "jpeg2000": Jpeg2000Codec,
    "webp": WebpCodec,
    "avif": AvifCodec,
}
_CLASSES = {
    "jpeg": JpegCodec,
    "jpeg_optimized": JpegCodec,
    "jpeg2000": Jpeg2000Codec,
    "webp": WebpCodec,
    "avif": AvifCodec,
}
BASELINE_NAMES = tuple(_FACTORIES)


def available_baselines():
    """Names of the baselines the installed Pillow supports, in Table 1 order."""
    return tuple(name for name in BASELINE_NAMES if _CLASSES[name].available())


def get_baseline(name):
    """A new baseline codec by name; ValueError if unknown or unsupported here."""
    if name not in _FACTORIES:
        raise InvalidValueError(f"unknown baseline {name!r}; choose from {', '.join(BASELINE_NAMES)}")
    if not _CLASSES[name].available():
        raise InvalidValueError(
            f"baseline {name!r} is not available: this Pillow build lacks "
            f"{_CLASSES[name].feature!r} support (PIL.features.check({_CLASSES[name].feature!r}) is False)"
        )
    return _FACTORIES[name]()


class TargetSearch:
    """Target-size search for one (codec, image) pair, caching encodings.

    Strategy (deterministic; ``window`` = w, default ``codec.search_window``:
    2, or 10 for AVIF), for a target T over
    the settings s_0..s_{n-1} with header-less sizes p(i):

    1. If p(n-1) >= T, binary-search for the first index i with p(i) >= T
       assuming monotone sizes (lo=0, hi=n-1; mid=(lo+hi)//2; p(mid) >= T
       moves hi to mid, else lo to mid+1). Only indices with p >= T ever
       become ``hi``, so the final hi reaches the target.
       Then also evaluate the neighbours hi-w..hi+w.
    2. If p(n-1) < T, evaluate the top window n-1-w..n-1.
    3. Among the indices evaluated *for this target* (binary-search path plus
       window), choose the one with the smallest p >= T (ties: the lowest
       index); if none reaches T, the one with the largest p (ties: the
       highest index).

    So the result is never below T when the top setting or any evaluated
    setting reaches it, and a local non-monotonicity (e.g. a setting just
    below hi that also reaches T with fewer bytes) is resolved. Results depend
    only on the codec, the image and T, not on earlier queries (the cache only
    saves work).
    """

    def __init__(self, codec, image, *, window=None):
        if not isinstance(codec, BaselineCodec):
            raise InvalidTypeError(f"codec must be a BaselineCodec, got {type(codec).__name__}")
        if window is None:
            window = codec.search_window
        self.window = validation.non_negative_int("window", window)
        if len(codec.settings) == 0:
            raise InvalidValueError(f"`codec` {codec.name!r} has no settings to search")
        self.codec = codec
        self.image = _check_image(image)
        self._cache = {}

    @property
    def encodings(self):
        """Number of distinct settings encoded so far."""
        return len(self._cache)

    def _entry(self, index):
        if index not in self._cache:
            data = self.codec.encode(self.image, self.codec.settings[index])
            self._cache[index] = (data, int(self.codec.payload_size(data)))
        return self._cache[index]

    def size(self, index):
        """Header-less size at settings[index]."""
        return self._entry(index)[1]

    def at(self, target_bytes):
        """``(data, setting, payload_size)`` for target ``target_bytes``."""
        # Not validation.non_negative_int: callers match on this wording.
        wrong = f"target_bytes must be a non-negative integer, got {target_bytes!r}"
        if isinstance(target_bytes, bool) or not isinstance(target_bytes, numbers.Integral):
            raise InvalidTypeError(wrong)
        if target_bytes < 0:
            raise InvalidValueError(wrong)
        n = len(self.codec.settings)
        w = self.window
        visited = {n - 1}
        if self.size(n - 1) >= target_bytes:
            lo, hi = 0, n - 1
            while lo < hi:
                mid = (lo + hi) // 2
                visited.add(mid)
                if self.size(mid) >= target_bytes:
                    hi = mid
                else:
                    lo = mid + 1
            visited.update(range(max(0, hi - w), min(n, hi + w + 1)))
        else:
            visited.update(range(max(0, n - 1 - w), n))
        sizes = {i: self.size(i) for i in sorted(visited)}
        reaching = [i for i in sizes if sizes[i] >= target_bytes]
        if reaching:
            best = min(reaching, key=lambda i: (sizes[i], i))
        else:
            best = max(sizes, key=lambda i: (sizes[i], i))
        data, payload = self._entry(best)
        return data, self.codec.settings[best], payload


def encode_at_target(codec, image, target_bytes, *, window=None):
    """Paper sec. 4.3 search: the setting whose header-less size is closest to,
    but never below, ``target_bytes``; the largest if none reaches it.

    Returns ``(data, setting, payload_size)``: the whole encoded file, the
    chosen setting and its header-less size. See ``TargetSearch`` for the
    exact (deterministic) strategy; reuse a ``TargetSearch`` to query several
    targets for one image without re-encoding.
    """
    return TargetSearch(codec, image, window=window).at(target_bytes)
