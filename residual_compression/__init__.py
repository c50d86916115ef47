"""residual-compression: progressive neural image codecs (Toderici et al., ICLR 2016).

Importing this package does not import TensorFlow; the core runs on any Keras 3
backend (TensorFlow, JAX, PyTorch).
"""

from residual_compression.errors import BitstreamError
from residual_compression.errors import ImageInputError
from residual_compression.errors import ResidualCompressionError

__version__ = "0.1.0"

__all__ = [
    "BitstreamError",
    "ImageInputError",
    "ResidualCompressionError",
    "__version__",
]
