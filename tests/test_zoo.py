"""The zoo registry table drives these tests over every preset."""

import numpy as np
import pytest

from residual_compression import ResidualCompressionError
from residual_compression import zoo
from residual_compression.models import ARCHITECTURES
from residual_compression.zoo import presets as presets_module


def test_fourteen_presets_for_seven_architectures():
    names = zoo.list_presets()
    assert len(names) == 14
    assert {zoo.get_preset(n).architecture for n in names} == set(ARCHITECTURES)
    for arch in ARCHITECTURES:
        assert f"{arch}_64B" in names and f"{arch}_128B" in names


def test_ids_unique_and_stable():
    ids = [zoo.get_preset(n).id for n in zoo.list_presets()]
    assert len(set(ids)) == len(ids)
    # Ids are written into files: these must never change.
    assert zoo.get_preset("conv_lstm_64B").id == 13
    assert zoo.get_preset("conv_lstm_128B").id == 14
    assert zoo.preset_for_id(13).name == "conv_lstm_64B"


def test_duplicates_fail_at_import():
    p = presets_module.PRESETS[0]
    with pytest.raises(RuntimeError, match="duplicate preset name"):
        zoo._index([p, p])
    other = presets_module.Preset("other", p.id, p.architecture, {}, 64, "x")
    with pytest.raises(RuntimeError, match="duplicate preset id"):
        zoo._index([p, other])


def test_unknown_name_suggests_close_ones():
    with pytest.raises(ResidualCompressionError, match="conv_lstm_64B"):
        zoo.get_preset("conv_lstm_64")
    with pytest.raises(ResidualCompressionError, match="no preset has model id"):
        zoo.preset_for_id(999)


@pytest.mark.parametrize("name", zoo.list_presets())
def test_every_preset_builds_with_its_byte_budget(name):
    preset = zoo.get_preset(name)
    codec = zoo.load(name)
    assert codec.model_id == preset.id
    expected_iterations = 1 if preset.architecture == "conv_autoencoder" else preset.num_bytes // 16
    assert codec.bytes_per_iteration(32, 32) * expected_iterations == preset.num_bytes
    assert codec.max_iterations >= expected_iterations
    assert codec.trained == (preset.weights is not None)


def test_progressive_presets_share_weights_across_budgets():
    a, b = zoo.load("conv_lstm_64B"), zoo.load("conv_lstm_128B")
    image = np.random.default_rng(0).integers(0, 256, (32, 32, 3), dtype=np.uint8)
    data = a.compress(image)
    assert len(data) == 8 + 64
    np.testing.assert_array_equal(b.decompress(data), a.decompress(data))
    long = b.compress(image)
    assert len(long) == 8 + 128 and long[8:72] == data[8:]  # same payload prefix, own id


@pytest.fixture
def fake_trained_preset(tmp_path, monkeypatch):
    """A preset whose weights file lives in a temporary zoo folder."""
    import hashlib

    from residual_compression.models import build_model

    config = {"width": 0.0625, "iterations": 2}
    model = build_model("conv_residual_shared", **config)
    (tmp_path / "fake").mkdir()
    path = tmp_path / "fake" / "fake.weights.h5"
    model.save_weights(path)
    preset = presets_module.Preset(
        "fake_64B", 999, "conv_residual_shared", config, 32, "fake",
        weights="fake/fake.weights.h5", sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
    )
    monkeypatch.setattr(zoo, "_HERE", tmp_path)
    monkeypatch.setitem(zoo._BY_NAME, preset.name, preset)
    return preset, path, model


def test_trained_preset_loads_verified_weights(fake_trained_preset):
    preset, _, model = fake_trained_preset
    codec = zoo.load(preset.name)
    assert codec.trained
    for a, b in zip(codec.model.weights, model.weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_tampered_weights_refused(fake_trained_preset):
    preset, path, _ = fake_trained_preset
    data = bytearray(path.read_bytes())
    data[-100] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ResidualCompressionError, match="sha256"):
        zoo.load(preset.name)


def test_missing_weights_refused(fake_trained_preset):
    preset, path, _ = fake_trained_preset
    path.unlink()
    with pytest.raises(ResidualCompressionError, match="missing"):
        zoo.load(preset.name)
