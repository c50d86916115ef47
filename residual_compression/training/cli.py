"""``train`` and ``zoo-entry`` subcommands."""

import argparse
import json
import sys
from residual_compression.architectures import ARCHITECTURE_NAMES
from residual_compression.argtypes import non_negative_floats
from residual_compression.argtypes import non_negative_int
from residual_compression.argtypes import positive_int

__all__ = ["register", "register_thumbnails"]




def _run_train(args):
    if args.data is None and args.photos is None:
        print("train: give --data, --photos or both", file=sys.stderr)
        return 2
    from residual_compression.training.trainer import train

    _, history = train(
        args.arch,
        args.data,
        args.steps,
        args.out,
        width=args.width,
        iterations=args.iterations,
        bits=args.bits,
        batch_size=args.batch,
        learning_rate=args.lr,
        checkpoint_every=args.checkpoint_every,
        resume=args.resume,
        seed=args.seed,
        limit=args.limit,
        strategy=args.strategy,
        mixed_precision=args.mixed_precision,
        loss=args.loss,
        init_weights=args.init_weights,
        init_width=args.init_width,
        init_hidden_kernel_size=args.init_hidden_kernel_size,
        partial_iterations=args.partial_iterations,
        iteration_weights=args.iteration_weights,
        photos=args.photos,
        photo_fraction=args.photo_fraction,
        validation=args.validation,
        config=_model_config(args),
    )
    last = {k: round(float(v[-1]), 5) for k, v in history.items()}
    print(f"done: {args.out}/final.weights.h5 {json.dumps(last)}")
    return 0


def _model_config(args):
    """The model arguments given on the command line beyond the common ones (None: none)."""
    config = {}
    if args.hidden_kernel_size is not None:
        config["hidden_kernel_size"] = args.hidden_kernel_size
    if args.priming:
        config["priming"] = args.priming
    if args.residual_scaling:
        config["residual_scaling"] = True
    if args.cell != "lstm":
        config["cell"] = args.cell
    return config or None


def _run_zoo_entry(args):
    from residual_compression.training.zoo_entry import make_zoo_entry

    entry = make_zoo_entry(args.run_dir, args.family, args.zoo_dir, float16=args.float16, checkpoint=args.checkpoint)
    print(json.dumps(entry, indent=2))
    print("add a _network(...) record for the family to zoo/presets.py (weights=, sha256=, training=)", file=sys.stderr)
    return 0


def register(subparsers):
    """Adds ``train`` and ``zoo-entry`` to the main CLI."""
    p = subparsers.add_parser("train", help="train a model (section 4.1)")
    p.add_argument("--arch", required=True, choices=ARCHITECTURE_NAMES)
    p.add_argument("--data", help=".npz with a uint8 `images` array, or a folder of images (with --photos: mixed in)")
    p.add_argument("--photos", help="folder of photos: random thumbnails of its training split (split by file name)")
    p.add_argument("--photo-fraction", type=float, default=0.75, help="with --photos and --data: share of photo thumbnails")
    p.add_argument("--loss", choices=["l2", "ssim_l1"], default="l2", help="l2: the paper's (sec. 4.1); ssim_l1: 1 - patch SSIM + 0.1 L1")
    p.add_argument("--iteration-weights", type=non_negative_floats, metavar="W1,W2,...",
                   help="one loss weight per iteration, e.g. 0.5,0.5,0.5,3,0.5,0.5,0.5,3 to favour 64 and 128 B (default: equal)")
    p.add_argument("--partial-iterations", action="store_true", help="also train on iterations cut after a random share of their bits (streams cut anywhere decode well)")
    p.add_argument("--init-weights", help=".weights.h5 to start from when not resuming (warm start)")
    p.add_argument("--init-width", type=float, help="width --init-weights were trained at, if not --width: widened (Net2WiderNet)")
    p.add_argument("--init-hidden-kernel-size", type=positive_int,
                   help="hidden-state kernel --init-weights were trained with, if not --hidden-kernel-size: grown around the centre")
    p.add_argument("--validation", type=int, default=64, help="validation images (0: all of the photo validation split)")
    p.add_argument("--hidden-kernel-size", type=positive_int, help="state kernel of the LSTM models")
    p.add_argument("--priming", type=non_negative_int, default=0, help="conv_lstm: extra runs of the first iteration (hidden-state priming, Johnston et al. 2018)")
    p.add_argument("--residual-scaling", action="store_true",
                   help="conv_lstm: scale residuals by a gain predicted from the reconstruction (Toderici et al. 2017); "
                   "--init-weights may come from the same network without it")
    p.add_argument("--cell", choices=["lstm", "gru"], default="lstm",
                   help="conv_lstm: recurrent cell, the paper's LSTM or the GRU of Toderici et al. 2017")
    p.add_argument("--steps", type=positive_int, required=True)
    p.add_argument("--out", required=True, help="run folder: checkpoints, logs, final weights")
    p.add_argument("--width", type=float, default=1.0, help="layer width multiplier")
    p.add_argument("--iterations", type=positive_int, default=8, help="iterations unrolled (8 = 128 B)")
    p.add_argument("--bits", type=positive_int, help="bits per position per iteration")
    p.add_argument("--batch", type=positive_int, default=32)
    p.add_argument("--lr", type=float, default=5e-4)
    p.add_argument("--checkpoint-every", type=positive_int, default=500)
    p.add_argument("--resume", action="store_true", help="continue from the newest checkpoint in --out")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--limit", type=positive_int, help="use only the first N images")
    p.add_argument("--strategy", choices=["mirrored", "multi_worker", "data_parallel"])
    p.add_argument("--mixed-precision", action="store_true")
    p.set_defaults(func=_run_train)

    p = subparsers.add_parser("zoo-entry", help="turn a finished run into a zoo weights file")
    p.add_argument("run_dir")
    p.add_argument("family", help="the preset family, e.g. conv_lstm")
    p.add_argument("--zoo-dir", default="zoo")
    p.add_argument("--float16", action="store_true", help="store weights as float16 (half the size)")
    p.add_argument("--checkpoint", help="take a checkpoint's weights ('latest' or a step) instead of the final ones")
    p.set_defaults(func=_run_zoo_entry)
    register_thumbnails(subparsers)


def _run_thumbnails(args):
    import numpy as np

    from residual_compression.training.photos import split_thumbnails

    images, files = split_thumbnails(args.photos, args.split, args.size)
    np.savez_compressed(args.output, images=images, names=np.array([f.name for f in files]))
    print(f"{args.output}: {len(images)} {args.split} thumbnails {args.size}x{args.size} of {args.photos}")
    return 0


def register_thumbnails(subparsers):
    """Adds ``thumbnails``: a split of a photo folder as an ``.npz`` of whole-photo thumbnails."""
    p = subparsers.add_parser(
        "thumbnails",
        help="write the validation (or training) split of a photo folder as an .npz of thumbnails",
    )
    p.add_argument("--photos", required=True, help="folder of photos (split by file name, as `train --photos`)")
    p.add_argument("--split", choices=["validation", "train"], default="validation")
    p.add_argument("--size", type=positive_int, default=32)
    p.add_argument("-o", "--output", required=True, help="the .npz to write (uint8 `images`, `names`)")
    p.set_defaults(func=_run_thumbnails)
