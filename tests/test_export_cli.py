"""The ``export`` subcommand (export/cli.py), through its own argparse parser."""

import argparse
import json

import pytest

from residual_compression import zoo

keras = pytest.importorskip("keras")

pytestmark = pytest.mark.skipif(
    keras.config.backend() != "tensorflow", reason="export needs the TensorFlow Keras backend"
)


def run(argv):
    from residual_compression.export import cli

    parser = argparse.ArgumentParser(prog="residual-compression")
    sub = parser.add_subparsers(dest="command", required=True)
    cli.register(sub)
    args = parser.parse_args(argv)
    return args.func(args)


def test_export_preset_both_formats(tmp_path, capsys):
    pytest.importorskip("ai_edge_litert")
    out = tmp_path / "fc"
    code = run(["export", "fc_residual_shared_64B", str(out), "--format", "both", "--max-iterations", "2"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    trained = zoo.get_preset("fc_residual_shared_64B").weights is not None
    assert ("UNTRAINED" in captured.err) != trained  # untrained presets are flagged
    assert "fc_residual_shared_64B (id 1)" in captured.out and "identical codes" in captured.out
    meta = json.loads((out / "export.json").read_text())
    assert meta["model"] == "fc_residual_shared_64B" and meta["max_iterations"] == 2
    assert meta["compatible_ids"] == [1, 2] and meta["trained"] is trained
    assert (out / "saved_model" / "saved_model.pb").is_file() and (out / "encoder.tflite").is_file()

    # A second export into the same folder needs --overwrite.
    assert run(["export", "fc_residual_shared_64B", str(out), "--max-iterations", "2", "--no-verify"]) == 1
    assert "--overwrite" in capsys.readouterr().err
    code = run(["export", "fc_residual_shared_64B", str(out), "--max-iterations", "1", "--no-verify", "--overwrite"])
    assert code == 0
    assert "not verified" in capsys.readouterr().out
    assert json.loads((out / "export.json").read_text())["max_iterations"] == 1


def test_errors(tmp_path, capsys):
    assert run(["export", "no_such_model", str(tmp_path / "x")]) == 1
    assert "unknown preset" in capsys.readouterr().err
    assert run(["export", "conv_lstm_64B", str(tmp_path / "y"), "--max-iterations", "17"]) == 1
    assert "more than" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        run(["export", "conv_lstm_64B", str(tmp_path / "z"), "--format", "onnx"])
    with pytest.raises(SystemExit):
        run(["export", "conv_lstm_64B", str(tmp_path / "z"), "--size", "32"])
    with pytest.raises(SystemExit):
        run(["export", "conv_lstm_64B", str(tmp_path / "z"), "--max-iterations", "0"])
