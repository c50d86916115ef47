"""Would training the codec for predictable codes save bytes on thumbnails? (issue 14's question)

Fine-tunes ``conv_lstm_photo3`` (8 iterations, the campaign's loss: patch SSIM + 0.1 L1 with
partial iterations) with a *rate term* added: the ideal code length of its training bits
under format 2's own contexts (``entropy._all_contexts``), with one learned probability per
context, trained jointly (straight-through gradient into the binarizer, as the bits get in
training). Then it fits a format-2 table to the new codes, exactly as
``context_tables.fit`` made the shipped one, and measures on the photo validation split:
the real bits per symbol, patch SSIM after each iteration, and patch SSIM of
``compress(num_bytes=64 / 128)`` streams (decoded).

``--weights`` chooses how the rate of iteration ``t`` is weighted (times ``--scale``):

* ``uniform``: the mean rate over iterations;
* ``break-even``: ``sum_{k >= t} g_k / T`` with ``g_k`` the SSIM gain of iteration ``k + 1``
  (photo3's, measured below): what one bit per symbol saved in iteration ``t`` buys at the
  budgets that send iteration ``t``, spent on the next iteration.

Run from the repository root (about 2.4 s a step on one core)::

    python tools/rate_probe.py train --weights uniform --scale 0.2 --steps 400 --out runs/rate_uniform
    python tools/rate_probe.py eval runs/rate_uniform/probe.weights.h5     # or: eval photo3
"""

import argparse
import os
import sys
import time

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np  # noqa: E402

PHOTOS = "../shared/data/photos"
PRESET = "conv_lstm_photo3_128B"
# photo3's SSIM gain of iteration k + 1 over k, k = 1..8, on the validation split (`eval photo3`)
GAINS = np.array([0.1137, 0.0533, 0.0357, 0.0260, 0.0162, 0.0087, 0.0029, 0.0])
_MAX_T = 8


def contexts(bits):
    """Format 2's context index of ``(B, T, h, w, 2)`` +-1 bits, as ``entropy._all_contexts``
    gives it for each image (keras.ops; an integer tensor of the same shape)."""
    from keras import ops

    s = ops.cast(ops.round(bits), "int32")
    t_max, w = bits.shape[1], bits.shape[3]
    padded = ops.pad(s, [[0, 0], [1, 0], [1, 0], [1, 1], [0, 0]]) + 1
    prev = padded[:, :-1, 1:, 1:-1]
    current = padded[:, 1:, 1:, 1:-1]
    same = ops.concatenate([ops.ones_like(current[..., :1]), current[..., :-1]], axis=-1)
    up, ul, ur = (padded[:, 1:, :-1, 1 + d : 1 + d + w] for d in (0, -1, 1))
    t_part = ops.reshape(ops.minimum(ops.arange(t_max), _MAX_T - 1), (1, t_max, 1, 1, 1))
    index = t_part * 2 + ops.reshape(ops.arange(2), (1, 1, 1, 1, 2))
    for state in (prev, up, ul, ur, same, ops.flip(prev, axis=-1)):
        index = index * 3 + state
    return index


def rate_weights(kind, iterations=8):
    """Per-iteration weight of the rate term (see the module docstring)."""
    if kind == "uniform":
        return np.full(iterations, 1.0 / iterations)
    return np.cumsum(GAINS[::-1])[::-1] / iterations


def train(args):
    import keras
    import tensorflow as tf

    from residual_compression import entropy, zoo
    from residual_compression.loss import PatchSSIML1Loss
    from residual_compression.scaling import to_model_space
    from residual_compression.training.data import load_images
    from residual_compression.training.photos import ThumbnailSequence, load_photos, photo_split

    codec = zoo.load(PRESET)
    model, table = codec.model, codec.context_model
    os.makedirs(args.out, exist_ok=True)
    weights_file, state_file = os.path.join(args.out, "probe.weights.h5"), os.path.join(args.out, "state.npz")
    logits = tf.Variable(np.log((2 * table.ones + 1) / (2 * (table.totals - table.ones) + 1)).astype(np.float32))
    start = 0
    if os.path.exists(state_file):  # resume
        model.load_weights(weights_file)
        state = np.load(state_file)
        logits.assign(state["logits"])
        start = int(state["step"])
    model.train_on_partial_iterations(entropy.coding_rank, seed=0)
    partial = model.__dict__["_partial_iteration"]
    distortion = PatchSSIML1Loss()
    weights = tf.constant(args.scale * rate_weights(args.weights), tf.float32)
    optimizer, table_optimizer = keras.optimizers.Adam(args.lr), keras.optimizers.Adam(1e-2)
    train_files, _ = photo_split(args.photos)
    data = ThumbnailSequence(load_photos(train_files), load_images(args.cifar), 0.25, batch_size=32,
                             steps_per_epoch=10**6, seed=7)

    @tf.function
    def step(x):
        with tf.GradientTape() as tape:
            trace = []
            _, recons = model._encode_loop(x, model.iterations, True, trace)
            dist = distortion(x, tf.stack([*recons, partial(trace, 32, 32)], axis=1))
            bits = tf.stack([tf.cast(b, tf.float32) for b, _, _ in trace], axis=1)
            cost = tf.nn.softplus(-bits * tf.gather(logits, tf.stop_gradient(contexts(bits)))) / np.log(2.0)
            per_iteration = tf.reduce_mean(cost, axis=[0, 2, 3, 4])
            loss = dist + tf.reduce_sum(weights * per_iteration)
        variables = model.trainable_variables
        grads = tape.gradient(loss, variables + [logits])
        optimizer.apply_gradients(zip(grads[:-1], variables))
        table_optimizer.apply_gradients([(grads[-1], logits)])
        return dist, tf.reduce_mean(per_iteration)

    began, seen = time.time(), []
    for i in range(start, args.steps):
        seen.append([float(v) for v in step(tf.constant(to_model_space(data.batch(i))))])
        if (i + 1) % 25 == 0 or i + 1 == args.steps:
            dist, rate = np.mean(seen, axis=0)
            print(f"step {i + 1}: distortion {dist:.4f}, rate {rate:.4f} bits/symbol, {time.time() - began:.0f} s",
                  flush=True)
            seen = []
            model.save_weights(weights_file)
            np.savez(state_file, logits=logits.numpy(), step=i + 1)


def evaluate(args):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from context_bound import shipped_cost

    from residual_compression import context_tables, entropy, zoo
    from residual_compression.codec import ProgressiveCodec
    from residual_compression.evaluation.metrics import patch_ssim
    from residual_compression.training.photos import load_photos, photo_split, random_thumbnail, split_thumbnails

    codec = zoo.load(PRESET)
    table = codec.context_model
    if args.weights_file != "photo3":
        codec.model.load_weights(args.weights_file)
        rng = np.random.default_rng(0)  # the shipped table's recipe: 400 training-split thumbnails
        train_files, _ = photo_split(args.photos)
        fit = np.stack([random_thumbnail(p, rng, whole=0.5) for p in load_photos(train_files[:400])])
        table = entropy.ContextModel(15, *context_tables.fit(codec.encode(fit, 8)), "probe")
        entropy.register_context_model(table)
    probe = ProgressiveCodec(codec.model, model_id=codec.model_id, name="probe", context_model=table,
                             compatible_ids=codec.compatible_ids)
    val = split_thumbnails(args.photos, "validation")[0]
    codes = probe.encode(val, 8)
    cumulative = [shipped_cost(codes[:, :k], table) * k for k in range(1, 9)]
    pictures = probe.decode(codes, 32, 32, return_all=True)
    print(f"{args.weights_file}: {len(val)} validation thumbnails, {cumulative[-1] / 8:.4f} bits/symbol")
    print("bits/symbol per iteration:", " ".join(f"{b - a:.3f}" for a, b in zip([0.0] + cumulative, cumulative)))
    print("patch SSIM per iteration:", " ".join(f"{float(np.mean(patch_ssim(val, pictures[:, t]))):.4f}" for t in range(8)))
    for budget in (64, 128):
        scores = [float(patch_ssim(probe.decompress(probe.compress(im, num_bytes=budget)), im)) for im in val]
        print(f"compress(num_bytes={budget}): patch SSIM {np.mean(scores):.4f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("train")
    run.add_argument("--weights", choices=("uniform", "break-even"), default="break-even")
    run.add_argument("--scale", type=float, default=1.0)
    run.add_argument("--steps", type=int, default=400)
    run.add_argument("--lr", type=float, default=6e-5)
    run.add_argument("--out", required=True)
    run.add_argument("--cifar", default="../shared/data/cifar10/train.npz")
    score = sub.add_parser("eval")
    score.add_argument("weights_file", help="a probe.weights.h5, or photo3 for the shipped weights and table")
    for p in (run, score):
        p.add_argument("--photos", default=PHOTOS)
    args = parser.parse_args()
    (train if args.command == "train" else evaluate)(args)


if __name__ == "__main__":
    main()
