"""How many bits a better context model could save on a preset's codes (issue 14's question).

Encodes thumbnails of the photo folder's training split (whole photos and random
crops, as training draws them) and its validation split with a preset, then
reports, on the validation codes, in bits per coded symbol:

* ``shipped``: the format-2 context model of the preset (its adaptive counts,
  ideal code length, no range-coder overhead);
* ``mlp bits``: a small MLP fitted on the training codes that sees far more of
  what the decoder knows than the shipped contexts do: the 3x3 neighbourhoods of
  the three previous iterations' bits of both channels, the running sum of all
  earlier iterations' bits around the position, six causal neighbours of the
  current iteration, the other channel, and the iteration and channel;
* ``mlp bits + picture``: the same plus the decoder's reconstruction before the
  iteration (the 4x4 pixels under the position and the spread of its 3x3 block
  neighbourhood), i.e. the decoder's state as a picture.

A float MLP cannot be used as is by a decoder (its outputs must agree bit for
bit on every machine); it is an upper bound on what a learned context model
of these features would save. Run from the repository root::

    python tools/context_bound.py --model conv_lstm_photo3_64B --photos ../shared/data/photos
"""

import argparse
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np  # noqa: E402

from residual_compression import entropy  # noqa: E402
from residual_compression import zoo  # noqa: E402
from residual_compression.training.photos import load_photos  # noqa: E402
from residual_compression.training.photos import photo_split  # noqa: E402
from residual_compression.training.photos import random_thumbnail  # noqa: E402
from residual_compression.training.photos import split_thumbnails  # noqa: E402


def codes_and_pictures(codec, images, iterations):
    """Codes ``(N, T, h, w, C)`` and the reconstructions after each iteration ``(N, T, 32, 32, 3)``."""
    codes, pictures = [], []
    for i in range(0, len(images), 256):
        bits = codec.encode(images[i : i + 256], iterations)
        codes.append(bits)
        pictures.append(codec.decode(bits, 32, 32, return_all=True))
    return np.concatenate(codes).astype(np.int8), np.concatenate(pictures)


def shipped_cost(codes, model):
    """Ideal bits per symbol of the format-2 adaptive context model on ``codes``."""
    cost = 0.0
    for bits in codes:
        flat, group = entropy._order(bits.shape, None)  # format 2's coding order and groups
        index = entropy._all_contexts(bits).reshape(-1)[flat]
        symbols = bits.reshape(-1)[flat] > 0
        ones, totals = entropy._adaptive_counts(index, symbols, group, model)
        one = 1 << entropy.PRECISION  # P(1) exactly as the coder rounds it
        p = entropy._probabilities(2 * one * ones + totals + one + 1, 2 * totals + 2)
        cost -= np.log2(np.where(symbols, p, 1 - p)).sum()
    return cost / codes.size


def features(codes, pictures=None):
    """``(x, y)``: the MLP's causal features of every symbol and the symbols (see the module)."""
    n, iterations, h, w, channels = codes.shape
    b = codes.astype(np.float32)
    pad = np.pad(b, ((0, 0), (3, 0), (2, 2), (2, 2), (0, 0)))
    cum = np.cumsum(np.pad(b, ((0, 0), (1, 0), (0, 0), (0, 0), (0, 0))), axis=1)[:, :-1]
    cum = np.pad(cum, ((0, 0), (0, 0), (1, 1), (1, 1), (0, 0)))
    window = [(dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1)]
    xs, ys = [], []
    for t in range(iterations):
        for c in range(channels):
            f = [pad[:, t + 3 - k, 2 + dy : 2 + dy + h, 2 + dx : 2 + dx + w] for k in (1, 2, 3) for dy, dx in window]
            f += [cum[:, t, 1 + dy : 1 + dy + h, 1 + dx : 1 + dx + w] / max(t, 1) for dy, dx in window]
            now = pad[:, t + 3]
            f += [now[:, 2 + dy : 2 + dy + h, 2 + dx : 2 + dx + w] for dy, dx in ((-1, -1), (-1, 0), (-1, 1), (-2, 0), (-1, 2), (-1, -2))]
            f.append(now[:, 2:-2, 2:-2, :1] if c else np.zeros((n, h, w, 1), np.float32))
            if pictures is not None:
                r = pictures[:, t - 1].astype(np.float32) / 127.5 - 1 if t else np.zeros((n, 4 * h, 4 * w, 3), np.float32)
                block = r.reshape(n, h, 4, w, 4, 3).transpose(0, 1, 3, 2, 4, 5).reshape(n, h, w, 48)
                spread = np.pad(block.reshape(n, h, w, 16, 3).std(axis=3), ((0, 0), (1, 1), (1, 1), (0, 0)))
                f += [block] + [4 * spread[:, 1 + dy : 1 + dy + h, 1 + dx : 1 + dx + w] for dy, dx in window]
            which = np.zeros((n, h, w, iterations + channels), np.float32)
            which[..., t] = which[..., iterations + c] = 1
            xs.append(np.concatenate(f + [which], -1).reshape(n * h * w, -1))
            ys.append((codes[:, t, :, :, c] > 0).reshape(-1))
    return np.concatenate(xs), np.concatenate(ys).astype(np.float32)


def mlp_cost(train, val, epochs):
    """Validation bits per symbol of an MLP fitted on ``train`` features."""
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [keras.Input(train[0].shape[1:]), keras.layers.Dense(96, activation="relu"),
         keras.layers.Dense(48, activation="relu"), keras.layers.Dense(1)]
    )
    model.compile(keras.optimizers.Adam(2e-3), keras.losses.BinaryCrossentropy(from_logits=True))
    model.fit(*train, batch_size=1024, epochs=epochs, verbose=0)
    return model.evaluate(*val, batch_size=8192, verbose=0) / np.log(2)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="conv_lstm_photo3_64B")
    parser.add_argument("--photos", default="../shared/data/photos")
    parser.add_argument("--iterations", type=int, default=8)
    parser.add_argument("--crops", type=int, default=4, help="training thumbnails per training photo")
    parser.add_argument("--epochs", type=int, default=6)
    args = parser.parse_args()
    codec = zoo.load(args.model)
    rng = np.random.default_rng(0)
    train_files, _ = photo_split(args.photos)
    train = np.stack([random_thumbnail(p, rng, whole=0.5) for p in load_photos(train_files) for _ in range(args.crops)])
    val = split_thumbnails(args.photos, "validation")[0]
    (tc, tp), (vc, vp) = (codes_and_pictures(codec, x, args.iterations) for x in (train, val))
    print(f"{args.model}: {len(train)} training and {len(val)} validation thumbnails, {args.iterations} iterations")
    rows = [("shipped context model", shipped_cost(vc, codec.context_model))]
    rows.append(("mlp bits", mlp_cost(features(tc), features(vc), args.epochs)))
    rows.append(("mlp bits + picture", mlp_cost(features(tc, tp), features(vc, vp), args.epochs)))
    print("| context model | bits per symbol | saved against raw |\n|:---|---:|---:|")
    for name, cost in rows:
        print(f"| {name} | {cost:.4f} | {100 * (1 - cost):.1f}% |")


if __name__ == "__main__":
    main()
