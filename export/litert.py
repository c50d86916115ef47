"""Run an export's ``encoder.tflite`` / ``decoder.tflite`` with LiteRT and numpy.

Needs only numpy and ``ai-edge-litert`` (``from ai_edge_litert.interpreter
import Interpreter``), not TensorFlow or Keras: this is what an app does on a
device, in Python. Inputs are checked here first, so bad input gets a clear
:class:`~residual_compression.errors.ResidualCompressionError` (the models
themselves also refuse out-of-range iteration counts: their guard ``GATHER``
fails to invoke, because TFLite drops TensorFlow's assertions).

    lite = LiteRTCodec("exported/")          # the folder export_model wrote
    codes = lite.encode(images, 4)           # uint8 (N, 4, bytes_per_iteration)
    streams = lite.compress(images, 4)       # format-1 bytes, == codec.compress(..., format=1)
    images = lite.decompress(streams)        # uint8 (N, H, W, 3)

Streams are format 1 (raw bits, ``docs/bitstream.md``) of the export's image
size, whole iterations; they are written and checked by
:mod:`residual_compression.bitstream` (numpy only). Format-2 (entropy-coded)
streams are refused: decode those with the Python codec.
"""

import json
import pathlib

import numpy as np

from residual_compression import bitstream
from residual_compression.errors import BitstreamError
from residual_compression.errors import ImageInputError
from residual_compression.errors import ResidualCompressionError

__all__ = ["LiteRTCodec"]


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
        self.code_shape = tuple(m["code_shape"])
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
        """Format-1 streams (header + payload), as ``ProgressiveCodec.compress(..., format=1)``."""
        codes = self.encode(images, iterations)
        return [self.header + c.tobytes() for c in codes]

    def _payload(self, stream, where):
        """The uint8 ``(T, bytes_per_iteration)`` payload of one format-1 stream of this export."""
        try:
            header = bitstream.read_header(stream)
            if header.version != 1:
                raise BitstreamError(
                    f"format {header.version} stream; this export decodes format 1 only "
                    "(decode it with the Python codec)"
                )
            if header.model_id not in self.model_ids:
                raise BitstreamError(
                    f"made by model id {header.model_id}, this export decodes {sorted(self.model_ids)}"
                )
            if (header.width, header.height) != (self.width, self.height):
                raise BitstreamError(f"not a {self.width}x{self.height} image, the only size this export decodes")
            bitstream.decode_stream(
                stream, code_shape_fn=lambda h, w: self.code_shape, max_iterations=self.max_iterations,
                strict=True,
            )
        except BitstreamError as e:
            raise BitstreamError(f"{where}: {e}") from None
        return np.frombuffer(bytes(stream), np.uint8, offset=bitstream.HEADER_SIZE).reshape(-1, self.bytes_per_iteration)

    def decompress(self, streams):
        """Whole format-1 streams of this model and image size -> uint8 ``(N, H, W, 3)``."""
        if isinstance(streams, (bytes, bytearray, memoryview)):
            streams = [streams]
        payloads = [self._payload(s, f"stream {i}") for i, s in enumerate(streams)]
        if not payloads:
            raise BitstreamError("no streams given")
        if len({p.shape[0] for p in payloads}) != 1:
            raise BitstreamError("all streams of one call must hold the same number of iterations")
        return self.decode(np.stack(payloads))
