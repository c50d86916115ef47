"""Registry names of the seven architectures of Table 1 (no Keras import).

``residual_compression.models.ARCHITECTURES`` maps these names to classes;
this list lets the command line offer them without importing Keras.
"""

__all__ = ["ARCHITECTURE_NAMES"]

ARCHITECTURE_NAMES = (
    "fc_residual_shared",
    "fc_residual_distinct",
    "fc_lstm",
    "conv_residual_shared",
    "conv_residual_distinct",
    "conv_autoencoder",
    "conv_lstm",
)
