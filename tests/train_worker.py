"""Run by test_training.py in subprocesses: one tiny training run.

usage: python train_worker.py OUT_DIR STEPS CHECKPOINT_EVERY [--resume] [--strategy S] [--weights-out F]
"""

import argparse
import os

import numpy as np

from conftest import synthetic_images


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("steps", type=int)
    parser.add_argument("every", type=int)
    parser.add_argument("--resume", action="store_true")
    parser.add_argument("--strategy")
    parser.add_argument("--weights-out")
    parser.add_argument("--logical-cpus", type=int, default=0)
    parser.add_argument("--sleep", type=float, default=0.0)
    args = parser.parse_args()
    if args.logical_cpus:
        import tensorflow as tf

        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration()] * args.logical_cpus
        )
    import keras

    from residual_compression.training.trainer import train

    callbacks = []
    if args.sleep:
        import time

        class Slow(keras.callbacks.Callback):
            def on_train_batch_end(self, batch, logs=None):
                time.sleep(args.sleep)

        callbacks.append(Slow())
    images = synthetic_images(64, seed=5)
    model, history = train(
        "conv_lstm",
        images,
        args.steps,
        args.out,
        width=0.125,
        iterations=2,
        batch_size=8,
        learning_rate=1e-2,
        checkpoint_every=args.every,
        resume=args.resume,
        strategy=args.strategy,
        validation=8,
        verbose=0,
        extra_callbacks=callbacks,
    )
    if args.weights_out:
        np.savez(args.weights_out, *[np.asarray(v.numpy()) for v in model.weights], loss=history["loss"])
    print("losses", history.get("loss"), "pid", os.getpid())


if __name__ == "__main__":
    main()
