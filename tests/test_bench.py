"""``bench``: the conv peak reference, streaming rows, ``--train`` (speeds are reported, not asserted)."""

import subprocess
import sys

import pytest

from conftest import install_fake_zoo
from conftest import make_codec
from residual_compression.benchmarks import cli as bench_cli
from residual_compression.benchmarks import peak
from residual_compression.benchmarks import throughput
from residual_compression.benchmarks import training_speed
from residual_compression.evaluation import cli as evaluation_cli

# Peaks chosen so each utilisation is a known number: bf16 forward is twice
# float32's, and bf16 forward+backward a tenth (as on a CPU that emulates it).
PEAKS = {
    ("float32", "forward"): peak.ConvPeak("float32", "forward", 100e9, 0.1),
    ("float32", "forward+backward"): peak.ConvPeak("float32", "forward+backward", 120e9, 0.2),
    ("bfloat16", "forward"): peak.ConvPeak("bfloat16", "forward", 200e9, 0.05),
    ("bfloat16", "forward+backward"): peak.ConvPeak("bfloat16", "forward+backward", 12e9, 2.0),
}


def _cells(out, prefix):
    line = next(line for line in out.splitlines() if line.startswith(prefix))
    return [c.strip() for c in line.strip("|").split("|")]


@pytest.fixture
def fast_peaks(monkeypatch):
    """Replaces the measured peaks by ``PEAKS``, printed through the real formatter."""
    events = []

    def measure(seconds, *, on_peak=None, **shape):
        assert shape["batch"] == 3  # --peak-batch reaches the measurement
        for p in PEAKS.values():
            events.append(("peak", p.precision, p.mode))
            on_peak(p)
        return dict(PEAKS)

    monkeypatch.setattr(peak, "measure_peaks", measure)
    monkeypatch.setattr(peak, "matmul_flops", lambda seconds: 58e9)
    return events


def test_conv_flops_count_backward_as_twice_forward():
    forward = peak.conv_flops_per_call(128, 16, 128, 3)
    assert forward == 2 * 128 * 16 * 16 * 128 * 128 * 9
    assert peak.conv_flops_per_call(128, 16, 128, 3, "forward+backward") == 3 * forward


def test_conv_peak_measures_each_precision_and_pass():
    for precision in peak.PRECISIONS:
        for mode in peak.PASSES:
            p = peak.conv_peak(precision, mode, 0.01, batch=1, size=4, channels=8)
            assert (p.precision, p.mode) == (precision, mode)
            assert p.flops > 0 and p.seconds_per_call > 0
            flops_per_call = peak.conv_flops_per_call(1, 4, 8, 3, mode)
            assert p.flops * p.seconds_per_call == pytest.approx(flops_per_call)


@pytest.mark.parametrize(
    "kwargs, name",
    [({"precision": "float16"}, "precision"), ({"mode": "backward"}, "mode"), ({"batch": 0}, "batch")],
)
def test_conv_peak_names_a_bad_argument(kwargs, name):
    args = {"precision": "float32", "mode": "forward", **kwargs}
    with pytest.raises(ValueError, match=f"`{name}`"):
        peak.conv_peak(args.pop("precision"), args.pop("mode"), 0.01, **args)


def test_recommendation_follows_the_measured_peaks():
    assert peak.recommend_precision(PEAKS, "forward") == ("bfloat16", 2.0)
    assert peak.recommend_precision(PEAKS, "forward+backward") == ("float32", 0.1)


def test_utilisation_uses_the_forward_peak_of_the_models_precision():
    row = throughput.BenchRow("m", 64, 10.0, 20.0, 1_000_000, 4, 500_000, "float32")
    cells = [c.strip() for c in throughput.format_bench_row(row, PEAKS).strip("|").split("|")]
    # encode: 2 * (1e6 MACs * 4 iterations - 5e5 for the skipped last decoder step) * 10 img/s
    # = 70 MFLOP/s of 100 GFLOP/s
    assert cells[6] == "70 M" and cells[8] == "0.07%" and cells[-2:] == ["float32", "-"]
    bf16 = dataclass_replace(row, precision="bfloat16", encode_per_s=20.0)  # 140 M of 200 G
    assert throughput.format_bench_row(bf16, PEAKS).split("|")[9].strip() == "0.07%"
    unknown = dataclass_replace(row, precision="float16")  # no peak measured for it
    assert throughput.format_bench_row(unknown, PEAKS).split("|")[9].strip() == "-"


def dataclass_replace(row, **changes):
    import dataclasses

    return dataclasses.replace(row, **changes)


def test_bench_prints_peaks_then_each_row_as_it_finishes(capsys, monkeypatch, fast_peaks):
    codec = make_codec("conv_residual_shared")
    install_fake_zoo(monkeypatch, {"tiny": lambda: codec})
    real_rate = throughput.rate
    events = fast_peaks

    def rate(fn, items, seconds):
        events.append(("measure",))
        return real_rate(fn, items, seconds)

    monkeypatch.setattr(throughput, "rate", rate)
    monkeypatch.setattr(bench_cli, "_emit", lambda text: events.append(("print", text)))
    rc = evaluation_cli.main(["bench", "--models", "tiny", "--baselines", "jpeg", "--batch", "2",
                              "--seconds", "0.01", "--targets", "64", "128", "--peak-batch", "3"])
    assert rc == 0
    peaks = [i for i, e in enumerate(events) if e[0] == "peak"]
    measures = [i for i, e in enumerate(events) if e[0] == "measure"]
    rows = [i for i, e in enumerate(events) if e[0] == "print" and e[1].startswith("| ")]
    assert len(peaks) == 4 and peaks[-1] < measures[0]  # the reference comes first
    for i in peaks:  # each peak row is printed as soon as it is measured
        assert events[i + 1] == ("print", peak.format_peak_row(PEAKS[events[i][1:]]))
    tiny64 = next(i for i in rows if events[i][1].startswith("| tiny | 64 |"))
    # The 64 B row is printed before the 128 B row's measurements start.
    assert tiny64 < measures[2]
    out = "\n".join(e[1] for e in events if e[0] == "print")
    assert out.startswith("machine: numpy float32 matmul 58.0 GFLOP/s (numpy's BLAS")
    assert "| bfloat16 | forward+backward | 12.0 | 2000.0 |" in out
    assert "peak recommends float32 for training: bf16 forward+backward runs at 0.10x float32" in out
    assert _cells(out, "| tiny | 128 |")[-2:] == ["float32", "2"]
    # Each target in format 2, then in format 1; one inference row for each.
    tiny64_rows = [line for line in out.splitlines() if line.startswith("| tiny | 64 | ")]
    assert [line.strip("|").split("|")[-1].strip() for line in tiny64_rows] == ["2", "1", "2", "1"]
    inference = _cells(out, "| tiny | 64 | float32 |")
    assert len(inference) == 8 and inference[5].endswith("%") and float(inference[6]) > 0
    assert _cells(out, "| jpeg | 64 |")[4:] == ["-"] * 8
    assert "note: format 2 vs 1, tiny at 64 B: encode " in out and "; one thumbnail " in out


def test_format_comparison_divides_format_2_by_format_1():
    rows = [
        throughput.BenchRow("m", 64, 40.0, 30.0, 1, 5, 1, "float32", 2),
        throughput.BenchRow("m", 64, 50.0, 60.0, 1, 4, 1, "float32", 1),
        throughput.BenchRow("m", 128, 10.0, 10.0, 1, 8, 1, "float32", 2),  # no format-1 row: no line
    ]
    latency = [throughput.InferenceRow("m", 64, "float32", 1.0, None, 0.03, 2),
               throughput.InferenceRow("m", 64, "float32", 1.0, None, 0.02, 1)]
    assert throughput.format_comparison(rows, latency) == [
        "format 2 vs 1, m at 64 B: encode 0.80x and decode 0.50x the img/s (5 vs 4 iterations); "
        "one thumbnail 1.50x the ms"
    ]
    assert throughput.format_comparison(rows[:1]) == []


def _train_row(precision, per_s):
    return training_speed.TrainRow("conv_lstm", 0.5, 4, 8, precision, precision, 12.5, 3, per_s, 6e9, 0.25)


def test_bench_train_rows_recommendation_and_subprocess_arguments(capsys, monkeypatch, fast_peaks):
    calls = []

    def measure(architecture, *, precision, **kwargs):
        calls.append((architecture, precision, kwargs))
        return _train_row(precision, {"float32": 5.0, "bfloat16": 1.0}[precision]), None

    monkeypatch.setattr(training_speed, "measure_in_subprocess", measure)
    rc = evaluation_cli.main(["bench", "--train", "--arch", "conv_lstm", "--width", "0.5", "--iterations", "4",
                              "--batch", "8", "--peak-batch", "3"])
    out = capsys.readouterr().out
    assert rc == 0
    assert [c[1] for c in calls] == ["float32", "bfloat16"]
    assert calls[0][2] == {"width": 0.5, "iterations": 4, "batch": 8, "seconds": 10.0, "verbose": False}
    f32 = _cells(out, "| conv_lstm | 0.5 | 4 | 8 | float32")
    # 6 GFLOP/image * 5 img/s = 30 GFLOP/s of the 120 GFLOP/s float32 forward+backward peak
    assert f32[5:] == ["12.5", "3", "5.00", "30.0 G", "25.00%", "0.25"]
    assert _cells(out, "| conv_lstm | 0.5 | 4 | 8 | bfloat16")[9] == "50.00%"  # 6 of 12 GFLOP/s
    assert "recommended precision for training: float32 (bf16 trains at 0.20x float32" in out
    assert out.index("| float32 | forward |") < out.index("| conv_lstm |")


def test_bench_train_reports_a_failed_precision_and_goes_on(capsys, monkeypatch, fast_peaks):
    def measure(architecture, *, precision, **kwargs):
        if precision == "bfloat16":
            return None, "conv_lstm bfloat16 training failed: boom"
        return _train_row(precision, 5.0), None

    monkeypatch.setattr(training_speed, "measure_in_subprocess", measure)
    assert evaluation_cli.main(["bench", "--train", "--peak-batch", "3", "--seconds", "1"]) == 0
    out = capsys.readouterr().out
    assert "note: conv_lstm bfloat16 training failed: boom" in out and "recommended" not in out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--train", "--models", "x"], "training only"),
        (["--train", "--large", "64x64"], "not both"),
        (["--train", "--precisions", "float16"], "invalid choice"),
        (["--train", "--arch", "vit"], "invalid choice"),
    ],
)
def test_bench_train_argument_errors(capsys, argv, message):
    try:
        rc = evaluation_cli.main(["bench", *argv])
    except SystemExit as exc:
        rc = exc.code
    assert rc == 2 and message in capsys.readouterr().err


def test_training_subprocess_failure_is_one_line():
    row, reason = training_speed.measure_in_subprocess("not_an_arch", precision="float32", batch=2)
    assert row is None and reason.startswith("not_an_arch float32 training failed:") and "invalid choice" in reason


@pytest.mark.slow
def test_training_speed_in_a_fresh_process_per_precision():
    for precision in training_speed.PRECISIONS:
        row, reason = training_speed.measure_in_subprocess(
            "conv_autoencoder", precision=precision, width=0.0625, iterations=1, batch=2, seconds=0.01, min_steps=1
        )
        assert reason is None and row.precision == precision and row.compute_dtype == precision
        assert row.steps >= 1 and row.per_s > 0 and row.first_step_s > 0 and row.loss == row.loss
    from residual_compression.models import build_model

    model = build_model("conv_autoencoder", width=0.0625, seed=0)
    assert row.flops_per_image == 3 * 2 * model.macs_per_iteration(32, 32)


def test_benchmarks_import_nothing_heavy():
    code = (
        "import sys, residual_compression.benchmarks, residual_compression.benchmarks.cli; "
        "print(sorted(m for m in ('numpy', 'tensorflow', 'keras') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "[]", result.stderr
