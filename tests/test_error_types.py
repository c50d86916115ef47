"""Every input error is a ResidualCompressionError; bare ValueError/TypeError only by decision.

The AST scan keeps new ``raise ValueError(...)`` / ``raise TypeError(...)``
out of the package unless the line (or the one before it) says
``# not an input error: ...``: a broken contract inside the program, such as
a codec under evaluation returning a wrong shape, which must not be caught as
a caller's mistake. The concrete checks pin a few formerly bare errors to the
package's types, still ``ValueError`` / ``TypeError`` as before.
"""

import ast
import pathlib

import numpy as np
import pytest

from residual_compression.errors import ImageInputError
from residual_compression.errors import InvalidTypeError
from residual_compression.errors import InvalidValueError
from residual_compression.errors import ResidualCompressionError

REPO = pathlib.Path(__file__).resolve().parents[1]
SCANNED = ("residual_compression", "export", "zoo")
MARKER = "# not an input error"
BARE = {"ValueError", "TypeError"}


def _raised_name(node):
    exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
    if isinstance(exc, ast.Name):
        return exc.id
    if isinstance(exc, ast.Attribute):  # builtins.ValueError
        return exc.attr
    return None


def _unmarked_bare_raises(path, root=REPO):
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source, filename=str(path))):
        if isinstance(node, ast.Raise) and node.exc is not None and _raised_name(node) in BARE:
            nearby = lines[max(0, node.lineno - 2) : node.lineno]
            if not any(MARKER in line for line in nearby):
                found.append(f"{path.relative_to(root)}:{node.lineno}: raise {_raised_name(node)}")
    return found


def test_the_scan_sees_the_package():
    files = [p for folder in SCANNED for p in (REPO / folder).rglob("*.py")]
    assert len(files) > 50
    assert REPO / "residual_compression" / "evaluation" / "runner.py" in files


def test_bare_value_and_type_errors_are_marked_as_not_input_errors():
    paths = [path for folder in SCANNED for path in sorted((REPO / folder).rglob("*.py"))]
    offenders = [hit for path in paths for hit in _unmarked_bare_raises(path)]
    assert not offenders, (
        "raise a ResidualCompressionError subclass (residual_compression.validation has the standard "
        f"checks), or mark a broken internal contract with '{MARKER}: <why>':\n" + "\n".join(offenders)
    )


def test_the_scan_flags_an_unmarked_raise_and_accepts_a_marked_one(tmp_path):
    path = tmp_path / "sample.py"
    path.write_text(
        "def f(x):\n"
        "    if x:\n"
        "        raise ValueError('bad x')\n"
        "    # not an input error: a broken invariant\n"
        "    raise TypeError('bug')\n"
        "def g():\n"
        "    raise builtins.TypeError  # not an input error: the same line counts\n"
        "def h():\n"
        "    raise KeyError('not scanned')\n"
    )
    assert _unmarked_bare_raises(path, tmp_path) == ["sample.py:3: raise ValueError"]


def _raises(kind, builtin, fn, match=None):
    """``fn()`` raises ``kind`` (a ResidualCompressionError), which is also ``builtin``."""
    with pytest.raises(kind, match=match) as info:
        fn()
    assert isinstance(info.value, ResidualCompressionError) and isinstance(info.value, builtin)
    return info.value


def test_model_and_layer_arguments():
    from residual_compression.layers import ConvLSTM2D
    from residual_compression.layers import StochasticBinarizer
    from residual_compression.models import ConvAutoencoder
    from residual_compression.models import build_model

    _raises(InvalidValueError, ValueError, lambda: build_model("nope"), "`architecture`.*'nope'")
    _raises(InvalidValueError, ValueError, lambda: build_model("fc_lstm", colour=True), "unknown argument")
    _raises(InvalidValueError, ValueError, lambda: ConvAutoencoder(iterations=2), "`iterations` must be 1")
    _raises(InvalidValueError, ValueError, lambda: StochasticBinarizer(bits=4, projection="fc"), "`projection`")
    _raises(InvalidValueError, ValueError, lambda: StochasticBinarizer(bits=0, projection="dense"), "`bits`")
    _raises(InvalidTypeError, TypeError, lambda: StochasticBinarizer(bits=1.5, projection="conv"), "`bits`")
    _raises(InvalidValueError, ValueError, lambda: StochasticBinarizer(bits=4), "only used with a projection")
    _raises(InvalidValueError, ValueError, lambda: ConvLSTM2D(2).build((2, 4, 3)), "`inputs` must be a 4-D")


def test_loss_and_training_arguments():
    from residual_compression.loss import get_loss
    from residual_compression.loss import patch_ssim_map
    from residual_compression.training.compile import compile_for_training
    from residual_compression.training.data import ImageSequence

    _raises(InvalidValueError, ValueError, lambda: get_loss("nope"), "`loss`.*'nope'")
    odd = np.zeros((1, 12, 8, 3), np.float32)
    _raises(InvalidValueError, ValueError, lambda: patch_ssim_map(odd, odd), "multiples of 8")
    _raises(InvalidValueError, ValueError, lambda: compile_for_training(None, learning_rate=0), "`learning_rate`")
    images = np.zeros((2, 32, 32, 3), np.uint8)
    _raises(InvalidValueError, ValueError, lambda: ImageSequence(images, batch_size=3), r"`batch_size`.*\[1, 2\]")


def test_benchmark_and_tiling_arguments():
    from residual_compression.benchmarks import peak
    from residual_compression.benchmarks import throughput
    from residual_compression.tiling import spans

    _raises(InvalidValueError, ValueError, lambda: peak.conv_flops_per_call(1, 4, 8, 3, "backward"), "`mode`")
    _raises(InvalidValueError, ValueError, lambda: peak.matmul_flops(0.01, n=0), "`n`")
    _raises(InvalidValueError, ValueError, lambda: throughput.rate(lambda: None, 1, 0), "`seconds`")
    _raises(InvalidTypeError, TypeError, lambda: throughput.rate(lambda: None, 1, "1"), "`seconds`")
    _raises(InvalidValueError, ValueError, lambda: spans(10, 0, 1), "`core`")


def test_evaluation_arguments(tmp_path):
    from residual_compression.evaluation import baselines
    from residual_compression.evaluation import containers
    from residual_compression.evaluation import plots
    from residual_compression.evaluation import writers

    image = np.zeros((16, 16, 3), np.uint8)
    _raises(InvalidValueError, ValueError, lambda: baselines.get_baseline("gif"), "unknown baseline 'gif'")
    _raises(InvalidTypeError, TypeError, lambda: baselines.JpegCodec(optimize=1), "`optimize`")
    _raises(InvalidValueError, ValueError, lambda: baselines.AvifCodec(speed=11), "`speed`")
    _raises(InvalidTypeError, TypeError, lambda: baselines.TargetSearch(object(), image), "BaselineCodec")
    jpeg = baselines.JpegCodec()
    _raises(ImageInputError, ValueError, lambda: jpeg.encode(image[..., 0], 50), "shape")
    _raises(InvalidTypeError, TypeError, lambda: jpeg.decode("not bytes"), "data must be bytes, got str")
    _raises(InvalidTypeError, TypeError, lambda: containers.jpeg_payload_size("x"), "data must be bytes")
    out = tmp_path / "out"
    _raises(InvalidTypeError, TypeError, lambda: writers.write_json(None, out, metadata=[1]), "metadata")
    _raises(InvalidValueError, ValueError, lambda: plots.plot_progressive({}, image, 64, out), "codecs")


def test_a_codec_that_breaks_its_contract_is_not_an_input_error():
    from residual_compression.evaluation import runner

    with pytest.raises(ValueError, match="compress must return a list of 2") as info:
        runner._check_streams("broken", [b"12345678"], 2, 8)
    assert not isinstance(info.value, ResidualCompressionError)
