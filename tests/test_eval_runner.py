"""Tests of evaluate(), the writers and the plots, with a fake neural codec."""

import csv
import json
import math
import struct

import numpy as np
import pytest

from residual_compression.errors import BudgetError
from residual_compression.errors import ImageInputError
from residual_compression.evaluation import plots, writers
from residual_compression.evaluation.baselines import get_baseline
from conftest import synthetic_images
from residual_compression.evaluation.metrics import patch_ssim
from residual_compression.evaluation.protocol import OPTIONAL_MEMBERS
from residual_compression.evaluation.protocol import NeuralCodec
from residual_compression.evaluation.runner import evaluate

IMAGES = synthetic_images(5, seed=31)


class FakeNeuralCodec:
    """Stands in for a progressive neural codec: 8-byte header, payload = num_bytes.

    Each 16-byte iteration refines the image: the payload's first bytes hold
    per-block means at 8x8 block resolution (one byte per block and channel).
    """

    name = "Fake Conv/Deconv LSTM"
    header_size = 8

    def __init__(self, lossless=False, max_bytes=None):
        self.lossless = lossless
        self.max_bytes = max_bytes
        self.compress_calls = 0

    def compress(self, images, num_bytes):
        self.compress_calls += 1
        if self.max_bytes is not None and num_bytes > self.max_bytes:
            raise BudgetError(f"`num_bytes`={num_bytes} needs more iterations than this model has")
        streams = []
        for image in images:
            h, w = image.shape[:2]
            if self.lossless:
                payload = image.tobytes()
            else:
                means = image[: h // 8 * 8, : w // 8 * 8].reshape(h // 8, 8, w // 8, 8, 3).mean(axis=(1, 3))
                payload = np.round(means).astype(np.uint8).tobytes()
                payload = (payload * (num_bytes // max(1, len(payload)) + 1))[:num_bytes]
            streams.append(b"FK" + struct.pack(">HHH", h, w, num_bytes) + payload)
        return streams

    def _decode(self, stream, iterations=None):
        h, w, num_bytes = struct.unpack(">HHH", stream[2:8])
        payload = stream[8:]
        if self.lossless:
            return np.frombuffer(payload, np.uint8).reshape(h, w, 3).copy()
        blocks = (h // 8) * (w // 8) * 3
        used = len(payload) if iterations is None else min(len(payload), 16 * iterations)
        means = np.frombuffer((payload[:used] + bytes(blocks))[:blocks], np.uint8).reshape(h // 8, w // 8, 3)
        out = np.zeros((h, w, 3), np.uint8)
        out[: h // 8 * 8, : w // 8 * 8] = np.repeat(np.repeat(means, 8, axis=0), 8, axis=1)
        return out

    def decompress(self, streams):
        return np.stack([self._decode(s) for s in streams])

    def progressive(self, data):
        iterations = max(1, (len(data) - 8) // 16)
        return np.stack([self._decode(data, t) for t in range(1, iterations + 1)])

    def macs_per_iteration(self, height, width):
        return 1000 * height * width

    def decoder_macs_per_iteration(self, height, width):
        return 500 * height * width


def test_evaluate_baseline_and_neural():
    codecs = {"jpeg": get_baseline("jpeg"), "lstm": FakeNeuralCodec()}
    results = evaluate(IMAGES, codecs, targets=(128, 64), num_samples=2, progress=False)
    assert results.targets == (64, 128)
    assert results.codecs == ("jpeg", "lstm")
    assert results.num_images == 5
    for target in (64, 128):
        neural = results.get("lstm", target)
        np.testing.assert_array_equal(neural.payload_bytes, target)
        np.testing.assert_array_equal(neural.file_bytes, target + 8)
        assert neural.mean_bpp == target * 8 / 1024
        assert neural.label == "Fake Conv/Deconv LSTM"
        assert neural.kind == "neural" and neural.settings is None
        assert 0 < neural.mean_ssim < 1
        jpeg = results.get("jpeg", target)
        assert jpeg.kind == "baseline" and len(jpeg.settings) == 5
        assert np.all(jpeg.payload_bytes >= target)
        assert np.all(jpeg.file_bytes > jpeg.payload_bytes)
        assert jpeg.below_target == 0
        assert len(jpeg.samples) == 2 and len(neural.samples) == 2
        assert jpeg.samples[0].shape == (32, 32, 3)
    assert results.get("jpeg", 128).mean_ssim > results.get("jpeg", 64).mean_ssim
    with pytest.raises(KeyError, match="no result"):
        results.get("jpeg", 99)


def test_evaluate_is_deterministic():
    codecs = {"jpeg2000": get_baseline("jpeg2000"), "lstm": FakeNeuralCodec()}
    first = evaluate(IMAGES, codecs, progress=False)
    second = evaluate(IMAGES, codecs, progress=False)
    for a, b in zip(first.results, second.results):
        for field in ("ssim", "psnr", "payload_bytes", "file_bytes", "bpp"):
            np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
        assert a.settings == b.settings


def test_neural_batches_and_mixed_sizes():
    codec = FakeNeuralCodec()
    evaluate(IMAGES, {"n": codec}, targets=(64,), batch_size=2, progress=False)
    assert codec.compress_calls == 3
    mixed = [IMAGES[0], synthetic_images(1, 48, 48)[0], IMAGES[1]]
    results = evaluate(mixed, {"n": FakeNeuralCodec(), "webp": get_baseline("webp")}, targets=(64,), progress=False)
    assert results.get("n", 64).bpp[1] == pytest.approx(64 * 8 / 48**2)
    assert results.get("webp", 64).num_images == 3


def test_evaluate_rejects_bad_arguments():
    jpeg = {"jpeg": get_baseline("jpeg")}
    with pytest.raises(ImageInputError, match=r"images\[0\] has float dtype float32"):
        evaluate(IMAGES.astype(np.float32), jpeg)
    with pytest.raises(ImageInputError, match="empty"):
        evaluate([], jpeg)
    with pytest.raises(ValueError, match="targets must be a non-empty sequence of positive integers"):
        evaluate(IMAGES, jpeg, targets=(0,))
    with pytest.raises(ValueError, match="codecs must be a non-empty dict"):
        evaluate(IMAGES, [])
    with pytest.raises(TypeError, match="codec 'thing'.*missing header_size, compress, decompress"):
        evaluate(IMAGES, {"thing": object()})
    with pytest.raises(ValueError, match="`batch_size` must be a positive integer, received: 0"):
        evaluate(IMAGES, jpeg, batch_size=0)


def test_unsupported_neural_target_is_listed_not_fatal(tmp_path):
    codecs = {"small": FakeNeuralCodec(max_bytes=64), "jpeg": get_baseline("jpeg")}
    results = evaluate(IMAGES[:2], codecs, targets=(64, 128), progress=False)
    assert results.has("small", 64) and not results.has("small", 128)
    assert [(c, t) for c, t, _ in results.unsupported] == [("small", 128)]
    assert "needs more iterations" in results.unsupported[0][2]
    with pytest.raises(KeyError, match="unsupported"):
        results.get("small", 128)
    table = writers.format_table1(results)
    assert table.splitlines()[2].endswith("bytes avg.) | n/a |")
    writers.write_markdown(results, tmp_path / "t.md")
    assert "n/a = target not supported" in (tmp_path / "t.md").read_text()
    writers.write_csv(results, tmp_path / "r.csv")
    assert len((tmp_path / "r.csv").read_text().splitlines()) == 1 + 3
    writers.write_json(results, tmp_path / "r.json")
    assert json.loads((tmp_path / "r.json").read_text())["unsupported"][0]["target_bytes"] == 128
    plots.plot_rate_distortion(results, tmp_path / "rd.png")


def test_other_errors_from_a_codec_are_not_an_unsupported_target():
    class Buggy(FakeNeuralCodec):
        def compress(self, images, num_bytes):
            raise ValueError("a bug in the model")

    with pytest.raises(ValueError, match="a bug in the model"):
        evaluate(IMAGES[:2], {"buggy": Buggy()}, targets=(64,), progress=False)


def test_evaluate_a_real_untrained_progressive_codec():
    from conftest import make_codec

    codec = make_codec("fc_residual_shared")  # 8 iterations of 16 B per 32x32
    assert isinstance(codec, NeuralCodec) and all(callable(getattr(codec, m)) for m in OPTIONAL_MEMBERS)
    images = [IMAGES[0], IMAGES[1], synthetic_images(1, 48, 48, seed=3)[0, :40]]  # and one 48x40
    results = evaluate(images, {"real": codec}, targets=(32, 64, 128), progress=False)
    assert results.targets == (32, 64, 128) and not results.unsupported
    for target in (32, 64, 128):
        row = results.get("real", target)
        assert row.label == codec.name and row.kind == "neural"
        assert np.all((row.payload_bytes > 0) & (row.payload_bytes <= target))  # never over the budget
        assert np.all(row.file_bytes == row.payload_bytes + codec.header_size)
        assert np.all((row.ssim > -1) & (row.ssim <= 1)) and np.all(np.isfinite(row.psnr))
    streams = codec.compress(IMAGES[:2], num_bytes=64)
    np.testing.assert_array_equal(results.get("real", 64).ssim[:2], patch_ssim(IMAGES[:2], codec.decompress(streams)))


def test_optional_ms_ssim_for_large_images(tmp_path):
    large = synthetic_images(2, 168, 168, seed=2)
    codecs = {"jpeg": get_baseline("jpeg"), "lstm": FakeNeuralCodec()}
    results = evaluate(large, codecs, targets=(2000,), ms_ssim=True, progress=False)
    for key in codecs:
        r = results.get(key, 2000)
        assert r.ms_ssim.shape == (2,) and 0 < r.mean_ms_ssim <= 1
        assert r.summary()["mean_ms_ssim"] == r.mean_ms_ssim
    assert "MS-SSIM |" in writers.format_details(results).splitlines()[0]
    writers.write_per_image(results, tmp_path / "p.npz")
    with np.load(tmp_path / "p.npz") as arrays:
        assert "jpeg/2000/ms_ssim" in arrays.files
    plain = evaluate(IMAGES[:1], {"jpeg": codecs["jpeg"]}, targets=(64,), progress=False)
    assert plain.get("jpeg", 64).mean_ms_ssim is None
    with pytest.raises(ImageInputError, match="larger than 160 pixels"):
        evaluate(IMAGES[:1], codecs, targets=(64,), ms_ssim=True)


def test_misbehaving_neural_codec_is_named():
    class Short(FakeNeuralCodec):
        def decompress(self, streams):
            return super().decompress(streams)[:, :16]

    with pytest.raises(ValueError, match="codec 'short': decompress must return uint8"):
        evaluate(IMAGES, {"short": Short()}, targets=(64,), progress=False)


def test_writers(tmp_path):
    results = evaluate(IMAGES[:3], {"jpeg": get_baseline("jpeg"), "perfect": FakeNeuralCodec(lossless=True)}, progress=False)
    table = writers.format_table1(results)
    lines = table.strip().splitlines()
    assert lines[0] == "| Method | SSIM / 64B Target (Header-less Size) | SSIM / 128B Target (Header-less Size) |"
    assert lines[2].startswith("| Header-less JPEG | 0.") and "bytes avg.)" in lines[2]
    assert lines[3].startswith("| Fake Conv/Deconv LSTM | 1.00 (")
    assert len(lines) == 4

    writers.write_markdown(results, tmp_path / "t.md", title="T")
    assert "# T" in (tmp_path / "t.md").read_text()
    writers.write_csv(results, tmp_path / "r.csv")
    with open(tmp_path / "r.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["codec"], r["target_bytes"]) for r in rows] == [("jpeg", "64"), ("jpeg", "128"), ("perfect", "64"), ("perfect", "128")]
    assert rows[2]["mean_psnr"] == "100.0"  # a perfect codec: PSNR capped at PSNR_CAP_DB
    writers.write_json(results, tmp_path / "r.json", metadata={"run": 1})
    data = json.loads((tmp_path / "r.json").read_text())
    assert data["metadata"] == {"run": 1}
    assert data["results"][2]["mean_psnr"] == 100.0
    assert math.isclose(data["results"][0]["mean_ssim"], results.get("jpeg", 64).mean_ssim)
    writers.write_per_image(results, tmp_path / "p.npz")
    with np.load(tmp_path / "p.npz") as arrays:
        np.testing.assert_array_equal(arrays["jpeg/64/payload_bytes"], results.get("jpeg", 64).payload_bytes)
    with pytest.raises(ValueError, match="targets \\[32\\] were not evaluated"):
        writers.format_table1(results, targets=(32,))


def test_plots(tmp_path):
    codecs = {"jpeg": get_baseline("jpeg"), "lstm": FakeNeuralCodec()}
    results = evaluate(IMAGES[:2], codecs, targets=(32, 64, 128), num_samples=2, progress=False)
    plots.plot_rate_distortion(results, tmp_path / "rd.png")
    plots.plot_samples(results, IMAGES[:2], tmp_path / "grid.png", targets=(64, 128))
    plots.plot_progressive({"lstm": codecs["lstm"]}, IMAGES[0], 64, tmp_path / "prog.png")
    for name in ("rd.png", "grid.png", "prog.png"):
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    no_samples = evaluate(IMAGES[:1], {"jpeg": codecs["jpeg"]}, targets=(64,), progress=False)
    with pytest.raises(ValueError, match="num_samples > 0"):
        plots.plot_samples(no_samples, IMAGES[:1], tmp_path / "x.png")
