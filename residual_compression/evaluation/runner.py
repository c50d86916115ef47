"""Run the paper's 32x32 benchmark protocol on any set of codecs (sec. 4.2-4.3).

For every codec and byte target, each image is compressed to the target
(classical codecs: the quality setting whose header-less size is closest to
but never below it, ``baselines.encode_at_target``; neural codecs:
``compress(images, num_bytes=target)``), decoded, and scored with the patch
SSIM of sec. 4.2 and PSNR. Table 1 reports the mean SSIM and the mean
header-less size per target.

Everything here is deterministic for the same images and codecs: images are
processed in order, no randomness is used, and the target search depends only
on (codec, image, target).
"""

from __future__ import annotations

import dataclasses
import numbers
import sys

import numpy as np

from residual_compression import validation
from residual_compression.errors import BudgetError
from residual_compression.errors import ImageInputError
from residual_compression.errors import InvalidTypeError
from residual_compression.errors import InvalidValueError
from residual_compression.evaluation import metrics
from residual_compression.evaluation.baselines import BaselineCodec, TargetSearch
from residual_compression.evaluation.protocol import check_neural_codec

__all__ = ["CodecResult", "EvaluationResults", "evaluate", "as_image_list", "check_targets"]


# PSNR is clipped to this many dB, so that an exactly reconstructed image (a
# flat thumbnail through JPEG) does not make a mean infinite. No 32x32 image
# with any error reaches it (one level off in one value is 83 dB); only
# near-lossless full-size images of about 230x230 pixels or more can.
PSNR_CAP_DB = 100.0


@dataclasses.dataclass(frozen=True, eq=False)
class CodecResult:
    """Per-image measurements of one codec at one byte target."""

    codec: str
    label: str
    kind: str  # "baseline" or "neural"
    target: int
    ssim: np.ndarray
    psnr: np.ndarray
    payload_bytes: np.ndarray
    file_bytes: np.ndarray
    bpp: np.ndarray
    settings: tuple = None  # chosen quality setting per image (baselines only)
    samples: tuple = ()  # reconstructions of the first images (for Figure 4)
    ms_ssim: np.ndarray = None  # per-image MS-SSIM when requested (large images)

    @property
    def num_images(self):
        return int(self.ssim.shape[0])

    @property
    def mean_ssim(self):
        return float(np.mean(self.ssim))

    @property
    def mean_psnr(self):
        return float(np.mean(self.psnr))

    @property
    def mean_ms_ssim(self):
        """Mean MS-SSIM, or None when it was not computed."""
        return None if self.ms_ssim is None else float(np.mean(self.ms_ssim))

    @property
    def mean_payload_bytes(self):
        return float(np.mean(self.payload_bytes))

    @property
    def mean_file_bytes(self):
        return float(np.mean(self.file_bytes))

    @property
    def mean_bpp(self):
        return float(np.mean(self.bpp))

    @property
    def below_target(self):
        """Number of images whose header-less size is below the target."""
        return int(np.sum(self.payload_bytes < self.target))

    def summary(self):
        """A flat dict of the means (the Table 1 numbers and more)."""
        return {
            "codec": self.codec,
            "label": self.label,
            "kind": self.kind,
            "target_bytes": self.target,
            "num_images": self.num_images,
            "mean_ssim": self.mean_ssim,
            "mean_payload_bytes": self.mean_payload_bytes,
            "mean_file_bytes": self.mean_file_bytes,
            "mean_bpp": self.mean_bpp,
            "mean_psnr": self.mean_psnr,
            "mean_ms_ssim": self.mean_ms_ssim,
            "below_target": self.below_target,
        }


class EvaluationResults:
    """All ``CodecResult``s of one ``evaluate`` call, in codec then target order."""

    def __init__(self, results, codecs, targets, image_shapes, unsupported=(), labels=None):
        self.results = tuple(results)
        self.codecs = tuple(codecs)
        self.targets = tuple(targets)
        self.image_shapes = tuple(image_shapes)
        self.unsupported = tuple(unsupported)  # (codec, target, reason)
        self._index = {(r.codec, r.target): r for r in self.results}
        self._labels = dict(labels or {})
        for r in self.results:
            self._labels.setdefault(r.codec, r.label)

    @property
    def num_images(self):
        return len(self.image_shapes)

    def has(self, codec, target):
        """True when ``codec`` was measured at ``target`` (not unsupported)."""
        return (codec, target) in self._index

    def get(self, codec, target):
        """The ``CodecResult`` for a codec key and target."""
        try:
            return self._index[(codec, target)]
        except KeyError:
            reasons = [r for c, t, r in self.unsupported if (c, t) == (codec, target)]
            detail = f": unsupported ({reasons[0]})" if reasons else ""
            raise KeyError(f"no result for codec={codec!r}, target={target!r}{detail}") from None

    def label(self, codec):
        """Row name of a codec: its ``label``/``name`` attribute, else its key."""
        return self._labels.get(codec, codec)

    def summary_rows(self):
        return [r.summary() for r in self.results]

    def to_dict(self):
        shapes = sorted({tuple(s) for s in self.image_shapes})
        return {
            "num_images": self.num_images,
            "image_shapes": [list(s) for s in shapes],
            "codecs": list(self.codecs),
            "targets": list(self.targets),
            "results": self.summary_rows(),
            "unsupported": [
                {"codec": c, "target_bytes": t, "reason": r} for c, t, r in self.unsupported
            ],
        }


def as_image_list(images):
    """Validate images: one image, a (N, H, W, C) array or a sequence of images,
    each at least 8x8 (``images.as_image_list``); returns a list of uint8 (H, W, 3)."""
    from residual_compression.images import as_image_list as check_images  # Pillow on first use

    return check_images(images, min_size=metrics.PATCH_SIZE)[0]


def check_targets(targets, name="targets"):
    """Validate byte targets: a non-empty sequence of positive integers; returns a sorted unique tuple."""
    if isinstance(targets, (str, bytes)) or not hasattr(targets, "__iter__"):
        raise InvalidTypeError(f"{name} must be a sequence of positive integers, got {targets!r}")
    values = list(targets)
    if not values or any(isinstance(t, bool) or not isinstance(t, numbers.Integral) or t <= 0 for t in values):
        raise InvalidValueError(f"{name} must be a non-empty sequence of positive integers, got {targets!r}")
    return tuple(sorted({int(t) for t in values}))


def _shape_batches(items, batch_size):
    """Yield ``(start, stop)`` over consecutive runs of equal shape, at most batch_size long."""
    start = 0
    while start < len(items):
        stop = start + 1
        while stop < len(items) and stop - start < batch_size and items[stop].shape == items[start].shape:
            stop += 1
        yield start, stop
        start = stop


def _progress(total, enabled, desc):
    from tqdm import tqdm

    if enabled is None:
        enabled = sys.stderr.isatty()
    return tqdm(total=total, disable=not enabled, desc=desc, unit="img", leave=False)


class _Accumulator:
    """Per-image measurements of one (codec, target), filled in image order."""

    def __init__(self, with_ms_ssim, num_samples):
        self.with_ms_ssim = with_ms_ssim
        self.num_samples = num_samples
        self.ssim, self.psnr, self.ms_ssim = [], [], []
        self.payload, self.files, self.settings, self.samples = [], [], [], []

    def add(self, originals, recons, streams_or_sizes, header, first_index):
        """Score a batch (N, H, W, 3) of reconstructions."""
        self.ssim.extend(np.atleast_1d(metrics.patch_ssim(originals, recons)))
        self.psnr.extend(np.atleast_1d(metrics.psnr(originals, recons, cap=PSNR_CAP_DB)))
        if self.with_ms_ssim:
            self.ms_ssim.extend(np.atleast_1d(metrics.ms_ssim(originals, recons)))
        headers = header if isinstance(header, (list, tuple)) else [header] * len(streams_or_sizes)
        for size, head in zip(streams_or_sizes, headers):
            self.files.append(size)
            self.payload.append(size - head)
        self.samples.extend(recons[: max(0, self.num_samples - first_index)])

    def result(self, key, label, kind, target, items):
        pixels = np.array([im.shape[0] * im.shape[1] for im in items], dtype=np.float64)
        payload = np.asarray(self.payload, dtype=np.int64)
        return CodecResult(
            codec=key,
            label=label,
            kind=kind,
            target=target,
            ssim=np.asarray(self.ssim, dtype=np.float64),
            psnr=np.asarray(self.psnr, dtype=np.float64),
            payload_bytes=payload,
            file_bytes=np.asarray(self.files, dtype=np.int64),
            bpp=8.0 * payload / pixels,
            settings=tuple(self.settings) if kind == "baseline" else None,
            samples=tuple(self.samples),
            ms_ssim=np.asarray(self.ms_ssim, dtype=np.float64) if self.with_ms_ssim else None,
        )


def _run_baseline(key, codec, items, targets, options, bar):
    acc = {t: _Accumulator(options["ms_ssim"], options["num_samples"]) for t in targets}
    for i, image in enumerate(items):
        search = TargetSearch(codec, image, window=options["window"])
        decoded = {}
        for target in targets:
            data, setting, payload = search.at(target)
            if setting not in decoded:
                recon = codec.decode(data)
                if recon.shape != image.shape:
                    # not an input error: the codec under evaluation broke its output contract (a codec bug)
                    raise ValueError(f"codec {key!r} decoded shape {recon.shape}, expected {image.shape}")
                decoded[setting] = recon
            header = len(data) - payload  # whole file minus header-less size
            acc[target].add(image[np.newaxis], decoded[setting][np.newaxis], [len(data)], header, i)
            acc[target].settings.append(setting)
        bar.update(len(targets))
    label = getattr(codec, "label", "") or key
    return [acc[t].result(key, label, "baseline", t, items) for t in targets]


def _check_streams(key, streams, count, header):
    if not isinstance(streams, (list, tuple)) or len(streams) != count:
        length = len(streams) if hasattr(streams, "__len__") else "?"
        # not an input error: the codec under evaluation broke its output contract (a codec bug)
        raise ValueError(
            f"codec {key!r}: compress must return a list of {count} byte strings, "
            f"got {type(streams).__name__} of length {length}"
        )
    for s in streams:
        if not isinstance(s, (bytes, bytearray)) or len(s) < header:
            # not an input error: the codec under evaluation broke its output contract (a codec bug)
            raise ValueError(f"codec {key!r}: compress returned a stream shorter than its {header}-byte header")


def _run_neural(key, codec, items, targets, options, bar, unsupported):
    header = check_neural_codec(codec, key)
    label = _neural_label(key, codec)
    results = []
    for target in targets:
        acc = _Accumulator(options["ms_ssim"], options["num_samples"])
        for start, stop in _shape_batches(items, options["batch_size"]):
            batch = np.stack(items[start:stop])
            try:
                streams = codec.compress(batch, num_bytes=target)
            except BudgetError as exc:  # a budget the codec cannot meet
                unsupported.append((key, target, str(exc).splitlines()[0] if str(exc) else type(exc).__name__))
                bar.update(len(items) - start)
                break
            _check_streams(key, streams, stop - start, header)
            recon = codec.decompress(list(streams))
            if not isinstance(recon, np.ndarray) or recon.dtype != np.uint8 or recon.shape != batch.shape:
                got = f"{recon.dtype} {recon.shape}" if isinstance(recon, np.ndarray) else type(recon).__name__
                # not an input error: the codec under evaluation broke its output contract (a codec bug)
                raise ValueError(f"codec {key!r}: decompress must return uint8 {batch.shape}, got {got}")
            # Header-less size: a stream's own header when the codec can say (format 2's grows
            # with the image: 8 bytes for a thumbnail, 11 for a Kodak photo), else the constant.
            measure = getattr(codec, "stream_header_size", None)
            heads = [measure(s) for s in streams] if measure else header
            acc.add(batch, recon, [len(s) for s in streams], heads, start)
            bar.update(stop - start)
        else:
            results.append(acc.result(key, label, "neural", target, items))
    return results


def _neural_label(key, codec):
    return str(getattr(codec, "name", "") or key)


def evaluate(
    images,
    codecs,
    targets=(64, 128),
    *,
    batch_size=64,
    num_samples=0,
    window=None,
    ms_ssim=False,
    progress=None,
):
    """Evaluate codecs at byte targets with the protocol of paper sec. 4.2-4.3.

    Args:
      images: uint8 array (N, H, W, 3), or a list of uint8 (H, W, 3) arrays
        (sizes may differ, e.g. full-size images; each at least 8x8).
      codecs: dict mapping a row name to a ``BaselineCodec`` or a neural
        codec (see ``protocol``). Rows keep the dict's order.
      targets: header-less byte targets (positive integers).
      batch_size: images per ``compress`` call for neural codecs (consecutive
        images of equal shape are batched).
      num_samples: keep the reconstructions of the first ``num_samples``
        images in each ``CodecResult.samples`` (for the Figure 4 grid).
      window: neighbour window of the target search (``TargetSearch``);
        None = each codec's ``search_window``.
      ms_ssim: also compute MS-SSIM (``metrics.ms_ssim``) per image; needs
        every image larger than 160 pixels on its short side.
      progress: show a tqdm bar; None = only when stderr is a TTY.

    Returns:
      ``EvaluationResults``. A target a neural codec rejects with
      :class:`~residual_compression.errors.BudgetError` in ``compress`` (a
      budget it cannot meet) has no result; it is listed in
      ``EvaluationResults.unsupported`` with the codec's message. Any other
      error from a codec propagates.
    """
    items = as_image_list(images)
    targets = check_targets(targets)
    if not isinstance(codecs, dict) or not codecs:
        raise InvalidValueError(f"codecs must be a non-empty dict of name -> codec, got {codecs!r}")
    batch_size = validation.positive_int("batch_size", batch_size)
    num_samples = validation.non_negative_int("num_samples", num_samples)
    if progress is not None:
        validation.boolean("progress", progress)
    validation.boolean("ms_ssim", ms_ssim)
    if ms_ssim:
        small = [i for i, im in enumerate(items) if min(im.shape[:2]) <= 160]
        if small:
            shape = items[small[0]].shape
            raise ImageInputError(
                f"ms_ssim=True needs images larger than 160 pixels on the short side; "
                f"images[{small[0]}] has shape {shape} ({len(small)} such images)"
            )
    options = {"batch_size": batch_size, "num_samples": num_samples, "window": window, "ms_ssim": ms_ssim}
    for key, codec in codecs.items():
        if not isinstance(key, str) or not key:
            raise InvalidValueError(f"codec names must be non-empty strings, got {key!r}")
        if not isinstance(codec, BaselineCodec):
            check_neural_codec(codec, key)
    results, unsupported = [], []
    total = len(codecs) * len(items) * len(targets)
    with _progress(total, progress, "evaluate") as bar:
        for key, codec in codecs.items():
            bar.set_description(key)
            if isinstance(codec, BaselineCodec):
                results.extend(_run_baseline(key, codec, items, targets, options, bar))
            else:
                results.extend(_run_neural(key, codec, items, targets, options, bar, unsupported))
    labels = {
        key: (getattr(codec, "label", "") or key)
        if isinstance(codec, BaselineCodec)
        else _neural_label(key, codec)
        for key, codec in codecs.items()
    }
    return EvaluationResults(results, list(codecs), targets, [im.shape for im in items], unsupported, labels)
