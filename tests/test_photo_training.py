"""Photo-thumbnail training data, the patch-SSIM + L1 objective, and a photo training run."""

import numpy as np
import pytest
from PIL import Image

from conftest import synthetic_images
from residual_compression.evaluation.metrics import patch_ssim
from residual_compression.loss import PatchSSIML1Loss
from residual_compression.loss import ResidualL2Loss
from residual_compression.loss import get_loss
from residual_compression.loss import patch_ssim_map
from residual_compression.scaling import from_model_space
from residual_compression.scaling import to_model_space
from residual_compression.training.photos import ThumbnailSequence
from residual_compression.training.photos import is_validation_photo
from residual_compression.training.photos import photo_split
from residual_compression.training.photos import random_thumbnail


def _photo_folder(tmp_path, n=24, seed=0):
    rng = np.random.default_rng(seed)
    for i in range(n):
        h, w = rng.integers(40, 120, size=2)
        y, x = np.mgrid[0:h, 0:w]
        image = np.stack([(x * 255 // w), (y * 255 // h), rng.integers(0, 256, (h, w))], -1)
        Image.fromarray(image.astype(np.uint8)).save(tmp_path / f"photo_{i:03d}.png")
    return tmp_path


def test_patch_ssim_map_is_the_evaluation_metric():
    rng = np.random.default_rng(1)
    a = synthetic_images(3, 32, 40)
    b = np.clip(a.astype(int) + rng.integers(-30, 30, a.shape), 0, 255).astype(np.uint8)
    ours = np.asarray(patch_ssim_map(a.astype("float32"), b.astype("float32"))).mean(axis=(1, 2, 3))
    np.testing.assert_allclose(ours, patch_ssim(a, b), atol=2e-5)


def test_ssim_l1_loss_values_and_gradient():
    import keras

    x = to_model_space(synthetic_images(2))
    perfect = np.repeat(x[:, None], 3, axis=1)
    loss = PatchSSIML1Loss(l1_weight=0.1)
    assert float(loss(x, perfect)) == pytest.approx(0.0, abs=1e-5)
    noisy = perfect + np.random.default_rng(0).normal(0, 0.2, perfect.shape).astype("float32")
    worse = float(loss(x, noisy))
    assert worse > 0.05
    # Per iteration: the expected value is the mean over iterations of 1 - SSIM + 0.1 L1/1.8.
    recon = from_model_space(noisy[:, 1])
    expected_ssim_term = 1 - patch_ssim(synthetic_images(2), recon).mean()
    only_ssim = float(PatchSSIML1Loss(l1_weight=0.0)(x, noisy))
    assert only_ssim == pytest.approx(expected_ssim_term, abs=0.03)
    variable = keras.Variable(noisy)
    import tensorflow as tf

    with tf.GradientTape() as tape:
        value = loss(x, variable)
    grad = tape.gradient(value, variable)
    assert np.all(np.isfinite(grad.numpy())) and np.abs(grad.numpy()).sum() > 0


def test_get_loss_names_and_rejects_unknown():
    assert isinstance(get_loss("l2"), ResidualL2Loss)
    assert isinstance(get_loss("ssim_l1"), PatchSSIML1Loss)
    with pytest.raises(ValueError, match="`loss` must be one of"):
        get_loss("mse")
    with pytest.raises(ValueError, match="l1_weight"):
        PatchSSIML1Loss(l1_weight=-1)


@pytest.mark.parametrize("cls", [ResidualL2Loss, PatchSSIML1Loss])
def test_iteration_weights_weigh_the_iterations(cls):
    x = to_model_space(synthetic_images(2))
    rng = np.random.default_rng(3)
    # three iterations, each further from x, then a partial-iteration output
    y = np.stack([x + rng.normal(0, s, x.shape).astype("float32") for s in (0.05, 0.1, 0.2, 0.3)], axis=1)
    per = [float(cls(reduction=None)(x, y[:, k : k + 1]).numpy().mean()) for k in range(4)]
    plain = float(cls()(x, y[:, :3]))
    assert plain == pytest.approx(np.mean(per[:3]), rel=1e-5)
    assert float(cls(iteration_weights=(2, 2, 2))(x, y[:, :3])) == pytest.approx(plain, rel=1e-5)
    assert float(cls(iteration_weights=(0, 1, 0))(x, y[:, :3])) == pytest.approx(per[1], rel=1e-5)
    # the partial-iteration output (a 4th entry) weighs 1 beside the given weights
    assert float(cls(iteration_weights=(0, 0, 3))(x, y)) == pytest.approx((3 * per[2] + per[3]) / 4, rel=1e-5)
    loss = cls(iteration_weights=[1, 3, 0.5])
    assert loss.iteration_weights == (1.0, 3.0, 0.5)
    assert cls.from_config(loss.get_config()).get_config() == loss.get_config()
    with pytest.raises(ValueError, match="`iteration_weights` has 3 entries but the model gives 2"):
        loss(x, y[:, :2])


@pytest.mark.parametrize("bad", [(0, 0), (1, -1), (), "1,2"])
def test_iteration_weights_are_checked(bad):
    with pytest.raises(ValueError, match="iteration_weights"):
        get_loss("l2", iteration_weights=bad)


def test_photo_split_is_by_name_and_stable(tmp_path):
    folder = _photo_folder(tmp_path)
    train, validation = photo_split(folder)
    assert len(train) + len(validation) == 24
    assert not {f.name for f in train} & {f.name for f in validation}
    assert all(is_validation_photo(f.name) for f in validation)
    # Adding a file does not move any other file between the splits.
    Image.new("RGB", (50, 50)).save(folder / "zzz_new.png")
    train2, validation2 = photo_split(folder)
    assert {f.name for f in validation} <= {f.name for f in validation2}
    assert {f.name for f in train} <= {f.name for f in train2}


def test_random_thumbnail_whole_crop_and_antialiasing():
    rng = np.random.default_rng(0)
    # A one-pixel checkerboard averages to grey when properly antialiased.
    board = ((np.indices((128, 96)).sum(0) % 2) * 255).astype(np.uint8)
    photo = np.repeat(board[..., None], 3, axis=2)
    whole = random_thumbnail(photo, rng, size=32, whole=1.0)
    assert whole.shape == (32, 32, 3) and whole.dtype == np.uint8
    assert abs(float(whole.mean()) - 127.5) < 6 and whole.std() < 20
    crops = [random_thumbnail(photo, np.random.default_rng(i), size=32, whole=0.0) for i in range(8)]
    assert all(c.shape == (32, 32, 3) for c in crops)
    assert len({c.tobytes() for c in crops}) > 1


def test_thumbnail_sequence_mixes_and_is_deterministic():
    photos = [np.full((64, 80, 3), 200, np.uint8)]
    extra = np.zeros((10, 32, 32, 3), np.uint8)
    seq = ThumbnailSequence(photos, extra, extra_fraction=0.5, batch_size=64, steps_per_epoch=3, seed=4)
    a = seq.batch(1)
    assert np.array_equal(a, ThumbnailSequence(photos, extra, 0.5, 64, 3, seed=4).batch(1))
    from_extra = int((a.reshape(64, -1).max(axis=1) == 0).sum())
    assert 16 < from_extra < 48
    seq.set_epoch(1)
    assert not np.array_equal(a, seq.batch(1))
    x, y = seq[0]
    assert x.shape == (64, 32, 32, 3) and x is y and -0.9 <= x.min() and x.max() <= 0.9
    with pytest.raises(ValueError, match="extra_fraction"):
        ThumbnailSequence(photos, None, extra_fraction=0.5)


def test_train_on_photos_warm_start_and_resume(tmp_path):
    from residual_compression.models import build_model
    from residual_compression.training.trainer import train

    folder = _photo_folder(tmp_path / "photos" if (tmp_path / "photos").mkdir() is None else None)
    init = tmp_path / "init.weights.h5"
    base = build_model("conv_lstm", iterations=2, width=0.125, seed=0)
    base.save_weights(init)
    kwargs = dict(
        width=0.125, iterations=2, batch_size=4, checkpoint_every=2, loss="ssim_l1",
        init_weights=init, photos=folder, validation=None, verbose=0,
    )
    model, history = train("conv_lstm", None, 2, tmp_path / "run", **kwargs)
    assert np.isfinite(history["loss"]).all()
    assert "val_patch_ssim_32B" in history and "val_psnr_32B" in history
    moved = [np.abs(a - b).max() for a, b in zip(model.get_weights(), base.get_weights())]
    assert max(moved) > 0  # trained from the warm start...
    assert max(moved) < 0.05  # ...not from a fresh initialisation
    model, _ = train("conv_lstm", None, 4, tmp_path / "run", resume=True, **kwargs)
    assert (tmp_path / "run" / "checkpoints").exists()
    # A checkpoint of a run (still going or not) becomes a zoo file.
    from residual_compression.training.zoo_entry import make_zoo_entry

    entry = make_zoo_entry(tmp_path / "run", "photo_family", tmp_path / "zoo", checkpoint="latest")
    assert entry["training"].startswith("4 steps") and entry["config"]["iterations"] == 2
    shipped = build_model("conv_lstm", **entry["config"])
    shipped.load_weights(tmp_path / "zoo" / entry["weights"])
    for a, b in zip(shipped.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
