"""Images <-> streams for :class:`~residual_compression.codec.ProgressiveCodec`.

The byte side of the codec: budgets (whole-image ``num_bytes`` or
size-scaled ``bpp``), the stream format (1 raw, 2 entropy coded), the
greyscale flag, and decoding any prefix of a stream. The model side
(``encode`` / ``decode`` of bits) stays in the codec.
"""

import math

import numpy as np

from residual_compression import bitstream
from residual_compression import blockmap
from residual_compression import monotone_budget
from residual_compression import payload_length
from residual_compression.errors import BitstreamError
from residual_compression.errors import BudgetError
from residual_compression.errors import ImageInputError
from residual_compression.errors import ResidualCompressionError
from residual_compression.images import to_rgb_uint8
from residual_compression.patch_ssim import patch_ssim_map
from residual_compression.scaling import to_model_space

__all__ = ["FORMATS", "compress", "decompress", "parse"]

FORMATS = (1, 2)
# The L1 weight of the bit search's objective, 1 - patch SSIM + w * L1 (code_search.py says why 2).
SEARCH_L1_WEIGHT = 2.0


def _budget(codec, num_bytes, bpp, iterations, height, width, default=True):
    """Payload bytes for one image size, or None for whole iterations.

    With none of ``num_bytes``, ``bpp`` and ``iterations`` (and ``default``), the
    preset's rate filled to the byte: the raw bytes of its default whole iterations.
    """
    given = [n for n, v in (("num_bytes", num_bytes), ("bpp", bpp), ("iterations", iterations)) if v is not None]
    if len(given) > 1:
        raise ResidualCompressionError(f"pass one of `num_bytes`, `bpp` and `iterations`, received {given}")
    if num_bytes is not None:
        if isinstance(num_bytes, bool) or not isinstance(num_bytes, (int, np.integer)) or num_bytes < 1:
            raise BudgetError(f"`num_bytes` must be a positive integer, received: {num_bytes!r}")
        return int(num_bytes)
    if bpp is not None:
        if isinstance(bpp, bool) or not isinstance(bpp, (int, float, np.integer, np.floating)) or not (
            0 < bpp < math.inf
        ):
            raise BudgetError(f"`bpp` must be a positive number of bits per pixel, received: {bpp!r}")
        return max(1, int(bpp * height * width / 8))
    if iterations is None and default and codec.default_num_bytes is not None:
        return codec._resolve_iterations(None, None, height, width) * codec.bytes_per_iteration(height, width)
    return None


def _is_grey(image):
    return bool((image[..., 0] == image[..., 1]).all() and (image[..., 1] == image[..., 2]).all())


def _raw(codec, bits, budget, height, width):
    """The format-1 stream of ``bits`` cut to ``budget`` payload bytes."""
    iterations = min(len(bits), -(-budget // codec.bytes_per_iteration(height, width)))
    return bitstream.encode_stream(codec.model_id, width, height, bits[:iterations])[: bitstream.HEADER_SIZE + budget]


def _encode_budget(codec, group, budget, fmt, grey, height, width):
    """Streams of exactly ``budget`` payload bytes (or whole, when shorter).

    Format 2 falls back to format 1 for a colour image whose entropy-coded
    ``budget`` bytes hold fewer symbols than the whole iterations of
    ``budget`` raw bytes (codes its context model predicts badly), so that
    entropy coding never costs an image iterations.
    """
    per = codec.bytes_per_iteration(height, width)
    top = codec.max_iterations
    if fmt == 1:
        bits = codec.encode(group, min(top, -(-budget // per)))
        return [_raw(codec, b, budget, height, width) for b in bits]
    raw_symbols = min(top, budget // per) * math.prod(codec.code_shape(height, width))

    def code(indices, bits):
        coded = bitstream.encode_streams2(
            codec.model_id, width, height, bits, context=codec.context_model,
            grey=[grey[i] for i in indices], num_bytes=budget,
        )
        headers = [bitstream.read_header(stream) for stream in coded]
        return [((stream, b, h), len(stream) - h.size) for stream, b, h in zip(coded, bits, headers)]

    streams = []
    coded = payload_length.encode_to_length(codec, group, budget, height, width, code)
    for i, ((stream, bits, header), _) in enumerate(coded):
        fall_back = header.count < raw_symbols and not grey[i]
        streams.append(_raw(codec, bits, budget, height, width) if fall_back else stream)
    return streams


def _whole_iterations(codec, streams):
    """Per stream, ``(whole, total)`` iterations: the complete ones, and all it touches."""
    shapes = []
    for _, bits in parse(codec, streams):
        complete = (bits != 0).reshape(len(bits), -1).all(axis=1)
        shapes.append((int(np.argmin(complete)) if not complete.all() else len(bits), len(bits)))
    return shapes


def _objective(images, decoded):
    """Per image, the search's objective on uint8 images: 1 - patch SSIM + w L1 (loss.PatchSSIML1Loss)."""
    a, b = np.asarray(images, np.float64), np.asarray(decoded, np.float64)
    ssim = patch_ssim_map(a, b).reshape(len(a), -1).mean(axis=1)
    return 1.0 - ssim + SEARCH_L1_WEIGHT * np.abs(a - b).reshape(len(a), -1).mean(axis=1) / 255.0


def _search(codec, group, budget, fmt, grey, height, width, streams):
    """``streams`` (greedy: of exactly ``budget`` bytes, or whole iterations
    when ``budget`` is None) with each image's whole iterations searched
    (:mod:`.code_search`, ``codec.search_steps`` steps), the rest encoded
    greedily after them; an image keeps the searched stream only where it
    decodes better by the search's objective."""
    from residual_compression import code_search  # imports Keras: only when a search runs

    ph, pw = codec.padded_size(height, width)
    steps, per_call = codec.search_steps, codec._images_per_call(height, width)
    shape = _whole_iterations(codec, streams)
    out = list(streams)
    for whole in sorted({k for k, _ in shape if k > 0}):
        indices = [i for i, (k, _) in enumerate(shape) if k == whole]
        total = max(shape[i][1] for i in indices)
        if budget is not None and fmt == 2:
            total = min(codec.max_iterations, total + 1)  # room for a costlier searched code
        for start in range(0, len(indices), per_call):
            chunk = indices[start : start + per_call]
            x = np.pad(group[chunk], ((0, 0), (0, ph - height), (0, pw - width), (0, 0)), mode="edge")
            x = to_model_space(x)
            prefix, _ = code_search.search_codes(codec.model, x, whole, steps, l1_weight=SEARCH_L1_WEIGHT)
            codes = code_search.continue_codes(codec.model, x, prefix, total)
            bits = np.stack(codes, axis=1).astype(np.int8)
            if fmt == 1:
                end = None if budget is None else bitstream.HEADER_SIZE + budget
                candidates = [bitstream.encode_stream(codec.model_id, width, height, b)[:end] for b in bits]
            else:
                candidates = bitstream.encode_streams2(
                    codec.model_id, width, height, bits, context=codec.context_model,
                    grey=[grey[i] for i in chunk], num_bytes=budget,
                )
            before = _objective(group[chunk], decompress(codec, [out[i] for i in chunk]))
            after = _objective(group[chunk], decompress(codec, candidates))
            for j, i in enumerate(chunk):
                if after[j] < before[j]:
                    out[i] = candidates[j]
    return out


def _encode_quality(codec, group, quality, metric, block, grey, height, width, budget=None):
    """Dynamic bit assignment: each block gets the iterations it needs for
    ``quality``, or, with a ``budget``, the iterations that maximise the sum of
    block qualities minus ``lambda`` per iteration, ``lambda`` the smallest
    whose stream fits the budget."""
    top = codec.max_iterations
    bits = codec.encode(group, top)
    recons = codec.decode(bits, height, width, return_all=True)
    side = block // codec.model.block_size
    streams = []
    for i in range(len(group)):
        per_block = blockmap.block_quality(recons[i], group[i], block, metric)

        def stream(counts, i=i):
            return bitstream.encode_stream2(
                codec.model_id, width, height, bits[i], context=codec.context_model, grey=grey[i],
                block=side, block_counts=counts,
            )

        if budget is None:
            streams.append(stream(blockmap.choose_counts(per_block, quality)))
            continue
        cost = np.arange(1, top + 1)[:, None, None]
        low, high = 0.0, float(np.ptp(per_block)) + 1.0  # high: one iteration everywhere
        best = stream(np.argmax(per_block - high * cost, axis=0) + 1)
        for _ in range(16):
            middle = (low + high) / 2
            candidate = stream(np.argmax(per_block - middle * cost, axis=0) + 1)
            if len(candidate) - bitstream.read_header(candidate).size <= budget:
                best, high = candidate, middle
            else:
                low = middle
        streams.append(best)
    return streams


def _check_quality(quality, metric, block, codec, fmt, others):
    num_bytes, iterations, bpp = others
    if metric not in ("ssim", "psnr"):
        raise ResidualCompressionError(f"`quality_metric` must be 'ssim' or 'psnr', received: {metric!r}")
    if fmt != 2 or iterations is not None:
        raise ResidualCompressionError("`quality` needs format 2 and no `iterations`")
    budget = num_bytes is not None or bpp is not None
    if quality == "max":
        if not budget:
            raise ResidualCompressionError('`quality="max"` needs a budget: `num_bytes` or `bpp`')
    else:
        top = 1.0 if metric == "ssim" else 100.0
        if isinstance(quality, bool) or not isinstance(quality, (int, float, np.integer, np.floating)) or not (
            0 < quality <= top
        ):
            raise ResidualCompressionError(
                f'`quality` must be in (0, {top}] for {metric}, or "max" with a budget, received: {quality!r}'
            )
        if budget:
            raise ResidualCompressionError('a numeric `quality` sets the bytes itself; with a budget pass "max"')
    step = codec.model.block_size
    if isinstance(block, bool) or not isinstance(block, (int, np.integer)) or block < step or block % step:
        raise ResidualCompressionError(f"`block` must be a positive multiple of {step} pixels, received: {block!r}")
    if block // step > 255:
        raise ResidualCompressionError(f"`block` must be at most {255 * step} pixels, received: {block!r}")
    blockmap.check_block(block, metric)


def compress(codec, images, num_bytes=None, iterations=None, bpp=None, format=2, quality=None,
             quality_metric="ssim", block=32, monotone=False):
    """See :meth:`ProgressiveCodec.compress`."""
    if format not in FORMATS:
        raise ResidualCompressionError(f"`format` must be one of {FORMATS}, received: {format!r}")
    if not isinstance(monotone, (bool, np.bool_)):
        raise ResidualCompressionError(f"`monotone` must be True or False, received: {monotone!r}")
    if monotone and (format != 2 or quality is not None or iterations is not None):
        raise ResidualCompressionError(
            f"`monotone=True` needs format 2 and a byte budget (`num_bytes`, `bpp` or the preset's), and no "
            f"`quality` or `iterations`; received format={format!r}, num_bytes={num_bytes!r}, bpp={bpp!r}, "
            f"iterations={iterations!r}, quality={quality!r}"
        )
    if quality is not None:
        _check_quality(quality, quality_metric, block, codec, format, (num_bytes, iterations, bpp))
    batch, single = _as_image_list(images)
    streams = [None] * len(batch)
    for (height, width), indices in _group_by_size(batch).items():
        budget = _budget(codec, num_bytes, bpp, iterations, height, width, default=quality is None)
        if monotone and budget is None:
            raise ResidualCompressionError(
                f"`monotone=True` needs a byte budget (`num_bytes`, `bpp` or the preset's); {codec.name} "
                f"has no default budget and received num_bytes=None, bpp=None"
            )
        group = batch[indices[0]][None] if len(indices) == 1 else np.stack([batch[i] for i in indices])
        grey = [_is_grey(batch[i]) for i in indices] if format == 2 else None
        if quality is not None:
            out = _encode_quality(codec, group, quality, quality_metric, block, grey, height, width, budget)
        elif monotone:
            out = monotone_budget.monotone_streams(codec, group, budget, grey, height, width, decompress)
        elif budget is not None:
            out = _encode_budget(codec, group, budget, format, grey, height, width)
        else:
            bits = codec.encode(group, codec._resolve_iterations(None, iterations, height, width))
            if format == 1:
                out = [bitstream.encode_stream(codec.model_id, width, height, b) for b in bits]
            else:
                out = bitstream.encode_streams2(
                    codec.model_id, width, height, bits, context=codec.context_model, grey=grey
                )
        if codec.search_steps and quality is None and not codec.is_tiled(height, width):
            out = _search(codec, group, budget, format, grey, height, width, out)
        for i, stream in zip(indices, out):
            streams[i] = stream
    return streams[0] if single else streams


def parse(codec, streams, iterations=None, strict=False):
    """``[(header, bits)]`` of streams of ``codec``'s model (any format)."""

    def code_shape_fn(height, width):
        codec._check_area(height, width, BitstreamError)
        return codec.code_shape(height, width)

    for data in streams:
        header = bitstream.read_header(data)
        if header.model_id not in codec.compatible_ids:
            raise BitstreamError(
                f"stream was made by model id {header.model_id}, but this is {codec.name} "
                f"(id {codec.model_id}); decode it with the model it was made with"
            )
    return bitstream.decode_streams(
        streams,
        code_shape_fn=code_shape_fn,
        max_iterations=codec.max_iterations,
        iterations=iterations,
        strict=strict,
    )


def _grey(images):
    """uint8 ``(..., 3)`` -> the same with R = G = B = luma (ITU-R 601)."""
    rgb = images.astype(np.int32)
    y = (rgb[..., 0] * 299 + rgb[..., 1] * 587 + rgb[..., 2] * 114 + 500) // 1000
    return np.repeat(y[..., None], 3, axis=-1).astype(np.uint8)


def decompress(codec, data, iterations=None, strict=False, return_all=False):
    """See :meth:`ProgressiveCodec.decompress`."""
    single = isinstance(data, (bytes, bytearray, memoryview))
    streams = [data] if single else list(_as_stream_list(data))
    parsed = parse(codec, streams, iterations, strict)
    images = [None] * len(parsed)
    groups = {}
    for i, (header, bits) in enumerate(parsed):
        groups.setdefault((header.height, header.width, bits.shape[0]), []).append(i)
    for (height, width, _), indices in groups.items():
        blocks = [i for i in indices if parsed[i][0].block]
        plain = [i for i in indices if not parsed[i][0].block]
        for i in blocks:
            images[i] = _show_blocks(codec, *parsed[i], return_all)
        if plain:
            decoded = codec.decode(np.stack([parsed[i][1] for i in plain]), height, width, return_all=return_all)
            for i, image in zip(plain, decoded):
                images[i] = image
    for i, (header, _) in enumerate(parsed):
        if header.grey:
            images[i] = _grey(images[i])
    if single:
        return images[0]
    if images and all(im.shape == images[0].shape for im in images):
        return np.stack(images)
    return images


def _show_blocks(codec, header, bits, return_all):
    """A block-map stream: every block shown at its own last iteration."""
    recons = codec.decode(bits[None], header.height, header.width, return_all=True)[0]
    if return_all:
        return recons
    side = header.block
    t_max, h, w = bits.shape[:3]
    rows, cols = blockmap.grid_of((h, w), side)
    sent = np.pad((bits != 0).any(-1), ((0, 0), (0, rows * side - h), (0, cols * side - w)))
    sent = sent.reshape(t_max, rows, side, cols, side).any(axis=(2, 4))
    counts = np.where(sent.any(0), t_max - np.argmax(sent[::-1], axis=0), 1)
    return blockmap.pick_per_block(recons, counts, side * codec.model.block_size)


def _rgb(image, name):
    """``image`` itself when it already is a uint8 ``(H, W, 3)`` array (the
    codec only reads it: no copy of a large photo), else ``to_rgb_uint8``."""
    if isinstance(image, np.ndarray) and image.dtype == np.uint8 and image.ndim == 3 and image.shape[2] == 3:
        if image.shape[0] and image.shape[1]:
            return image
    return to_rgb_uint8(image, name=name)


def _as_image_list(images):
    """Normalises the accepted image inputs to a list of uint8 (H, W, 3)."""
    if isinstance(images, np.ndarray) and images.ndim == 4:
        return [_rgb(im, f"images[{i}]") for i, im in enumerate(images)], False
    if isinstance(images, (list, tuple)):
        if not images:
            raise ImageInputError("`images` is empty")
        return [_rgb(im, f"images[{i}]") for i, im in enumerate(images)], False
    return [_rgb(images, "images")], True


def _as_stream_list(data):
    if isinstance(data, str) or not hasattr(data, "__iter__"):
        raise BitstreamError(f"`data` must be bytes or a sequence of bytes, received {type(data).__name__}")
    return data


def _group_by_size(images):
    groups = {}
    for i, image in enumerate(images):
        groups.setdefault(image.shape[:2], []).append(i)
    return groups
