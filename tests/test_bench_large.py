"""``bench --large``: one large image, seconds and peak memory (numbers not asserted)."""

import numpy as np
import pytest
from PIL import Image

from conftest import install_fake_zoo
from conftest import make_codec
from residual_compression.benchmarks.large_image import _psnr
from residual_compression.evaluation import cli
from residual_compression.images import synthetic_images


def smooth_image(height, width, seed=0):
    return synthetic_images(1, height, width, seed)[0]


@pytest.fixture
def small_zoo(monkeypatch):
    codec = make_codec("conv_lstm")
    install_fake_zoo(monkeypatch, {"tiny": lambda: codec, "tiny_limited": lambda: codec.replace(max_pixels=64 * 64)})
    return codec


def _rows(out):
    return [[c.strip() for c in line.strip("|").split("|")] for line in out.splitlines() if line.startswith("| tiny")]


def test_bench_large_reports_a_tiled_image(capsys, small_zoo):
    # One row of tiles: each tile shape at each iteration count is a graph of its own to compile.
    assert small_zoo.is_tiled(180, 400)
    rc = cli.main(["bench", "--large", "400x180", "--models", "tiny", "--targets", "32", "64"])
    out = capsys.readouterr().out
    assert rc == 0 and out.startswith("image: 400x180 (synthetic); tiles of at most 256x256")
    rows = _rows(out)
    assert [r[1:3] for r in rows] == [["32", "2"], ["64", "4"]]
    for row in rows:  # entropy-coded: at most the raw 400 * 180 / 64 B per iteration, plus a header
        assert 0 < int(row[3]) <= 16 + int(row[2]) * 1125
    for row in rows:
        before, encode_peak, decode_peak = float(row[6]), float(row[7].split()[0]), float(row[8].split()[0])
        assert 0 < before <= encode_peak and decode_peak > 0  # resident MiB
        assert float(row[-1]) > 5  # PSNR of the untrained model's reconstruction: finite


def test_bench_large_resizes_a_given_file(tmp_path, capsys, small_zoo):
    path = tmp_path / "photo.png"
    Image.fromarray(smooth_image(50, 70)).save(path)
    assert cli.main(["bench", "--large", "96x64", "--models", "tiny", "--targets", "16", "--images", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("image: 96x64 (photo.png)") and len(_rows(out)) == 1


def test_bench_large_errors(tmp_path, capsys, small_zoo):
    with pytest.raises(SystemExit):
        cli.main(["bench", "--large", "400by300", "--models", "tiny"])
    assert "WIDTHxHEIGHT" in capsys.readouterr().err
    assert cli.main(["bench", "--large", "64x64", "--baselines", "jpeg"]) == 2
    assert "needs --models" in capsys.readouterr().err
    missing = tmp_path / "missing.png"
    assert cli.main(["bench", "--large", "64x64", "--models", "tiny", "--images", str(missing)]) == 2
    assert "missing.png" in capsys.readouterr().err


def test_bench_large_notes_an_image_over_the_codec_limit(capsys, small_zoo):
    assert cli.main(["bench", "--large", "100x100", "--models", "tiny_limited", "--targets", "16"]) == 0
    out = capsys.readouterr().out
    assert not _rows(out) and "note: tiny_limited skipped at 16 B" in out and "max_pixels" in out


def test_banded_psnr_matches_the_metric():
    from residual_compression.evaluation.metrics import psnr

    a, b = smooth_image(300, 20, seed=1), smooth_image(300, 20, seed=2)
    assert _psnr(a, b, rows=7) == pytest.approx(psnr(a, b), rel=1e-9)
    assert _psnr(a, a) == float("inf")
