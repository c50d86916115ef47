"""The seven architectures of Table 1, by registry name."""

from residual_compression.architectures import ARCHITECTURE_NAMES
from residual_compression.models.base import ProgressiveAutoencoder
from residual_compression.models.conv_lstm import ConvLSTMCompressor
from residual_compression.models.conv_residual import ConvAutoencoder
from residual_compression.models.conv_residual import ConvResidualDistinct
from residual_compression.models.conv_residual import ConvResidualShared
from residual_compression.models.fc_lstm import FCLSTMCompressor
from residual_compression.models.fc_residual import FCResidualDistinct
from residual_compression.models.fc_residual import FCResidualShared
from residual_compression.validation import one_of

ARCHITECTURES = {
    cls.architecture: cls
    for cls in (
        FCResidualShared,
        FCResidualDistinct,
        FCLSTMCompressor,
        ConvResidualShared,
        ConvResidualDistinct,
        ConvAutoencoder,
        ConvLSTMCompressor,
    )
}


if tuple(ARCHITECTURES) != ARCHITECTURE_NAMES:  # one list of names, checked at import
    raise RuntimeError(f"architecture registry out of sync: {tuple(ARCHITECTURES)} != {ARCHITECTURE_NAMES}")


def build_model(architecture, **config):
    """Builds an architecture of Table 1 from its registry name and config."""
    return ARCHITECTURES[one_of("architecture", architecture, ARCHITECTURES)](**config)


__all__ = [
    "ARCHITECTURES",
    "ConvAutoencoder",
    "ConvLSTMCompressor",
    "ConvResidualDistinct",
    "ConvResidualShared",
    "FCLSTMCompressor",
    "FCResidualDistinct",
    "FCResidualShared",
    "ProgressiveAutoencoder",
    "build_model",
]
