"""How fast the codecs and their training run on this machine (``residual-compression bench``).

These measure the implementation, not the paper's protocol (that is
:mod:`residual_compression.evaluation`). Submodules, imported on first use so
that ``import residual_compression.benchmarks`` loads neither numpy,
TensorFlow nor Keras:

* ``peak``: the reference, TensorFlow's own 3x3 convolution forward and
  forward + backward in float32 and bf16, measured in the run; numpy's matmul
  kept only as a labelled figure.
* ``throughput``: thumbnails/s, MACs, FLOP/s and utilisation of neural and
  classical codecs; batch encode + decode and one-thumbnail latency.
* ``training_speed``: steady-state training images/s per precision, each
  precision in a fresh process (``bench --train``).
* ``large_image``: seconds and peak memory of one large image (``bench --large``).
* ``cli``: the ``bench`` subcommand.
"""

__all__ = []
