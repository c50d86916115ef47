"""Run an export's ``encoder.tflite`` / ``decoder.tflite`` with LiteRT and numpy.

Needs only numpy and ``ai-edge-litert`` (``from ai_edge_litert.interpreter
import Interpreter``), not TensorFlow or Keras: this is what an app does on a
device, in Python. Inputs are checked here first, so bad input gets a clear
:class:`~residual_compression.errors.ResidualCompressionError` (the models
themselves also refuse out-of-range iteration counts: their guard ``GATHER``
fails to invoke, because TFLite drops TensorFlow's assertions).

    lite = LiteRTCodec("exported/")          # the folder export_model wrote
    codes = lite.encode(images, 4)           # uint8 (N, 4, bytes_per_iteration)
    streams = lite.compress(images, 4)       # list of bytes, == codec.compress
    images = lite.decompress(streams)        # uint8 (N, H, W, 3)
"""

import json
import pathlib

import numpy as np

from residual_compression.errors import BitstreamError
from residual_compression.errors import ImageInputError
from residual_compression.errors import ResidualCompressionError

__all__ = ["LiteRTCodec"]

HEADER_SIZE = 8  # bitstream.HEADER_SIZE, repeated to keep this module numpy-only


class LiteRTCodec:
    """The exported LiteRT encoder and decoder behind a numpy interface.

    Args:
        export_dir: the folder written by ``export_model(format="tflite"|"both")``.
        num_threads: interpreter threads (None: LiteRT's default).
    """

    def __init__(self, export_dir, num_threads=None):
        from ai_edge_litert.interpreter import Interpreter

        self.export_dir = pathlib.Path(export_dir)
        meta_path = self.export_dir / "export.json"
        try:
            self.metadata = json.loads(meta_path.read_text())
        except FileNotFoundError:
            raise ResidualCompressionError(f"{meta_path}: missing; is this an export folder?") from None
        m = self.metadata
        self.max_iterations = m["max_iterations"]
        self.bytes_per_iteration = m["bytes_per_iteration"]
        self.height, self.width = m["image_size"]["height"], m["image_size"]["width"]
        self.header = bytes.fromhex(m["header_hex"])
        self.model_ids = set(m["compatible_ids"])
        self._pad_bits = 8 * self.bytes_per_iteration - int(np.prod(m["code_shape"]))
        self._interpreters = {}
        for key, file in (("encode", "encoder.tflite"), ("decode", "decoder.tflite")):
            path = self.export_dir / file
            if path.is_file():
                self._interpreters[key] = Interpreter(model_path=str(path), num_threads=num_threads)
        if not self._interpreters:
            raise ResidualCompressionError(f"{self.export_dir}: holds no encoder.tflite or decoder.tflite")
        self._runners = {}

    def _runner(self, key):
        if key not in self._interpreters:
            raise ResidualCompressionError(f"{self.export_dir}: has no {key}r.tflite")
        if key not in self._runners:
            self._runners[key] = self._interpreters[key].get_signature_runner(key)
        return self._runners[key]

    def _check_count(self, value, what):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not (
            1 <= value <= self.max_iterations
        ):
            raise ResidualCompressionError(
                f"{what} must be an integer between 1 and {self.max_iterations} (the export's "
                f"max_iterations), received: {value!r}"
            )
        return int(value)

    def encode(self, images, iterations):
        """uint8 ``(N, H, W, 3)`` -> uint8 codes ``(N, iterations, bytes_per_iteration)``."""
        images = np.asarray(images)
        expected = (self.height, self.width, 3)
        if images.dtype != np.uint8 or images.ndim != 4 or images.shape[1:] != expected:
            raise ImageInputError(
                f"`images` must be uint8 of shape (N, {self.height}, {self.width}, 3) for this "
                f"export, received {images.dtype} {images.shape}"
            )
        n = self._check_count(iterations, "`iterations`")
        out = self._runner("encode")(images=images, iterations=np.array(n, np.int32))
        return out["codes"]

    def decode(self, codes, return_all=False):
        """uint8 codes ``(N, T, B)`` -> uint8 images ``(N, H, W, 3)``, or ``(N, T, H, W, 3)``."""
        codes = np.asarray(codes)
        if codes.dtype != np.uint8 or codes.ndim != 3 or codes.shape[2] != self.bytes_per_iteration:
            raise ResidualCompressionError(
                f"`codes` must be uint8 of shape (N, T, {self.bytes_per_iteration}), received "
                f"{codes.dtype} {codes.shape}"
            )
        self._check_count(codes.shape[1], "the number of iterations T in `codes`")
        out = self._runner("decode")(codes=codes)
        return out["reconstructions"] if return_all else out["images"]

    def compress(self, images, iterations):
        """Streams (header + payload) exactly as ``ProgressiveCodec.compress`` writes them."""
        codes = self.encode(images, iterations)
        return [self.header + c.tobytes() for c in codes]

    def decompress(self, streams):
        """Whole streams of this model and image size -> uint8 ``(N, H, W, 3)``."""
        if isinstance(streams, (bytes, bytearray, memoryview)):
            streams = [streams]
        payloads = []
        for i, s in enumerate(streams):
            s = bytes(s)
            where = f"stream {i}"
            if len(s) < HEADER_SIZE or s[:2] != self.header[:2]:
                raise BitstreamError(f"{where}: not a residual-compression stream of format version 1")
            if int.from_bytes(s[2:4], "big") not in self.model_ids:
                raise BitstreamError(f"{where}: made by model id {int.from_bytes(s[2:4], 'big')}, "
                                     f"this export decodes {sorted(self.model_ids)}")
            if s[4:8] != self.header[4:8]:
                raise BitstreamError(f"{where}: not a {self.width}x{self.height} image, the only size "
                                     "this export decodes")
            t, extra = divmod(len(s) - HEADER_SIZE, self.bytes_per_iteration)
            if extra or t < 1:
                raise BitstreamError(f"{where}: payload is not a whole number (>= 1) of "
                                     f"{self.bytes_per_iteration}-byte iterations")
            payload = np.frombuffer(s, np.uint8, offset=HEADER_SIZE).reshape(t, -1)
            if self._pad_bits and np.any(payload[:, -1] & ((1 << self._pad_bits) - 1)):
                raise BitstreamError(f"{where}: corrupt, nonzero padding bits")
            payloads.append(payload)
        if not payloads:
            raise BitstreamError("no streams given")
        if len({p.shape[0] for p in payloads}) != 1:
            raise BitstreamError("all streams of one call must hold the same number of iterations")
        return self.decode(np.stack(payloads))
