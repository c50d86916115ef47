"""Encoder-side bit search (code_search.py, ProgressiveCodec(search_steps=N), evaluate --search-steps)."""

import json

import numpy as np
import pytest

from conftest import install_fake_zoo
from conftest import small_model
from conftest import synthetic_images
from residual_compression import ResidualCompressionError
from residual_compression.codec import ProgressiveCodec
from residual_compression.codec_streams import SEARCH_L1_WEIGHT
from residual_compression.codec_streams import _objective
from residual_compression.scaling import to_model_space

keras = pytest.importorskip("keras")
pytestmark = pytest.mark.skipif(
    keras.config.backend() not in ("tensorflow", "jax"), reason="the search needs TensorFlow or JAX gradients"
)


def _model():
    return small_model("conv_lstm")


def _codec(**changes):
    return ProgressiveCodec(_model(), model_id=13, name="small", **changes)


def test_zero_steps_is_the_greedy_code():
    from residual_compression.code_search import search_codes

    model = _model()
    x = to_model_space(synthetic_images(3, seed=2))
    codes, losses = search_codes(model, x, 3, 0, l1_weight=SEARCH_L1_WEIGHT)
    greedy, _ = model.encode(x, 3)
    for a, b in zip(codes, greedy):
        np.testing.assert_array_equal(a, np.asarray(b))
    assert losses.shape == (3,) and np.isfinite(losses).all()


def test_search_never_loses_and_reports_the_loss_of_its_bits():
    from residual_compression.code_search import search_codes

    model = _model()
    x = to_model_space(synthetic_images(4, seed=3))
    _, greedy = search_codes(model, x, 2, 0, l1_weight=SEARCH_L1_WEIGHT)
    codes, losses = search_codes(model, x, 2, 15, l1_weight=SEARCH_L1_WEIGHT, learning_rate=0.1)
    assert (losses <= greedy + 1e-6).all() and (losses < greedy - 1e-4).any()
    assert set(np.unique(np.concatenate([c.ravel() for c in codes]))) <= {-1.0, 1.0}
    # The reported loss is the objective of the returned bits, decoded.
    images = synthetic_images(4, seed=3)
    decoded = _codec().decode(np.stack(codes, axis=1).astype(np.int8), 32, 32)
    np.testing.assert_allclose(_objective(images, decoded), losses, atol=0.01)


def test_continue_codes_keeps_the_prefix_and_is_the_closed_loop():
    from residual_compression.code_search import continue_codes

    model = _model()
    x = to_model_space(synthetic_images(2, seed=4))
    greedy, _ = model.encode(x, 4)
    same = continue_codes(model, x, [np.asarray(c) for c in greedy[:2]], 4)
    for a, b in zip(same, greedy):
        np.testing.assert_array_equal(a, np.asarray(b))
    flipped = [-np.asarray(greedy[0])]
    other = continue_codes(model, x, flipped, 3)
    np.testing.assert_array_equal(other[0], flipped[0])
    assert len(other) == 3 and any((a != np.asarray(b)).any() for a, b in zip(other[1:], greedy[1:3]))
    with pytest.raises(ResidualCompressionError, match="iterations"):
        continue_codes(model, x, flipped * 3, 2)


@pytest.mark.parametrize("fmt", [1, 2])
def test_codec_search_fills_the_budget_and_never_decodes_worse(fmt):
    images = synthetic_images(4, seed=5)
    greedy = _codec()
    searched = _codec(search_steps=10)
    for budget in (20, 40, None):
        kwargs = {"iterations": 2} if budget is None else {"num_bytes": budget}
        plain = greedy.compress(images, format=fmt, **kwargs)
        better = searched.compress(images, format=fmt, **kwargs)
        if budget is not None:
            assert [len(s) - greedy.stream_header_size(s) for s in better] == [budget] * 4
        else:
            assert all(greedy.progressive(s).shape[0] == 2 for s in better)
        before = _objective(images, greedy.decompress(plain))
        after = _objective(images, greedy.decompress(better))  # the plain decoder reads them
        assert (after <= before + 1e-12).all()
    assert searched.replace(batch_size=2).search_steps == 10


def test_search_steps_is_validated():
    with pytest.raises(ResidualCompressionError, match="search_steps.*-1"):
        _codec(search_steps=-1)
    with pytest.raises(TypeError, match="search_steps"):
        _codec(search_steps=1.5)


def test_evaluate_adds_a_row_per_search_setting(tmp_path, capsys, monkeypatch):
    from residual_compression.evaluation import cli

    install_fake_zoo(monkeypatch, {"small": _codec})
    np.savez(tmp_path / "set.npz", images=synthetic_images(2, seed=6))
    rc = cli.main(["evaluate", "--images", str(tmp_path / "set.npz"), "--models", "small", "--baselines",
                   "--search-steps", "0", "3", "--targets", "32", "--no-plots", "--out", str(tmp_path / "o"),
                   "--no-progress"])
    assert rc == 0
    rows = [line.split(" | ")[0] for line in capsys.readouterr().out.strip().splitlines()[2:]]
    assert rows == ["| small", "| small + search 3"]
    data = json.loads((tmp_path / "o" / "results.json").read_text())
    assert data["metadata"]["codecs"] == {"small": "ProgressiveCodec", "small+search3": "ProgressiveCodec"}
