"""Train any architecture on the backend Keras runs on (section 4.1).

``train(...)`` builds the model from its registry name and config, compiles it
with Adam, a cosine learning-rate schedule and the section 4.1 loss, and runs
``model.fit`` in chunks of ``checkpoint_every`` steps, writing a crash-safe
checkpoint after each (:mod:`.checkpoints`). With ``resume=True`` a run picks
up from its newest checkpoint (losing at most one interval) and sees exactly
the data it would have seen uninterrupted.

Distribution: ``strategy="mirrored"`` (TensorFlow ``MirroredStrategy``: all
local GPUs or the CPU), ``"multi_worker"`` (``MultiWorkerMirroredStrategy``
from ``TF_CONFIG``), ``"data_parallel"`` (JAX backend:
``keras.distribution.DataParallel`` over all local devices), or ``None``.
"""

import json
import pathlib
import time
import warnings

import keras
import numpy as np
from keras import ops

from residual_compression.entropy import coding_rank
from residual_compression.errors import InvalidValueError
from residual_compression.validation import one_of
from residual_compression.validation import positive_int
from residual_compression.loss import get_loss
from residual_compression.models import build_model
from residual_compression.training.checkpoints import restore_checkpoint
from residual_compression.training.compile import compile_for_training
from residual_compression.training.checkpoints import save_checkpoint
from residual_compression.training.data import ImageSequence
from residual_compression.training.data import load_images
from residual_compression.training.photos import ThumbnailSequence
from residual_compression.training.photos import load_photos
from residual_compression.training.photos import photo_split
from residual_compression.training.photos import validation_thumbnails
from residual_compression.training.widen import warm_start

__all__ = ["STRATEGIES", "iteration_metrics", "train"]

STRATEGIES = (None, "mirrored", "multi_worker", "data_parallel")


def iteration_metrics(iterations):
    """Metrics ``mse_it<t>``: the L2 residual after t iterations (t = 1, 2, 4, ...)."""
    metrics = []
    t = 1
    while t <= iterations:

        def mse(y_true, y_pred, t=t):
            y_true = ops.convert_to_tensor(y_true, y_pred.dtype)
            return ops.mean(ops.square(y_pred[:, t - 1] - y_true))

        mse.__name__ = f"mse_it{t}"
        metrics.append(mse)
        t *= 2
    return metrics


class _StepSequence(keras.utils.PyDataset):
    """``fit`` epoch ``e`` batch ``i`` is global step ``e * steps_per_epoch + i``."""

    def __init__(self, sequence, steps_per_epoch, start_epoch, **kwargs):
        super().__init__(**kwargs)
        self.sequence = sequence
        self.steps_per_epoch = steps_per_epoch
        self.fit_epoch = start_epoch

    def __len__(self):
        return self.steps_per_epoch

    def __getitem__(self, index):
        step = self.fit_epoch * self.steps_per_epoch + index
        n = len(self.sequence)
        seq = self.sequence
        if seq.epoch != step // n:
            seq.set_epoch(step // n)
        return seq[step % n]

    def on_epoch_end(self):
        self.fit_epoch += 1


class _Checkpointer(keras.callbacks.Callback):
    def __init__(self, directory, steps_per_epoch, is_chief, config):
        super().__init__()
        self.directory = directory
        self.steps_per_epoch = steps_per_epoch
        self.is_chief = is_chief
        self.config = config

    def on_epoch_end(self, epoch, logs=None):
        step = (epoch + 1) * self.steps_per_epoch
        target = self.directory if self.is_chief else self.directory / f".worker-scratch"
        save_checkpoint(target, self.model, step, {"config": self.config})


class _ValidationSSIM(keras.callbacks.Callback):
    """Patch SSIM (sec. 4.2) of a validation batch after 1, 2, 4, ... iterations, into the logs.

    Logged as ``val_patch_ssim_<bytes>B`` (bytes of a 32x32 payload).
    """

    def __init__(self, images):
        super().__init__()
        self.images = images

    def on_epoch_end(self, epoch, logs=None):
        from residual_compression.evaluation.metrics import patch_ssim
        from residual_compression.evaluation.metrics import psnr
        from residual_compression.scaling import from_model_space
        from residual_compression.scaling import to_model_space

        if logs is None:
            return
        _, recons = self.model.encode(to_model_space(self.images), self.model.iterations)
        per_iteration = self.model.bits_per_iteration(32, 32) // 8
        t = 1
        while t <= len(recons):
            recon = from_model_space(ops.convert_to_numpy(recons[t - 1]))
            logs[f"val_patch_ssim_{t * per_iteration}B"] = float(np.mean(patch_ssim(self.images, recon)))
            logs[f"val_psnr_{t * per_iteration}B"] = float(np.mean(psnr(self.images, recon, cap=100.0)))
            t *= 2


def _strategy_scope(strategy):
    if strategy is None:
        return None, True
    if strategy == "data_parallel":
        if keras.backend.backend() != "jax":
            raise InvalidValueError("strategy='data_parallel' needs the JAX backend (KERAS_BACKEND=jax)")
        keras.distribution.set_distribution(keras.distribution.DataParallel())
        return None, True
    if keras.backend.backend() != "tensorflow":
        raise InvalidValueError(f"strategy={strategy!r} needs the TensorFlow backend")
    import tensorflow as tf

    if strategy == "mirrored":
        return tf.distribute.MirroredStrategy(), True
    s = tf.distribute.MultiWorkerMirroredStrategy()
    resolver = s.cluster_resolver
    is_chief = resolver.task_type in (None, "chief") or (
        resolver.task_type == "worker" and resolver.task_id == 0
    )
    return s, is_chief


def _multi_worker_loop(model, strategy, images, batch_size, seed, start_epoch, epochs, steps_per_epoch, on_chunk, loss):
    """A custom loop for ``MultiWorkerMirroredStrategy``.

    Keras 3's ``fit`` does not run under it (keras-team/keras#20585), so this
    runs ``strategy.run`` on a per-replica train step; the Keras optimizer
    all-reduces the gradients across workers itself. Each input pipeline
    draws its own shuffle (``seed + pipeline id``) at the per-replica batch.
    """
    import tensorflow as tf

    replicas = strategy.num_replicas_in_sync
    if batch_size % replicas:
        raise InvalidValueError(
            f"`batch_size` ({batch_size}) must be a multiple of the {replicas} replicas"
        )
    per_replica = batch_size // replicas

    def dataset_fn(context):
        from residual_compression.training.data import make_tf_dataset

        ds = make_tf_dataset(images, batch_size=per_replica, seed=seed + 1000 * context.input_pipeline_id)
        return ds.skip(start_epoch * steps_per_epoch)

    iterator = iter(strategy.distribute_datasets_from_function(dataset_fn))
    loss_fn = loss.__class__.from_config({**loss.get_config(), "reduction": None})

    @tf.function
    def train_step(batch):
        def replica_step(x, y):
            with tf.GradientTape() as tape:
                per_example = loss_fn(y, model(x, training=True))
                loss = tf.nn.compute_average_loss(per_example, global_batch_size=batch_size)
            grads = tape.gradient(loss, model.trainable_variables)
            model.optimizer.apply_gradients(zip(grads, model.trainable_variables))
            return loss

        losses = strategy.run(replica_step, args=batch)
        return strategy.reduce(tf.distribute.ReduceOp.SUM, losses, axis=None)

    history = {"loss": []}
    for epoch in range(start_epoch, epochs):
        total = 0.0
        for _ in range(steps_per_epoch):
            total += float(train_step(next(iterator)))
        history["loss"].append(total / steps_per_epoch)
        on_chunk((epoch + 1) * steps_per_epoch)
    return history


def _photo_data(photos, data, limit, validation):
    """``(extra_images_or_None, validation_thumbnails, training_photos)`` for a photo run."""
    train_files, _ = photo_split(photos)
    photo_set = load_photos(train_files[:limit] if limit else train_files)
    extra = None
    if data is not None:
        extra = data if isinstance(data, np.ndarray) else load_images(data)
    val_images = validation_thumbnails(photos)
    if validation:
        val_images = val_images[:validation]
    return extra, val_images, photo_set


def train(
    architecture,
    data,
    steps,
    out_dir,
    *,
    width=1.0,
    iterations=8,
    bits=None,
    batch_size=32,
    learning_rate=5e-4,
    checkpoint_every=500,
    resume=False,
    seed=0,
    limit=None,
    strategy=None,
    validation=64,
    mixed_precision=False,
    verbose="auto",
    extra_callbacks=(),
    loss="l2",
    init_weights=None,
    init_width=None,
    init_hidden_kernel_size=None,
    photos=None,
    photo_fraction=0.75,
    config=None,
    partial_iterations=False,
    iteration_weights=None,
):
    """Trains a model and returns ``(model, history_dict)``.

    ``data`` is a path (``.npz`` or a folder) or a uint8 image array, or
    ``None`` when ``photos`` alone is the training set. The final weights are
    written to ``out_dir/final.weights.h5`` and the run's description to
    ``out_dir/run.json`` (what :func:`zoo_entry` reads).

    Args (beyond the obvious):
        loss: ``"l2"`` (the paper's, section 4.1) or ``"ssim_l1"``
            (:class:`~residual_compression.loss.PatchSSIML1Loss`).
        init_weights: a ``.weights.h5`` to start from (warm start) when the
            run does not resume from a checkpoint of its own.
        init_width: the width ``init_weights`` were trained at, if not
            ``width``: they are widened (:func:`.widen.widen_weights`).
        init_hidden_kernel_size: the hidden-state kernel ``init_weights``
            were trained with, if not ``config``'s: grown around the centre.
        photos: a folder of photos (:mod:`.photos`): its training split gives
            random thumbnails mixed with ``data`` (``photo_fraction`` of each
            batch), and its validation split is the validation set.
        config: extra model constructor arguments (e.g. ``hidden_kernel_size``).
        partial_iterations: also train on iterations cut after a random share
            of their bits (``ProgressiveAutoencoder.train_on_partial_iterations``).
        iteration_weights: one weight per iteration in the loss (see
            :mod:`residual_compression.loss`); None: the plain mean.
    """
    one_of("strategy", strategy, STRATEGIES)
    if photos is not None and strategy is not None:
        raise InvalidValueError(f"`photos` runs take strategy=None, received: strategy={strategy!r}")
    if photos is None and data is None:
        raise InvalidValueError("`data` must be given when `photos` is not")
    get_loss(loss, iteration_weights)  # validates before any work
    if iteration_weights is not None and len(iteration_weights) != iterations:
        raise InvalidValueError(f"`iteration_weights` needs {iterations} entries (`iterations`), received {len(iteration_weights)}")
    for name, value in (("steps", steps), ("checkpoint_every", checkpoint_every), ("batch_size", batch_size)):
        positive_int(name, value)
    out_dir = pathlib.Path(out_dir)
    ckpt_dir = out_dir / "checkpoints"
    if not resume and ckpt_dir.exists() and any(ckpt_dir.glob("checkpoint-*")):
        raise InvalidValueError(f"`out_dir` {out_dir} already holds checkpoints: pass resume=True or use a new out_dir")
    out_dir.mkdir(parents=True, exist_ok=True)
    if mixed_precision:
        keras.mixed_precision.set_global_policy("mixed_bfloat16")

    if photos is not None:
        train_images, val_images, photo_set = _photo_data(photos, data, limit, validation)
    else:
        images = data if isinstance(data, np.ndarray) else load_images(data, limit=limit)
        validation = min(validation or 0, len(images) // 4)  # hold out at most a quarter
        val_images = np.asarray(images[-validation:]) if validation else None
        train_images = images[:-validation] if validation else images
    config = {**(config or {}), "iterations": iterations, "width": width, "seed": seed}
    if bits is not None:
        config["bits"] = bits
    if architecture == "conv_autoencoder":
        config.pop("iterations")

    dist, is_chief = _strategy_scope(strategy)
    keras.utils.set_random_seed(seed)

    def build():
        model = build_model(architecture, **config)
        if partial_iterations:
            model.train_on_partial_iterations(coding_rank, seed=seed)
        compile_for_training(
            model, learning_rate, loss=loss, decay_steps=steps, iteration_weights=iteration_weights,
            metrics=iteration_metrics(model.iterations),
        )
        return model

    if dist is not None:
        with dist.scope():
            model = build()
    else:
        model = build()
    start = restore_checkpoint(ckpt_dir, model) if resume else 0
    if start == 0 and init_weights is not None:
        with warnings.catch_warnings():  # a warm start takes the weights, not the optimizer
            warnings.filterwarnings("ignore", message="Skipping variable loading for optimizer")
            warm_start(model, init_weights, init_width, architecture, config, init_hidden_kernel_size)
    steps_per_epoch = min(checkpoint_every, steps)
    epochs = -(-steps // steps_per_epoch)
    start_epoch = start // steps_per_epoch
    fit_data = None  # multi_worker runs its own loop over its own per-worker pipelines
    if strategy == "mirrored":
        from residual_compression.training.data import make_tf_dataset

        # Global batch: the strategy splits it over the replicas.
        dataset = make_tf_dataset(train_images, batch_size=batch_size, seed=seed)
        dataset = dataset.skip(start_epoch * steps_per_epoch)
        # The dataset shuffles itself (make_tf_dataset); fit's own shuffle would be ignored with a warning.
        fit_data = dict(x=dataset, steps_per_epoch=steps_per_epoch, shuffle=False)
    elif photos is not None:
        sequence = ThumbnailSequence(
            photo_set, train_images, extra_fraction=0.0 if train_images is None else 1.0 - photo_fraction,
            batch_size=batch_size, steps_per_epoch=steps_per_epoch, seed=seed,
        )
        fit_data = dict(x=_StepSequence(sequence, steps_per_epoch, start_epoch))
    elif strategy != "multi_worker":
        sequence = ImageSequence(train_images, batch_size=batch_size, seed=seed)
        fit_data = dict(x=_StepSequence(sequence, steps_per_epoch, start_epoch))
    run = {
        "architecture": architecture,
        "config": model.get_config(),
        "data": str(data) if not isinstance(data, np.ndarray) else "array",
        "images": None if train_images is None else len(train_images),
        "photos": None if photos is None else str(photos),
        "photo_fraction": None if photos is None else photo_fraction,
        "loss": loss,
        "init_weights": None if init_weights is None else str(init_weights),
        "init_width": init_width,
        "init_hidden_kernel_size": init_hidden_kernel_size,
        "partial_iterations": bool(partial_iterations),
        "iteration_weights": None if iteration_weights is None else list(iteration_weights),
        "batch_size": batch_size,
        "learning_rate": learning_rate,
        "steps": steps,
        "seed": seed,
        "backend": keras.backend.backend(),
        "strategy": strategy,
    }
    if is_chief:
        (out_dir / "run.json").write_text(json.dumps(run, indent=2, default=str))
    callbacks = [_Checkpointer(ckpt_dir, steps_per_epoch, is_chief, run["config"])]
    if val_images is not None and len(val_images):
        callbacks.append(_ValidationSSIM(val_images))
    callbacks.append(keras.callbacks.CSVLogger(str(out_dir / "log.csv"), append=resume))
    if keras.backend.backend() == "tensorflow" and is_chief:
        callbacks.append(keras.callbacks.TensorBoard(str(out_dir / "tensorboard"), update_freq="epoch"))
    callbacks.extend(extra_callbacks)
    started = time.time()
    history = {}
    if start_epoch < epochs and strategy == "multi_worker":
        callbacks[0].set_model(model)
        history = _multi_worker_loop(
            model, dist, train_images, batch_size, seed, start_epoch, epochs, steps_per_epoch,
            lambda step: callbacks[0].on_epoch_end(step // steps_per_epoch - 1), model.loss,
        )
    elif start_epoch < epochs:
        result = model.fit(
            **fit_data,
            epochs=epochs,
            initial_epoch=start_epoch,
            callbacks=callbacks,
            verbose=verbose,
        )
        history = result.history
    wall = time.time() - started
    if is_chief:
        model.save_weights(out_dir / "final.weights.h5")
        run.update(
            final_step=epochs * steps_per_epoch,
            resumed_from=start,
            wall_seconds_this_run=round(wall, 1),
            images_per_second=round((epochs - start_epoch) * steps_per_epoch * batch_size / max(wall, 1e-9), 1),
        )
        (out_dir / "run.json").write_text(json.dumps(run, indent=2, default=str))
    return model, history
