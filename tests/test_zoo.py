"""The zoo's preset records drive these tests over every preset."""

import dataclasses
import json
import pathlib
import subprocess
import sys

import numpy as np
import pytest

from conftest import write_run_folder
from residual_compression import ResidualCompressionError
from residual_compression import zoo
from residual_compression.models import ARCHITECTURES
from residual_compression.zoo import presets as presets_module


def test_the_seven_architectures_and_the_photo_presets():
    names = zoo.list_presets()
    assert len(names) == 28
    assert {zoo.get_preset(n).architecture for n in names} == set(ARCHITECTURES)
    for arch in ARCHITECTURES:
        assert f"{arch}_64B" in names and f"{arch}_128B" in names
    # The 256 B preset: the photo campaign's network unrolled to 16 iterations (16 x 16 raw bytes).
    long = zoo.get_preset("conv_lstm_photo16_256B")
    assert long.num_bytes == 256 and long.config == {**zoo.get_preset("conv_lstm_photo3_64B").config, "iterations": 16}
    # conv_lstm_photo4: one 16-iteration network behind the 64, 128 and 256 B presets.
    four = [zoo.get_preset(f"conv_lstm_photo4_{b}B") for b in (64, 128, 256)]
    assert [p.num_bytes for p in four] == [64, 128, 256] and len({p.sha256 for p in four}) == 1
    assert four[0].config == long.config and four[0].sha256 != long.sha256
    # conv_lstm_photo5: the same network trained on, the same three budgets, its own weights.
    five = [zoo.get_preset(f"conv_lstm_photo5_{b}B") for b in (64, 128, 256)]
    assert [p.num_bytes for p in five] == [64, 128, 256] and len({p.sha256 for p in five}) == 1
    # (its run's seed differs: it only seeds initialisation, and the weights are loaded)
    assert {**five[0].config, "seed": 0} == four[0].config and five[0].sha256 != four[0].sha256
    # The photo-trained conv LSTM: the same architecture and config, its own weights and ids.
    paper = zoo.get_preset("conv_lstm_64B")
    for name in ("conv_lstm_photo_64B", "conv_lstm_photo2_64B", "conv_lstm_photo3_64B"):
        photo = zoo.get_preset(name)
        assert photo.architecture == paper.architecture and photo.config == paper.config
        assert photo.sha256 != paper.sha256 and photo.family != paper.family
    photo_weights = {zoo.get_preset(f"conv_lstm_{v}_64B").sha256 for v in ("photo", "photo2", "photo3")}
    assert len(photo_weights) == 3


# Ids are written into every stream: these must never change.
STABLE_IDS = {
    "fc_residual_shared_64B": 1, "fc_residual_shared_128B": 2,
    "fc_residual_distinct_64B": 3, "fc_residual_distinct_128B": 4,
    "fc_lstm_64B": 5, "fc_lstm_128B": 6,
    "conv_residual_shared_64B": 7, "conv_residual_shared_128B": 8,
    "conv_residual_distinct_64B": 9, "conv_residual_distinct_128B": 10,
    "conv_autoencoder_64B": 11, "conv_autoencoder_128B": 12,
    "conv_lstm_64B": 13, "conv_lstm_128B": 14,
    "conv_lstm_photo_64B": 15, "conv_lstm_photo_128B": 16,
    "conv_lstm_photo2_64B": 17, "conv_lstm_photo2_128B": 18,
    "conv_lstm_photo3_64B": 19, "conv_lstm_photo3_128B": 20,
    "conv_lstm_photo16_128B": 21, "conv_lstm_photo16_256B": 22,
    "conv_lstm_photo4_64B": 23, "conv_lstm_photo4_128B": 24, "conv_lstm_photo4_256B": 25,
    "conv_lstm_photo5_64B": 26, "conv_lstm_photo5_128B": 27, "conv_lstm_photo5_256B": 28,
}  # fmt: skip


def test_ids_unique_and_stable():
    assert {n: zoo.get_preset(n).id for n in zoo.list_presets()} == STABLE_IDS
    for name, preset_id in STABLE_IDS.items():
        assert zoo.preset_for_id(preset_id).name == name


def test_registry_imports_neither_keras_nor_numpy():
    code = (
        "import sys; import residual_compression.zoo as zoo; zoo.get_preset('conv_lstm_64B');"
        "print(sorted(m for m in ('keras', 'numpy', 'tensorflow') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def _h5_shapes(path):
    import h5py

    shapes = []
    with h5py.File(path, "r") as f:
        f.visititems(lambda _, obj: shapes.append(tuple(obj.shape)) if isinstance(obj, h5py.Dataset) else None)
    return sorted(shapes)


@pytest.mark.parametrize("name", zoo.list_presets())
def test_record_config_is_what_loads(name):
    """``zoo.load`` builds the model from the record's config, that model takes
    every variable of the weights file, and the byte budget fits it."""
    from residual_compression.training.zoo_entry import stored_config

    preset = zoo.get_preset(name)
    codec = zoo.load(name)
    config = codec.model.get_config()
    assert {key: config[key] for key in preset.config} == preset.config
    assert codec.model_id == preset.id and codec.trained == preset.trained
    path = zoo.weights_path(name)
    if path is not None:
        assert _h5_shapes(path) == sorted(tuple(w.shape) for w in codec.model.weights), name
        stored = stored_config(path)
        if stored is not None:  # files written by make_zoo_entry record their config
            assert stored == {"architecture": preset.architecture, "config": preset.config}
    expected_iterations = 1 if preset.architecture == "conv_autoencoder" else preset.num_bytes // 16
    assert codec.bytes_per_iteration(32, 32) * expected_iterations == preset.num_bytes
    assert codec.max_iterations >= expected_iterations


def test_a_config_edit_changes_what_loads(monkeypatch):
    preset = zoo.get_preset("conv_lstm_64B")
    edited = dataclasses.replace(preset, config={**preset.config, "iterations": 4})
    monkeypatch.setitem(zoo._BY_NAME, preset.name, edited)
    assert zoo.load(preset.name).max_iterations == 4


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


@pytest.mark.usefixtures("loaded_once")  # the conv LSTM presets' codecs, as other modules loaded them
def test_progressive_presets_share_weights_across_budgets():
    a, b = zoo.load("conv_lstm_64B"), zoo.load("conv_lstm_128B")
    image = np.random.default_rng(0).integers(0, 256, (32, 32, 3), dtype=np.uint8)
    data = a.compress(image)
    assert len(data) == 8 + 64
    np.testing.assert_array_equal(b.decompress(data), a.decompress(data))
    long = b.compress(image)
    assert len(long) <= 8 + 128 and a.decompress(long).shape == (32, 32, 3)
    # Raw bits (format 1): the 64 B payload is a byte prefix of the 128 B one, with its own id.
    short, long = a.compress(image, format=1), b.compress(image, format=1)
    assert len(long) == 8 + 128 and long[8:72] == short[8:]


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


@pytest.mark.parametrize("name", zoo.list_presets())
def test_model_card_shows_the_record(name):
    preset = zoo.get_preset(name)
    card = (pathlib.Path(zoo.__file__).parent / name / "README.md").read_text()
    assert f"preset id {preset.id}, default budget {preset.num_bytes} B" in card
    assert f"| config | `{json.dumps(preset.config)}` |" in card
    if preset.trained:
        assert f"`{preset.weights}` (sha256 `{preset.sha256[:16]}...`)" in card
    assert f"| training | {preset.training} |" in card
    for data, rows in preset.results.items():
        cells = [str(rows[t]) if t in rows else "n/a" for t in (64, 128)]
        assert f"| {data} | {cells[0]} | {cells[1]} |" in card, data


def test_zoo_entry_records_the_config_in_the_weights_file(tmp_path):
    from residual_compression.models import build_model
    from residual_compression.training.zoo_entry import make_zoo_entry
    from residual_compression.training.zoo_entry import stored_config

    model = build_model("conv_residual_shared", width=0.0625, iterations=2)
    run = write_run_folder(tmp_path / "run", "conv_residual_shared", model)
    entry = make_zoo_entry(run, "fam", tmp_path / "zoo")
    stored = stored_config(tmp_path / "zoo" / entry["weights"])
    assert stored == {"architecture": "conv_residual_shared", "config": entry["config"]}
    assert build_model(stored["architecture"], **stored["config"]).get_config() == model.get_config()
