"""Every class of awkward or hostile image file, written into a folder.

``write_corpus(folder)`` returns ``{file name: expectation}``, where an
expectation is ``Good(pixels)`` (the upright RGB uint8 array every entry point
must read from the file) or ``Bad(pattern)`` (a regular expression the one-line
error must match; it must also name the file). Used by
``test_hostile_images.py`` to run the same files through every entry point.
"""

import dataclasses
import io
import struct
import zlib

import numpy as np
from PIL import Image

from conftest import synthetic_images


@dataclasses.dataclass(frozen=True)
class Good:
    pixels: np.ndarray


@dataclasses.dataclass(frozen=True)
class Bad:
    pattern: str


def _chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _png(width, height, bit_depth, colour_type, raw_rows):
    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw_rows)) + _chunk(b"IEND", b"")
    )


def _save(image, **options):
    buffer = io.BytesIO()
    image.save(buffer, **options)
    return buffer.getvalue()


def write_corpus(folder):
    rgb = synthetic_images(1, 24, 40, seed=11)[0]  # height 24, width 40
    grey = rgb[..., 0]
    files, expect = {}, {}

    def good(name, data, pixels):
        files[name], expect[name] = data, Good(np.ascontiguousarray(pixels))

    def bad(name, data, pattern):
        files[name], expect[name] = data, Bad(pattern)

    good("rgb.png", _save(Image.fromarray(rgb), format="PNG"), rgb)
    alpha = np.concatenate([rgb, (np.arange(24 * 40).reshape(24, 40, 1) % 256).astype(np.uint8)], -1)
    good("rgba.png", _save(Image.fromarray(alpha, "RGBA"), format="PNG"), rgb)  # alpha dropped, not composited
    good("la.png", _save(Image.fromarray(np.stack([grey, grey[::-1]], -1), "LA"), format="PNG"),
         np.repeat(grey[..., None], 3, -1))
    good("grey.png", _save(Image.fromarray(grey), format="PNG"), np.repeat(grey[..., None], 3, -1))
    palette = Image.fromarray(rgb).quantize(16)
    palette.info["transparency"] = 0
    good("palette.png", _save(palette, format="PNG", transparency=0), np.asarray(palette.convert("RGB")))
    cmyk = Image.fromarray(rgb).convert("CMYK")
    cmyk_jpeg = _save(cmyk, format="JPEG", quality=95)
    with Image.open(io.BytesIO(cmyk_jpeg)) as reread:
        good("cmyk.jpg", cmyk_jpeg, np.asarray(reread.convert("RGB")))
    deep = np.clip(grey.astype(np.int32) * 257 + 100, 0, 65535).astype(np.uint16)  # rounds back to grey
    good("grey16.png", _png(40, 24, 16, 0, b"".join(b"\x00" + r.astype(">u2").tobytes() for r in deep)),
         np.repeat(grey[..., None], 3, -1))
    deep_rgb = rgb.astype(np.uint16) * 257
    good("rgb48.png", _png(40, 24, 16, 2, b"".join(b"\x00" + r.astype(">u2").tobytes() for r in deep_rgb)), rgb)
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: viewers rotate 90 degrees clockwise
    rotated = _save(Image.fromarray(rgb), format="JPEG", quality=95, exif=exif)
    with Image.open(io.BytesIO(rotated)) as reread:
        good("exif_rotated.jpg", rotated, np.rot90(np.asarray(reread.convert("RGB")), k=-1))
    good("one_pixel.png", _save(Image.fromarray(rgb[:1, :1]), format="PNG"), rgb[:1, :1])
    good("odd_33x17.png", _save(Image.fromarray(synthetic_images(1, 17, 33, seed=12)[0]), format="PNG"),
         synthetic_images(1, 17, 33, seed=12)[0])
    good("png_named.jpg", _save(Image.fromarray(rgb), format="PNG"), rgb)  # the content decides, not the name
    frames = [Image.fromarray(rgb).quantize(64), Image.fromarray(rgb[::-1]).quantize(64)]
    animated = _save(frames[0], format="GIF", save_all=True, append_images=frames[1:])
    with Image.open(io.BytesIO(animated)) as reread:
        good("animated.gif", animated, np.asarray(reread.convert("RGB")))  # the first frame
    bad("bomb.png", _png(40000, 40000, 8, 0, b""), "too large")  # header only: 1.6 G pixels
    bad("wide.png", _png(70000, 256, 8, 0, b""), "too large.*at most 65535")  # more than a stream records
    bad("deep_9400.png", _png(9400, 9400, 16, 0, b""), "too large.*max_pixels")  # 16-bit, over the codec's limit
    bad("zero_bytes.png", b"", "empty")
    jpeg = _save(Image.fromarray(rgb), format="JPEG", quality=95)
    bad("truncated.jpg", jpeg[: len(jpeg) // 3], "corrupt or truncated")
    png = files["rgb.png"]
    bad("truncated.png", png[: len(png) // 2], "corrupt or truncated")
    bad("garbage.png", bytes(np.random.default_rng(5).integers(0, 256, 300, dtype=np.uint8)), "not an image")
    bad("text_named.jpg", b"this is not a picture\n", "not an image")
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return expect


def good_names(expect):
    return sorted(n for n, e in expect.items() if isinstance(e, Good))


def bad_names(expect):
    return sorted(n for n, e in expect.items() if isinstance(e, Bad))
