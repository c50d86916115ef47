"""Tests of the classical baselines and the sec. 4.3 target search."""

import numpy as np
import pytest

from residual_compression.errors import BitstreamError
from residual_compression.evaluation import baselines
from residual_compression.evaluation.baselines import (
    AvifCodec,
    BaselineCodec,
    TargetSearch,
    encode_at_target,
    get_baseline,
)
from conftest import synthetic_images

IMAGES = synthetic_images(3, seed=21)
NAMES = [
    pytest.param(name, marks=pytest.mark.skipif(not AvifCodec.available(), reason="this Pillow build has no AVIF support"))
    if name == "avif"
    else name
    for name in baselines.BASELINE_NAMES
]


@pytest.mark.parametrize("name", NAMES)
def test_encode_payload_decode(name):
    codec = get_baseline(name)
    assert codec.name == name
    setting = codec.settings[len(codec.settings) // 2]
    data = codec.encode(IMAGES[0], setting)
    assert isinstance(data, bytes)
    assert 0 < codec.payload_size(data) < codec.file_size(data) == len(data)
    decoded = codec.decode(data)
    assert decoded.shape == (32, 32, 3) and decoded.dtype == np.uint8
    assert codec.encode(IMAGES[0], setting) == data  # deterministic


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("target", [64, 128])
def test_target_search_never_below_target(name, target):
    codec = get_baseline(name)
    for image in IMAGES:
        search = TargetSearch(codec, image)
        data, setting, payload = search.at(target)
        assert payload == codec.payload_size(data)
        assert setting in codec.settings
        if search.size(len(codec.settings) - 1) >= target:
            assert payload >= target


def test_jpeg_search_matches_exhaustive_search():
    codec = get_baseline("jpeg")
    for image in IMAGES:
        sizes = [codec.payload_size(codec.encode(image, s)) for s in codec.settings]
        for target in (40, 64, 100, 128, 200):
            best = min(size for size in sizes if size >= target)
            assert encode_at_target(codec, image, target)[2] == best


def test_target_above_every_setting_gives_the_largest():
    codec = get_baseline("jpeg")
    data, setting, payload = encode_at_target(codec, IMAGES[0], 10**6)
    assert setting == 100
    assert payload == codec.payload_size(codec.encode(IMAGES[0], 100))


class _TableCodec(BaselineCodec):
    """A fake codec whose header-less size at setting i is sizes[i]."""

    name = "table"
    format = "none"

    def __init__(self, sizes):
        self.sizes = list(sizes)
        self.settings = tuple(range(len(sizes)))
        self.calls = 0

    def encode(self, image, setting):
        self.calls += 1
        return bytes(self.sizes[setting])

    def _save_options(self, image, setting):
        return {}

    def payload_size(self, data):
        return len(data)


def _search(sizes, target, window=2):
    codec = _TableCodec(sizes)
    return encode_at_target(codec, IMAGES[0], target, window=window)[1:]


def test_search_resolves_local_non_monotonicity():
    # Binary search lands on index 2 (30 bytes); index 3 reaches 24 with fewer bytes.
    assert _search([10, 20, 30, 25, 40, 50], 24) == (3, 25)
    # Without a window the monotone assumption picks index 2.
    assert _search([10, 20, 30, 25, 40, 50], 24, window=0) == (2, 30)


def test_search_prefers_reaching_neighbour_over_largest():
    # The top setting misses the target but its neighbour reaches it.
    assert _search([10, 50, 44], 45) == (1, 50)
    # Nothing reaches: the largest size wins (ties: highest setting).
    assert _search([10, 20, 15], 100) == (1, 20)
    assert _search([10, 20, 20], 100) == (2, 20)


def test_search_ties_pick_the_lowest_setting_and_is_order_independent():
    sizes = [10, 64, 64, 64, 80, 90, 100]
    assert _search(sizes, 64) == (1, 64)
    codec = _TableCodec(sizes)
    search = TargetSearch(codec, IMAGES[0])
    first = search.at(95)
    calls = codec.calls
    assert search.at(95) == first
    assert codec.calls == calls  # answered from the cache
    # Earlier queries do not change the answer for another target.
    assert search.at(64)[1:] == (1, 64)
    assert TargetSearch(_TableCodec(sizes), IMAGES[0]).at(64)[1:] == (1, 64)


def test_bad_arguments_are_named():
    codec = get_baseline("jpeg")
    with pytest.raises(ValueError, match="setting must be one of the jpeg settings.*got 0"):
        codec.encode(IMAGES[0], 0)
    with pytest.raises(ValueError, match="image must have dtype uint8, got dtype float64"):
        codec.encode(IMAGES[0].astype(float), 50)
    with pytest.raises(ValueError, match=r"image must have shape \(H, W, 3\), got shape \(32, 32\)"):
        codec.encode(IMAGES[0][..., 0], 50)
    with pytest.raises(ValueError, match="target_bytes must be a non-negative integer, got -5"):
        encode_at_target(codec, IMAGES[0], -5)
    with pytest.raises(ValueError, match="window"):
        TargetSearch(codec, IMAGES[0], window=-1)
    with pytest.raises(TypeError, match="codec must be a BaselineCodec"):
        TargetSearch(object(), IMAGES[0])
    with pytest.raises(BitstreamError, match="jpeg: cannot decode"):
        codec.decode(b"not a jpeg")


def test_registry(monkeypatch):
    with pytest.raises(ValueError, match="unknown baseline 'gif'"):
        get_baseline("gif")
    assert set(baselines.available_baselines()) <= set(baselines.BASELINE_NAMES)
    assert get_baseline("jpeg_optimized").optimize is True
    monkeypatch.setattr(AvifCodec, "available", classmethod(lambda cls: False))
    assert "avif" not in baselines.available_baselines()
    with pytest.raises(ValueError, match="'avif' is not available"):
        get_baseline("avif")


def test_jpeg2000_resolution_levels():
    codec = get_baseline("jpeg2000")
    assert codec.resolutions_for(32, 32) == 3
    assert codec.resolutions_for(512, 768) == 6
    assert baselines.Jpeg2000Codec(num_resolutions=2).resolutions_for(32, 32) == 2
    with pytest.raises(ValueError, match="num_resolutions"):
        baselines.Jpeg2000Codec(num_resolutions=0)
