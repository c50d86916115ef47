"""Steady-state training speed per precision (``bench --train``).

One measurement builds a model the way ``residual-compression train`` does
(``build_model`` and the trainer's ``compile_for_training``), takes one
training step on a batch of synthetic 32x32 thumbnails (tracing, graph
building and the first step: reported as ``first_step_s``, never counted in
the rate), then repeats steps on the same batch until ``seconds`` pass and at
least ``min_steps`` were taken. Training FLOPs per image are 3x the forward
pass's (backward counted as 2x forward): ``3 * 2 * MACs/iteration *
iterations``.

``keras.mixed_precision``'s policy is global to a process, so
:func:`measure_in_subprocess` runs each precision in a fresh interpreter
(``python -m residual_compression.benchmarks.training_speed ...``), which
prints one JSON line.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import subprocess
import sys
import time

from residual_compression.architectures import ARCHITECTURE_NAMES
from residual_compression.validation import one_of

__all__ = ["TrainRow", "format_train_header", "format_train_row", "measure_in_subprocess", "measure_training"]

PRECISIONS = ("float32", "bfloat16")
_POLICIES = {"float32": "float32", "bfloat16": "mixed_bfloat16"}


@dataclasses.dataclass(frozen=True)
class TrainRow:
    """One architecture/config trained in one precision."""

    architecture: str
    width: float
    iterations: int
    batch: int
    precision: str
    compute_dtype: str
    first_step_s: float
    steps: int
    per_s: float
    flops_per_image: float
    loss: float

    @property
    def flops(self):
        """Training FLOP/s: FLOPs per image x images/s."""
        return self.flops_per_image * self.per_s


def _compile(model):
    """Compiles as ``train`` does: the trainer's ``compile_for_training`` when it
    has one, else the package's (Adam and the section 4.1 loss)."""
    from residual_compression.training import trainer

    compile_for_training = getattr(trainer, "compile_for_training", None)
    if compile_for_training is None:
        from residual_compression.training.compile import compile_for_training
    return compile_for_training(model)


def measure_training(architecture, *, width=1.0, iterations=8, batch=64, precision="float32",
                     seconds=10.0, min_steps=2, seed=0):
    """Measures one ``TrainRow`` in this process (sets the global dtype policy)."""
    import keras

    from residual_compression.images import synthetic_images
    from residual_compression.models import build_model
    from residual_compression.scaling import to_model_space

    one_of("precision", precision, PRECISIONS)
    keras.mixed_precision.set_global_policy(_POLICIES[precision])
    config = {"width": width, "iterations": iterations, "seed": seed}
    if architecture == "conv_autoencoder":
        config.pop("iterations")
    model = _compile(build_model(architecture, **config))
    x = to_model_space(synthetic_images(batch, seed=seed))
    start = time.perf_counter()
    model.train_on_batch(x, x)
    first_step_s = time.perf_counter() - start
    steps, start = 0, time.perf_counter()
    while True:
        loss = model.train_on_batch(x, x)
        steps += 1
        elapsed = time.perf_counter() - start
        if steps >= min_steps and elapsed >= seconds:
            break
    loss = float(loss[0] if isinstance(loss, (list, tuple)) else loss)
    flops_per_image = 3 * 2 * float(model.macs_per_iteration(32, 32)) * model.iterations
    return TrainRow(architecture, width, model.iterations, batch, precision,
                    str(model.dtype_policy.compute_dtype), first_step_s, steps, batch * steps / elapsed,
                    flops_per_image, loss)


def measure_in_subprocess(architecture, *, precision, verbose=False, **kwargs):
    """``measure_training`` in a fresh interpreter; ``(TrainRow, None)`` or ``(None, reason)``."""
    argv = [sys.executable, "-m", __name__, "--arch", architecture, "--precision", precision]
    for key, value in kwargs.items():
        argv += [f"--{key.replace('_', '-')}", str(value)]
    if verbose:
        argv.append("--verbose")
    result = subprocess.run(argv, capture_output=True, text=True)
    if result.returncode == 0 and result.stdout.strip():
        return TrainRow(**json.loads(result.stdout.strip().splitlines()[-1])), None
    tail = (result.stderr.strip().splitlines() or [f"exit status {result.returncode}"])[-1]
    return None, f"{architecture} {precision} training failed: {tail}"


def format_train_header():
    """The lines before the training rows."""
    return "\n".join(
        [
            "| arch | width | iterations | batch | precision (compute dtype) | first step s "
            "| timed steps | train img/s | train FLOP/s | util. of fwd+bwd peak | loss |",
            "|:---|---:|---:|---:|:---|---:|---:|---:|---:|---:|---:|",
        ]
    )


def format_train_row(row, peaks):
    """One Markdown row of a ``TrainRow``; ``peaks`` as from :func:`.peak.measure_peaks`."""
    peak = peaks.get((row.precision, "forward+backward"))
    util = "-" if peak is None else f"{row.flops / peak.flops:.2%}"
    loss = f"{row.loss:.4g}" if math.isfinite(row.loss) else f"{row.loss} (not finite)"
    return (
        f"| {row.architecture} | {row.width:g} | {row.iterations} | {row.batch} "
        f"| {row.precision} ({row.compute_dtype}) | {row.first_step_s:.1f} | {row.steps} "
        f"| {row.per_s:.2f} | {row.flops / 1e9:.1f} G | {util} | {loss} |"
    )


def main(argv=None):
    """The subprocess entry point: prints one JSON ``TrainRow``."""
    parser = argparse.ArgumentParser(prog=f"python -m {__name__}", description=__doc__.splitlines()[0])
    parser.add_argument("--arch", required=True, choices=ARCHITECTURE_NAMES)
    parser.add_argument("--precision", choices=PRECISIONS, default="float32")
    parser.add_argument("--width", type=float, default=1.0)
    parser.add_argument("--iterations", type=int, default=8)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--min-steps", type=int, default=2)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    if not args.verbose:
        from residual_compression import quiet_startup

        quiet_startup.silence()
    row = measure_training(args.arch, width=args.width, iterations=args.iterations, batch=args.batch,
                           precision=args.precision, seconds=args.seconds, min_steps=args.min_steps)
    print(json.dumps(dataclasses.asdict(row)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
