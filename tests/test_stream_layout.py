"""The command line's stream layout (no Keras) agrees with the models of every preset."""

import pytest

from residual_compression import zoo
from residual_compression.errors import ResidualCompressionError
from residual_compression.stream_layout import StreamLayout

_MODELS = {}


def _model(preset):
    from residual_compression.models import build_model

    key = (preset.architecture, tuple(sorted(preset.config.items())))
    if key not in _MODELS:
        _MODELS[key] = build_model(preset.architecture, **preset.config)
    return _MODELS[key]


@pytest.mark.parametrize("name", zoo.list_presets())
def test_layout_of_each_preset_is_its_models(name):
    preset = zoo.get_preset(name)
    layout = StreamLayout.of(preset)
    assert layout is not None, f"{name}: the zoo table does not state bits and iterations"
    model = _model(preset)
    assert (layout.block_size, layout.bits, layout.max_iterations) == (model.block_size, model.bits, model.iterations)
    for height, width in ((32, 32), (33, 47), (8, 200)):
        padded = layout.padded_size(height, width)
        assert padded[0] % model.block_size == 0 and padded[0] - height < model.block_size
        assert layout.code_shape(height, width) == tuple(model.code_shape(*padded))


def test_a_preset_leaving_bits_to_the_model_has_no_layout():
    from residual_compression.zoo.presets import Preset

    preset = Preset("x_64B", 999, "conv_residual_shared", {"width": 0.0625, "iterations": 4}, 64, "x")
    assert StreamLayout.of(preset) is None


def test_parse_refuses_a_header_over_the_pixel_limit():
    from residual_compression import bitstream

    layout = StreamLayout("m", 4, 2, 8, max_pixels=64 * 64)
    data = bitstream.encode_stream(13, 65, 64, _ones(16, 17, 2))  # 68x64 after padding
    with pytest.raises(ResidualCompressionError, match="max_pixels"):
        layout.parse(data)
    assert layout.parse(bitstream.encode_stream(13, 64, 64, _ones(16, 16, 2)))[1].shape == (1, 16, 16, 2)


def _ones(h, w, c):
    import numpy as np

    return np.ones((1, h, w, c), np.int8)
