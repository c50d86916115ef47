"""The registry of pretrained presets: one record per preset, pure data.

Everything about a preset lives in its :class:`Preset` record: the loader
(``zoo.load``), the CLI's ``presets`` command, the model cards
(``zoo/<name>/README.md``, checked against the records by the tests) and the
tests all read it. The config in a record is the one the model is built with
when it loads; the tests build it and load the weights file into it.

Progressive presets of one network (``family``) share one config, one weights
file and one set of measurements across their byte budgets: a stream made by
either decodes with either. They are declared once per network below
(:func:`_network`), which writes out one full record per preset.

Ids are written into every stream's header: assigned by hand, never derived
from order; never reuse or renumber one. ``weights=None`` marks a preset
whose weights have not been trained yet: it loads with deterministic untrained
weights, flagged ``trained=False``.

Importing this module imports nothing but the standard library.
"""

import dataclasses

__all__ = ["CIFAR10_TEST_1000", "KODAK_THUMBNAILS", "Measured", "PHOTO_VALIDATION", "PRESETS", "Preset"]

CIFAR10_TEST_1000 = "CIFAR-10 test, first 1000"
KODAK_THUMBNAILS = "Kodak, 24 thumbnails (32x32)"
PHOTO_VALIDATION = "Photo validation split, 103 thumbnails (32x32)"


@dataclasses.dataclass(frozen=True)
class Measured:
    """Mean patch SSIM (sec. 4.2), header-less bytes and PSNR at one byte target."""

    ssim: float
    payload_bytes: float
    psnr_db: float

    def __str__(self):
        return f"{self.ssim:.3f} ({self.payload_bytes:.1f} B, PSNR {self.psnr_db:.2f} dB)"


@dataclasses.dataclass(frozen=True)
class Preset:
    """One pretrained preset.

    Attributes:
        name: what ``zoo.load`` takes, e.g. ``"conv_lstm_64B"``.
        id: the model id written into every stream header (never changes).
        architecture: the ``models.build_model`` name.
        config: the constructor arguments the model is built (and was trained) with.
        num_bytes: default payload budget per 32x32 of image.
        family: presets of one family share the network and its weights.
        weights: the weights file, relative to the zoo folder (None: untrained).
        sha256: hex digest of the weights file, checked before loading.
        training: how the weights were trained.
        results: data set -> {byte target: :class:`Measured`} for this network
            (for a progressive family the same for every budget).
    """

    name: str
    id: int
    architecture: str
    config: dict
    num_bytes: int
    family: str
    weights: str | None = None
    sha256: str | None = None
    training: str = "not trained yet"
    results: dict = dataclasses.field(default_factory=dict)

    @property
    def trained(self):
        return self.weights is not None


def _network(family, architecture, config, *, budgets, weights=None, sha256=None, training=None, results=None):
    """One record per ``(name, id, num_bytes)`` in ``budgets``, all of one network."""
    results = {data: {t: Measured(*m) for t, m in rows.items()} for data, rows in (results or {}).items()}
    extra = {} if training is None else {"training": training}
    return tuple(
        Preset(
            name, preset_id, architecture, dict(config), num_bytes, family,
            weights=weights, sha256=sha256, results=results, **extra,
        )
        for name, preset_id, num_bytes in budgets
    )


def _progressive(family, base_id):
    return ((f"{family}_64B", base_id, 64), (f"{family}_128B", base_id + 1, 128))


_CPU = "on CIFAR-10 train, TensorFlow CPU"
# The photo campaign (docs/training.md) fine-tunes conv_lstm in this config.
_PHOTO_CAMPAIGN_CONFIG = {"bits": 2, "iterations": 8, "width": 0.5, "seed": 0, "hidden_kernel_size": 1}
# The recipe of the campaign's 16-iteration presets, up to where each went its own way.
_UNROLLED_16 = (
    "from step 1200 also on partial iterations, lr 3e-4 to step 2800 then cosine-annealed to "
    "step 3800, then 600 steps unrolling 16 iterations (lr 1e-4), "
)
_WEIGHTED_TOWARD_64B = (
    "then {steps} more at 16 iterations with the loss weighted more and more toward the 4th and 8th "
    "(lr 1e-4, cosine over 3000 steps), "
)


def _photo_campaign(
    family, base_id, sha256, steps, recipe, wall_time, results, *, iterations=8, budgets=None, seed=0
):
    """A checkpoint of the photo campaign (docs/training.md): conv_lstm in
    ``_PHOTO_CAMPAIGN_CONFIG`` (with ``iterations`` unrolled, and the run's
    ``seed``) fine-tuned from the zoo's weights; ``recipe`` is what the run did
    beyond the common mix and loss (may be empty). ``budgets``: default the
    64 B and 128 B presets."""
    return _network(
        family, "conv_lstm",
        {**_PHOTO_CAMPAIGN_CONFIG, "iterations": iterations, "seed": seed},
        budgets=budgets or _progressive(family, base_id),
        weights=f"{family}/{family}.weights.h5",
        sha256=sha256,
        training=(
            f"conv_lstm's weights, then {steps} steps x batch 32 ({steps * 32:,} images seen) of photo thumbnails "
            "(training split of 679 photos, 3/4 of each batch) and CIFAR-10 train, loss patch SSIM + 0.1 L1, "
            f"{recipe}TensorFlow CPU on one core shared with other work, {wall_time}"
        ),
        results=results,
    )

PRESETS = (
    *_network(
        "fc_residual_shared", "fc_residual_shared",
        {"bits": 8, "iterations": 8, "width": 1.0, "seed": 0},
        budgets=_progressive("fc_residual_shared", 1),
        weights="fc_residual_shared/fc_residual_shared.weights.h5",
        sha256="e1ad806f06c18a93562e578a1d88c94afda0006573ace1b9f155b5991ad8282b",
        training=f"1500 steps x batch 32 (48,000 images seen) {_CPU}, 571 s",
        results={
            CIFAR10_TEST_1000: {64: (0.652, 64.0, 20.62), 128: (0.669, 128.0, 21.01)},
            KODAK_THUMBNAILS: {64: (0.566, 64.0, 20.70), 128: (0.574, 128.0, 20.95)},
        },
    ),
    *_network(
        "fc_residual_distinct", "fc_residual_distinct",
        {"bits": 8, "iterations": 8, "width": 1.0, "seed": 0},
        budgets=_progressive("fc_residual_distinct", 3),
        weights="fc_residual_distinct/fc_residual_distinct.weights.h5",
        sha256="aeaf401bb67fe722737ac56251b222f7612402b4c7700742c3bd1058a66dea3a",
        training=f"1500 steps x batch 32 (48,000 images seen) {_CPU}, 453 s; weights stored as float16",
        results={
            CIFAR10_TEST_1000: {64: (0.731, 64.0, 22.05), 128: (0.839, 128.0, 24.70)},
            KODAK_THUMBNAILS: {64: (0.643, 64.0, 21.81), 128: (0.774, 128.0, 23.91)},
        },
    ),
    *_network(
        "fc_lstm", "fc_lstm",
        {"bits": 8, "iterations": 8, "width": 0.5, "seed": 0},
        budgets=_progressive("fc_lstm", 5),
        weights="fc_lstm/fc_lstm.weights.h5",
        sha256="1c4c0cab7d7340db2f23f9beff246e8b4130052b0730df21a726c252495adf85",
        training=f"800 steps x batch 32 (25,600 images seen) {_CPU}, 509 s",
        results={
            CIFAR10_TEST_1000: {64: (0.707, 64.0, 21.38), 128: (0.730, 128.0, 21.76)},
            KODAK_THUMBNAILS: {64: (0.610, 64.0, 21.38), 128: (0.630, 128.0, 21.65)},
        },
    ),
    *_network(
        "conv_residual_shared", "conv_residual_shared",
        {"bits": 2, "iterations": 8, "width": 1.0, "seed": 0},
        budgets=_progressive("conv_residual_shared", 7),
        weights="conv_residual_shared/conv_residual_shared.weights.h5",
        sha256="056ddf18c27b696055d38e4c4fc3665a49d398e06661b073a29ba7fba37d1b15",
        training=f"1000 steps x batch 32 (32,000 images seen) {_CPU}, 708 s",
        results={
            CIFAR10_TEST_1000: {64: (0.703, 64.0, 20.82), 128: (0.711, 128.0, 21.03)},
            KODAK_THUMBNAILS: {64: (0.614, 64.0, 20.70), 128: (0.616, 128.0, 20.69)},
        },
    ),
    *_network(
        "conv_residual_distinct", "conv_residual_distinct",
        {"bits": 2, "iterations": 8, "width": 1.0, "seed": 0},
        budgets=_progressive("conv_residual_distinct", 9),
        weights="conv_residual_distinct/conv_residual_distinct.weights.h5",
        sha256="36cfbfa56287edbbc77f617a92daa8be3a3ed3a26ea7b46c750de12959ce9b82",
        training=f"800 steps x batch 32 (25,600 images seen) {_CPU}, 395 s",
        results={
            CIFAR10_TEST_1000: {64: (0.760, 64.0, 22.64), 128: (0.854, 128.0, 25.37)},
            KODAK_THUMBNAILS: {64: (0.669, 64.0, 22.15), 128: (0.790, 128.0, 24.43)},
        },
    ),
    # The one-shot autoencoder spends its whole budget in one bottleneck:
    # 8 bits per 8x8 position is 64 B per 32x32, 16 bits is 128 B.
    *_network(
        "conv_autoencoder_64B", "conv_autoencoder",
        {"bits": 8, "width": 1.0, "seed": 0},
        budgets=(("conv_autoencoder_64B", 11, 64),),
        weights="conv_autoencoder_64B/conv_autoencoder_64B.weights.h5",
        sha256="2c5fab065263832e92f5821c4ac2237c6fd0f0a9804874e6fb8509b12d023962",
        training=f"1500 steps x batch 32 (48,000 images seen) {_CPU}, 150 s",
        results={
            CIFAR10_TEST_1000: {64: (0.717, 64.0, 21.10)},
            KODAK_THUMBNAILS: {64: (0.633, 64.0, 20.87)},
        },
    ),
    *_network(
        "conv_autoencoder_128B", "conv_autoencoder",
        {"bits": 16, "width": 1.0, "seed": 0},
        budgets=(("conv_autoencoder_128B", 12, 128),),
        weights="conv_autoencoder_128B/conv_autoencoder_128B.weights.h5",
        sha256="3239a9f60e77b2a9654d31b96c5e68dc007e5a71704050d61b0d805a203e4379",
        training=f"1500 steps x batch 32 (48,000 images seen) {_CPU}, 97 s",
        results={
            CIFAR10_TEST_1000: {128: (0.782, 128.0, 22.20)},
            KODAK_THUMBNAILS: {128: (0.706, 128.0, 21.88)},
        },
    ),
    *_network(
        "conv_lstm", "conv_lstm",
        {"bits": 2, "iterations": 8, "width": 0.5, "seed": 0, "hidden_kernel_size": 1},
        budgets=_progressive("conv_lstm", 13),
        weights="conv_lstm/conv_lstm.weights.h5",
        sha256="71395d1eb8658198efb8532cdd8f54029316c7e445795bf5a310a2b5b0fe1373",
        training=(
            f"2400 steps x batch 32 (76,800 images seen, 1.5 epochs) {_CPU}, 625 s for steps 0-400 "
            "then 2,523 s for steps 400-2400 after a resume (52 min)"
        ),
        results={
            CIFAR10_TEST_1000: {64: (0.790, 64.0, 23.13), 128: (0.843, 128.0, 24.70)},
            KODAK_THUMBNAILS: {64: (0.704, 64.0, 22.64), 128: (0.766, 128.0, 23.71)},
        },
    ),
    # The same network fine-tuned on photo thumbnails with patch SSIM + L1 (docs/training.md):
    # new weights, so new ids; streams of conv_lstm_64B/128B still decode with those.
    *_photo_campaign(
        "conv_lstm_photo", 15, "8dd0a82afdfc43dd55978086b4de640c3443ee847472d746b64fd490055ec5b4", 800,
        "",
        "1 h 40 min",
        {
            PHOTO_VALIDATION: {64: (0.751, 64.0, 20.62), 128: (0.799, 125.8, 21.72)},
            CIFAR10_TEST_1000: {64: (0.819, 64.0, 22.10), 128: (0.861, 126.3, 23.51)},
            KODAK_THUMBNAILS: {64: (0.744, 64.0, 22.19), 128: (0.791, 127.5, 23.20)},
        },
    ),
    # The same campaign 1,000 steps further, the last 600 also on partial iterations
    # (train --partial-iterations): new weights, new ids.
    *_photo_campaign(
        "conv_lstm_photo2", 17, "34354adf5e3bff5c3892013136959af8315742542839148258b1741d74df02af", 1800,
        "from step 1200 also on partial iterations, ",
        "about 3 h 30 min",
        {
            PHOTO_VALIDATION: {64: (0.760, 64.0, 20.40), 128: (0.809, 126.7, 21.81)},
            CIFAR10_TEST_1000: {64: (0.825, 64.0, 21.68), 128: (0.869, 126.7, 23.56)},
            KODAK_THUMBNAILS: {64: (0.750, 64.0, 21.93), 128: (0.798, 127.3, 23.34)},
        },
    ),
    # The same campaign at step 3,600: 2,800 steps at lr 3e-4, then 800 with the cosine
    # decay squeezed into steps 2,800-3,800 (an anneal); new weights, new ids.
    *_photo_campaign(
        "conv_lstm_photo3", 19, "8ffd4c152d965684548cd54d4df106adadeec7e0493a43e98dc4c8cb6cb17d52", 3600,
        (
            "from step 1200 also on partial iterations, lr 3e-4 to step 2800 then cosine-annealed "
            "(about 6e-5 falling), "
        ),
        "about 6 h 30 min",
        {
            PHOTO_VALIDATION: {64: (0.766, 64.0, 20.42), 128: (0.818, 126.7, 22.11)},
            CIFAR10_TEST_1000: {64: (0.830, 64.0, 21.74), 128: (0.877, 126.7, 23.96)},
            KODAK_THUMBNAILS: {64: (0.756, 64.0, 21.89), 128: (0.808, 127.3, 23.49)},
        },
    ),
    # The annealed campaign (step 3,800) unrolled to 16 iterations and trained 600 steps
    # more at 16: 128 B presets that fill their budget, and 256 B (16 iterations of 16 raw bytes).
    *_photo_campaign(
        "conv_lstm_photo16", 21, "00c8be6a5152b213de12a4a4afbc65fe0baca044fc64a9a6977b2c9c27167b3e", 4400,
        _UNROLLED_16,
        "about 8 h 30 min",
        {
            PHOTO_VALIDATION: {64: (0.759, 64.0, 20.35), 128: (0.825, 128.0, 22.27), 256: (0.835, 243.9, 22.75)},
            CIFAR10_TEST_1000: {64: (0.824, 64.0, 21.64), 128: (0.883, 128.0, 24.20), 256: (0.892, 243.8, 24.79)},
            KODAK_THUMBNAILS: {64: (0.748, 64.0, 21.90), 128: (0.817, 128.0, 23.67), 256: (0.826, 239.5, 23.98)},
        },
        iterations=16,
        budgets=(("conv_lstm_photo16_128B", 21, 128), ("conv_lstm_photo16_256B", 22, 256)),
    ),
    # conv_lstm_photo16 trained on at 16 iterations with the loss weighted toward the 4th and
    # 8th iterations (64 and 128 B): one network for 64, 128 and 256 B.
    *_photo_campaign(
        "conv_lstm_photo4", 23, "9e8b249ccdfc910f1adc0398d73d1f87e7858c2d05abae144a5c385ce1adea46", 5700,
        _UNROLLED_16 + _WEIGHTED_TOWARD_64B.format(steps=1300),
        "about 9 h 50 min (the last 1 h 20 min on a faster CPU)",
        {
            PHOTO_VALIDATION: {64: (0.770, 64.0, 20.52), 128: (0.829, 128.0, 22.40), 256: (0.840, 242.0, 22.84)},
            CIFAR10_TEST_1000: {64: (0.833, 64.0, 21.83), 128: (0.887, 128.0, 24.36), 256: (0.896, 243.1, 24.91)},
            KODAK_THUMBNAILS: {64: (0.759, 64.0, 21.98), 128: (0.822, 128.0, 23.81), 256: (0.832, 241.5, 24.07)},
        },
        iterations=16,
        budgets=(("conv_lstm_photo4_64B", 23, 64), ("conv_lstm_photo4_128B", 24, 128), ("conv_lstm_photo4_256B", 25, 256)),
    ),
    # conv_lstm_photo4's run (the 8 / 4 / 1 weighting) trained on to its step 2,050, then 3,000
    # steps more as a new run from lr 3e-5 annealed to 1.5e-6: the same network, new weights.
    *_photo_campaign(
        "conv_lstm_photo5", 26, "0879c0c2699f00485890fde007964c532cad59d68cc8c75c3d5f39bf33d5be27", 9450,
        _UNROLLED_16 + _WEIGHTED_TOWARD_64B.format(steps=2050)
        + "then 3000 more as a new run (lr 3e-5 cosine-annealed to 1.5e-6), ",
        "about 13 h 30 min (the last 5 h on a faster CPU)",
        {
            PHOTO_VALIDATION: {64: (0.771, 64.0, 20.57), 128: (0.831, 128.0, 22.46), 256: (0.843, 242.4, 22.97)},
            CIFAR10_TEST_1000: {64: (0.835, 64.0, 21.86), 128: (0.888, 128.0, 24.43), 256: (0.898, 243.3, 25.08)},
            KODAK_THUMBNAILS: {64: (0.760, 64.0, 22.03), 128: (0.824, 128.0, 23.82), 256: (0.835, 242.0, 24.15)},
        },
        iterations=16,
        budgets=(("conv_lstm_photo5_64B", 26, 64), ("conv_lstm_photo5_128B", 27, 128), ("conv_lstm_photo5_256B", 28, 256)),
        seed=7,
    ),
)
