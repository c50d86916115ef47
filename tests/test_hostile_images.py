"""The same awkward and hostile image files through every entry point.

``image_corpus.write_corpus`` writes one file per class (RGBA, LA, greyscale,
palette, CMYK JPEG, 16-bit PNGs, EXIF-rotated JPEG, 1x1, odd sizes, a PNG
named .jpg, an animated GIF; and a decompression bomb, PNG headers of a
70000x256 and a 9400x9400 16-bit image (refused from the header), a zero-byte file,
truncated JPEG and PNG, garbage and text named as images). Each entry point
must read the good ones correctly and, for the bad ones, print or raise one
line that names the file, carrying on with the rest in batch runs.
"""

import re

import numpy as np
import pytest
from PIL import Image

from conftest import make_codec
from image_corpus import Bad
from image_corpus import bad_names
from image_corpus import good_names
from image_corpus import write_corpus
from residual_compression import ImageInputError
from residual_compression import zoo
from residual_compression.cli import main
from residual_compression.images import load_image
from residual_compression.images import resize_to


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    return folder, write_corpus(folder)


def _names_file(line, name):
    return name in line and "\n" not in line.strip()


def test_api_reads_good_files_exactly_and_rejects_bad_ones_in_one_line(corpus):
    folder, expect = corpus
    codec = make_codec("conv_lstm")
    for name, expectation in expect.items():
        if isinstance(expectation, Bad):
            with pytest.raises(ImageInputError) as info:
                load_image(folder / name)
            message = str(info.value)
            assert _names_file(message, name), message
            assert re.search(expectation.pattern, message), message
            continue
        image = load_image(folder / name)
        np.testing.assert_array_equal(image, expectation.pixels, err_msg=name)
        recon = codec.decompress(codec.compress(image, iterations=2))
        assert recon.shape == image.shape and recon.dtype == np.uint8, name


@pytest.mark.usefixtures("loaded_once")  # one conv_lstm_64B codec for the CLI calls
def test_cli_encode_batch_reports_each_bad_file_and_encodes_the_rest(corpus, tmp_path, capsys):
    folder, expect = corpus
    out = tmp_path / "streams"
    out.mkdir()
    files = [str(folder / name) for name in sorted(expect)]
    assert main(["encode", *files, "-o", str(out), "--model", "conv_lstm_64B"]) == 1
    err_lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("residual-compression: error")]
    for name in bad_names(expect):
        assert sum(name in line for line in err_lines) == 1, (name, err_lines)
        assert not (out / (name.rsplit(".", 1)[0] + ".rc")).exists()
    assert len(err_lines) == len(bad_names(expect))
    # Every stream decodes to its image's size: the first through the CLI, the others through
    # one loaded codec (each CLI call loads the model anew, a second or two apiece).
    first, *others = good_names(expect)
    stream = out / (first.rsplit(".", 1)[0] + ".rc")
    assert main(["decode", str(stream), "-o", str(tmp_path / "first.png")]) == 0, first
    assert np.asarray(Image.open(tmp_path / "first.png")).shape == expect[first].pixels.shape, first
    codec = zoo.load("conv_lstm_64B")
    for name in others:
        stream = out / (name.rsplit(".", 1)[0] + ".rc")
        assert codec.decompress(stream.read_bytes()).shape == expect[name].pixels.shape, name


@pytest.mark.usefixtures("loaded_once")  # one conv_lstm_64B codec for the CLI calls
def test_cli_roundtrip_carries_on(corpus, capsys):
    folder, expect = corpus
    files = [str(folder / name) for name in sorted(expect)]
    assert main(["roundtrip", *files, "--model", "conv_lstm_64B", "--bytes", "64"]) == 1
    captured = capsys.readouterr()
    rows = [line for line in captured.out.splitlines()[1:] if line.strip()]
    # 64 B is more than the 8 iterations of a 1x1 image take: it gets its whole (shorter) stream.
    assert len(rows) == len(good_names(expect))
    assert any(row.split()[0].endswith("one_pixel.png") and int(row.split()[2]) < 64 for row in rows)
    errors = captured.err.splitlines()
    assert len(errors) == len(bad_names(expect))
    for name in bad_names(expect):
        assert sum(name in line for line in errors) == 1, name


@pytest.mark.parametrize("size", ["thumb", "full"])
def test_evaluate_loader_skips_bad_files_by_name(corpus, size):
    from residual_compression.evaluation.sources import load_images

    folder, expect = corpus
    reported = []
    loaded = load_images(folder, size=size, on_skip=lambda name, reason: reported.append((name, reason)))
    skipped = {name for name, _ in loaded.skipped}
    too_small = {n for n in good_names(expect) if min(expect[n].pixels.shape[:2]) < 8}
    expected_skips = set(bad_names(expect)) | (too_small if size == "full" else set())
    assert skipped == expected_skips and {n for n, _ in reported} == expected_skips
    assert set(loaded.names) == set(good_names(expect)) - skipped
    for name, reason in loaded.skipped:
        assert "\n" not in reason and (name in reason or name in too_small), (name, reason)
    for name, image in zip(loaded.names, loaded.images):
        pixels = expect[name].pixels
        np.testing.assert_array_equal(image, resize_to(pixels, (32, 32)) if size == "thumb" else pixels)


def test_evaluate_command_runs_on_the_good_files(corpus, tmp_path, capsys):
    from residual_compression.evaluation.cli import main as evaluate_main

    folder, expect = corpus
    out = tmp_path / "eval"
    status = evaluate_main(["evaluate", "--images", str(folder), "--baselines", "jpeg", "--targets", "64",
                            "--no-plots", "--no-progress", "--out", str(out), "--rd-targets"])
    assert status == 0
    err = capsys.readouterr().err
    for name in bad_names(expect):
        assert any(name in line and "skipping" in line for line in err.splitlines()), name
    import json

    results = json.loads((out / "results.json").read_text())
    assert sorted(name for name, _ in results["metadata"]["skipped_files"]) == bad_names(expect)
    assert results["num_images"] == len(good_names(expect))
    row = [line for line in (out / "table.md").read_text().splitlines() if "JPEG" in line][0]
    assert "inf" not in row and "nan" not in row  # the flat 1x1 thumbnail is exact: PSNR capped


@pytest.mark.parametrize("crop", [False, True])
def test_training_loader_skips_bad_files_by_name(corpus, crop, capsys):
    from residual_compression.training.data import load_images

    folder, expect = corpus
    images = load_images(folder, size=32, crop=crop)
    err = capsys.readouterr().err.splitlines()
    for name in bad_names(expect):
        assert sum(name in line and "skipping" in line for line in err) == 1, name
    assert len(images) == len(good_names(expect))
    for image in images:
        assert image.dtype == np.uint8 and image.shape[2] == 3 and min(image.shape[:2]) >= 32
