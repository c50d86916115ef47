"""End-to-end tests of the ``evaluate`` and ``bench`` subcommands."""

import argparse
import importlib.util
import json
import os
import sys

import numpy as np
import pytest
from PIL import Image

import residual_compression
from conftest import install_fake_zoo
from residual_compression.evaluation import cli
from conftest import synthetic_images

_spec = importlib.util.spec_from_file_location("_eval_fake_codec", os.path.join(os.path.dirname(__file__), "test_eval_runner.py"))
_runner_tests = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_runner_tests)
FakeNeuralCodec = _runner_tests.FakeNeuralCodec


@pytest.fixture
def image_folder(tmp_path):
    folder = tmp_path / "images"
    folder.mkdir()
    for i, image in enumerate(synthetic_images(4, 40, 40, seed=7)):
        Image.fromarray(image).save(folder / f"img{i}.png")
    (folder / "zz_broken.png").write_bytes(b"\x89PNG broken")
    return folder


@pytest.fixture
def fake_zoo(monkeypatch):
    return install_fake_zoo(
        monkeypatch, {"fake-lstm": FakeNeuralCodec, "fake-64B": lambda: FakeNeuralCodec(max_bytes=64)}
    )


def test_register_adds_both_subcommands():
    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["evaluate", "--images", "x"])
    assert args.func is cli.run_evaluate and args.targets == [64, 128] and args.size == "thumb"
    assert parser.parse_args(["bench"]).func is cli.run_bench


def test_evaluate_end_to_end_with_baselines(image_folder, tmp_path, capsys):
    out = tmp_path / "out"
    rc = cli.main(
        ["evaluate", "--images", str(image_folder), "--baselines", "jpeg", "webp", "--targets", "64", "128",
         "--rd-targets", "32", "96", "--samples", "2", "--out", str(out), "--no-progress"]
    )
    captured = capsys.readouterr()
    assert rc == 0
    assert "zz_broken.png" in captured.err
    lines = captured.out.strip().splitlines()
    assert lines[0].startswith("| Method | SSIM / 64B Target")
    assert [line.split(" | ")[0] for line in lines[2:]] == ["| Header-less JPEG", "| Header-less WebP"]
    for name in ("table.md", "results.csv", "results.json", "per_image.npz", "rate_distortion.png", "samples.png"):
        assert (out / name).is_file(), name
    data = json.loads((out / "results.json").read_text())
    assert data["num_images"] == 4
    assert data["targets"] == [32, 64, 96, 128]
    assert data["metadata"]["skipped_files"][0][0] == "zz_broken.png"
    assert "Header-less WebP" in (out / "table.md").read_text()


def test_evaluate_default_baselines_and_models(image_folder, tmp_path, capsys, fake_zoo):
    out = tmp_path / "out"
    rc = cli.main(["evaluate", "--images", str(image_folder), "--models", "fake-lstm", "--limit", "2",
                   "--rd-targets", "--out", str(out), "--no-progress"])
    captured = capsys.readouterr()
    assert rc == 0
    rows = [line.split(" | ")[0] for line in captured.out.strip().splitlines()[2:]]
    from residual_compression.evaluation.baselines import available_baselines, get_baseline

    assert rows == ["| Fake Conv/Deconv LSTM"] + [f"| {get_baseline(n).label}" for n in available_baselines()]
    assert (out / "progressive.png").is_file()
    assert json.loads((out / "results.json").read_text())["num_images"] == 2


def test_evaluate_npz_full_size(tmp_path, capsys):
    np.savez(tmp_path / "set.npz", images=synthetic_images(2, 24, 24))
    rc = cli.main(["evaluate", "--images", str(tmp_path / "set.npz"), "--baselines", "jpeg", "--targets", "64",
                   "--size", "full", "--no-plots", "--out", str(tmp_path / "o"), "--no-progress"])
    assert rc == 0
    data = json.loads((tmp_path / "o" / "results.json").read_text())
    assert data["image_shapes"] == [[24, 24, 3]]


def _bad(tmp_path):
    (tmp_path / "empty").mkdir()
    np.savez(tmp_path / "noimages.npz", pictures=np.zeros((1, 32, 32, 3), np.uint8))
    np.savez(tmp_path / "float.npz", images=np.zeros((1, 32, 32, 3), np.float64))
    return {
        "missing": (["--images", str(tmp_path / "nowhere")], "no such file or folder"),
        "empty": (["--images", str(tmp_path / "empty")], "no image files"),
        "noimages": (["--images", str(tmp_path / "noimages.npz")], "no 'images' array"),
        "dtype": (["--images", str(tmp_path / "float.npz")], "dtype uint8, got dtype float64"),
    }


@pytest.mark.parametrize("case", ["missing", "empty", "noimages", "dtype"])
def test_evaluate_bad_input_exit_code_2(tmp_path, capsys, case):
    argv, message = _bad(tmp_path)[case]
    rc = cli.main(["evaluate", *argv, "--baselines", "jpeg", "--out", str(tmp_path / "o"), "--no-progress"])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2
    assert len(err) == 1 and err[0].startswith("error: ") and message in err[0]


def test_unknown_baseline_and_missing_zoo(image_folder, tmp_path, capsys, monkeypatch):
    rc = cli.main(["evaluate", "--images", str(image_folder), "--baselines", "gif", "--no-progress"])
    assert rc == 2 and "unknown baseline 'gif'" in capsys.readouterr().err
    monkeypatch.setitem(sys.modules, "residual_compression.zoo", None)
    monkeypatch.delattr(residual_compression, "zoo", raising=False)
    rc = cli.main(["evaluate", "--images", str(image_folder), "--models", "m", "--no-progress"])
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error: ")]
    assert rc == 2 and len(errors) == 1 and "residual_compression.zoo" in errors[0]


def test_ms_ssim_on_thumbnails_is_bad_input(image_folder, tmp_path, capsys):
    rc = cli.main(["evaluate", "--images", str(image_folder), "--baselines", "jpeg", "--ms-ssim",
                   "--out", str(tmp_path / "o"), "--no-progress"])
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error: ")]
    assert rc == 2 and len(errors) == 1 and "160 pixels" in errors[0]


def test_unknown_model(image_folder, capsys, fake_zoo):
    rc = cli.main(["evaluate", "--images", str(image_folder), "--models", "nope", "--no-progress"])
    assert rc == 2 and "cannot load model 'nope'" in capsys.readouterr().err


def test_argparse_rejects_bad_numbers(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["evaluate", "--images", "x", "--targets", "-3"])
    assert exc.value.code == 2


def test_bench_prints_rows(capsys, fake_zoo):
    rc = cli.main(["bench", "--models", "fake-lstm", "--baselines", "jpeg", "--batch", "3", "--seconds", "0.01",
                   "--targets", "64", "128", "--no-progress", "--peak-batch", "2"])
    out = capsys.readouterr().out
    assert rc == 0
    assert out.startswith("machine: numpy float32 matmul ")
    for row in ("| fake-lstm | 64 |", "| fake-lstm | 128 |", "| jpeg | 64 |", "| jpeg | 128 |"):
        assert row in out
    fake_row = next(line for line in out.splitlines() if line.startswith("| fake-lstm | 128 |"))
    cells = [c.strip() for c in fake_row.strip("|").split("|")]
    assert cells[4] == "1.02 M" and cells[5] == "8"  # MACs/img/iter, iterations
    # Achieved FLOP/s is a measured number: only its format is checked (any SI prefix).
    assert cells[7].split()[-1] in {"k", "M", "G", "T"} and cells[8].endswith("%") and cells[9].endswith("%")
    jpeg_row = next(line for line in out.splitlines() if line.startswith("| jpeg | 64 |"))
    assert jpeg_row.rstrip().endswith("| - | - | - | - | - | - |")


def test_bench_notes_unsupported_target(capsys, fake_zoo):
    rc = cli.main(["bench", "--models", "fake-64B", "--baselines", "--batch", "2", "--seconds", "0.01",
                   "--targets", "64", "128", "--peak-batch", "2"])
    out = capsys.readouterr().out
    assert rc == 0
    assert "| fake-64B | 64 |" in out and "| fake-64B | 128 |" not in out
    assert "note: fake-64B skipped at 128 B" in out


def test_evaluate_model_with_unsupported_target(image_folder, tmp_path, capsys, fake_zoo):
    out = tmp_path / "out"
    rc = cli.main(["evaluate", "--images", str(image_folder), "--models", "fake-64B", "--baselines", "jpeg",
                   "--limit", "2", "--rd-targets", "32", "--out", str(out), "--no-progress"])
    captured = capsys.readouterr()
    assert rc == 0
    assert "note: fake-64B does not support 128 B" in captured.err
    assert captured.out.splitlines()[2].endswith("| n/a |")
    assert (out / "progressive.png").is_file()
