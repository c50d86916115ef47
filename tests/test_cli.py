"""The command line end to end on generated images."""

import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from conftest import synthetic_images
from residual_compression import __version__
from residual_compression import zoo
from residual_compression.cli import DEFAULT_MODEL
from residual_compression.cli import main

# Each command loads its preset with zoo.load, which builds the model anew: the commands of this
# module share one codec per preset (conftest.loaded_once). Subprocesses load their own.
pytestmark = pytest.mark.usefixtures("loaded_once")


@pytest.fixture
def png(tmp_path):
    path = tmp_path / "in.png"
    Image.fromarray(synthetic_images(1, 32, 32)[0]).save(path)
    return path


def test_encode_info_decode(tmp_path, png, capsys):
    stream = tmp_path / "x.rc"
    assert main(["encode", str(png), "-o", str(stream), "--model", "conv_lstm_64B", "--bytes", "128"]) == 0
    assert stream.stat().st_size <= 8 + 128  # a header of at most 8 bytes, a payload of at most 128
    captured = capsys.readouterr()
    assert ("UNTRAINED" in captured.err) == (zoo.get_preset("conv_lstm_64B").weights is None)
    assert main(["info", str(stream)]) == 0
    out = capsys.readouterr().out
    assert "conv_lstm_64B" in out and "32x32" in out and "iterations:  8" in out
    out_png = tmp_path / "out.png"
    assert main(["decode", str(stream), "-o", str(out_png), "--iterations", "4"]) == 0
    decoded = np.asarray(Image.open(out_png))
    assert decoded.shape == (32, 32, 3)


def test_untrained_presets_are_labelled(tmp_path, png, capsys, monkeypatch):
    from residual_compression.zoo.presets import Preset

    fake = Preset("fake_untrained_64B", 998, "conv_residual_shared", {"width": 0.0625, "iterations": 4}, 64, "fake")
    monkeypatch.setitem(zoo._BY_NAME, fake.name, fake)
    monkeypatch.setitem(zoo._BY_ID, fake.id, fake)
    stream = tmp_path / "u.rc"
    assert main(["encode", str(png), "-o", str(stream), "--model", fake.name]) == 0
    assert "UNTRAINED" in capsys.readouterr().err
    assert main(["info", str(stream)]) == 0
    assert "UNTRAINED" in capsys.readouterr().out


def test_truncated_stream_still_decodes_at_lower_rate(tmp_path, png):
    stream = tmp_path / "x.rc"
    main(["encode", str(png), "-o", str(stream), "--bytes", "128"])
    short = tmp_path / "short.rc"
    short.write_bytes(stream.read_bytes()[: 8 + 32])
    assert main(["decode", str(short), "-o", str(tmp_path / "s.png")]) == 0


@pytest.fixture(scope="module")
def bad_input_files(tmp_path_factory):
    """The inputs of test_bad_input_one_line_error, made once (encoding good.rc loads a model)."""
    folder = tmp_path_factory.mktemp("bad_input")
    Image.fromarray(synthetic_images(1, 32, 32)[0]).save(folder / "in.png")
    (folder / "bad.png").write_bytes(b"this is not a png")
    (folder / "garbage.rc").write_bytes(bytes(range(50)))
    assert main(["encode", str(folder / "in.png"), "-o", str(folder / "good.rc"), "--iterations", "4"]) == 0
    (folder / "cut.rc").write_bytes((folder / "good.rc").read_bytes()[:5])  # inside the header
    return folder


@pytest.mark.parametrize(
    "argv_fn, message",
    [
        (lambda d: ["decode", str(d / "missing.rc"), "-o", str(d / "o.png")], "no such file"),
        (lambda d: ["encode", str(d / "missing.png"), "-o", str(d / "o.rc")], "missing.png"),
        (lambda d: ["encode", str(d / "bad.png"), "-o", str(d / "o.rc")], "bad.png"),
        (lambda d: ["decode", str(d / "garbage.rc"), "-o", str(d / "o.png")], "garbage.rc"),
        (lambda d: ["info", str(d / "cut.rc")], "cut.rc"),
        (lambda d: ["encode", str(d / "in.png"), "-o", str(d / "o.rc"), "--model", "conv_lstm_6B"], "conv_lstm_64B"),
        (lambda d: ["encode", str(d / "in.png"), "-o", str(d / "o.rc"), "--iterations", "99"], "at most 16"),
        (lambda d: ["encode", str(d / "in.png"), "-o", str(d / "no" / "o.rc")], "cannot write"),
        (lambda d: ["decode", str(d / "good.rc"), "-o", str(d / "o.png"), "--iterations", "5"], "only 4"),
        (lambda d: ["decode", str(d / "good.rc"), "-o", str(d / "no" / "o.png")], "cannot write"),
    ],
)
def test_bad_input_one_line_error(tmp_path, bad_input_files, capsys, argv_fn, message):
    shutil.copytree(bad_input_files, tmp_path, dirs_exist_ok=True)  # each case in a folder of its own
    capsys.readouterr()
    assert main(argv_fn(tmp_path)) != 0
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if "error" in line]
    assert len(lines) == 1 and message in lines[0], err


def test_batch_encode_reports_bad_file_and_carries_on(tmp_path, png, capsys):
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"")
    out = tmp_path / "out"
    out.mkdir()
    assert main(["encode", str(png), str(bad), "-o", str(out)]) == 1
    assert (out / "in.rc").is_file() and not (out / "bad.rc").exists()
    assert "bad.png" in capsys.readouterr().err


def test_batch_encode_reports_unwritable_output_and_carries_on(tmp_path, png, capsys):
    other = tmp_path / "other.png"
    other.write_bytes(png.read_bytes())
    out = tmp_path / "out"
    (out / "in.rc").mkdir(parents=True)  # a folder where in.rc should go
    assert main(["encode", str(png), str(other), "-o", str(out)]) == 1
    assert (out / "other.rc").is_file()
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "in.rc" in err[0] and "cannot write" in err[0]


def test_roundtrip_main_job_shows_photos_beside_jpeg_and_webp(capsys, tmp_path):
    out_png = tmp_path / "side.png"
    assert main(["roundtrip", "--model", "conv_residual_shared_64B", "--bytes", "64", "128", "--out", str(out_png)]) == 0
    out = capsys.readouterr().out
    assert "conv_residual_shared_64B" in out.splitlines()[0]
    rows = [line.split() for line in out.splitlines() if line.startswith(("astronaut", "coffee"))]
    ours = [r for r in rows if r[1] == "conv_residual_shared_64B"]
    assert len(ours) == 4  # two photos at each budget
    for row in ours:
        target, payload, ssim, psnr = int(row[-4]), int(row[-3]), float(row[-2]), float(row[-1])
        assert 0 < payload <= target and -1 <= ssim <= 1 and psnr > 5
    assert any("JPEG" in " ".join(r) for r in rows) and any("WebP" in " ".join(r) for r in rows)
    assert "mean patch SSIM at 64 B" in out and "mean patch SSIM at 128 B" in out
    assert out_png.is_file() and out_png.stat().st_size > 1000


def test_roundtrip_files_print_sizes(capsys, tmp_path):
    from PIL import Image

    from residual_compression.images import synthetic_images

    paths = []
    for i, image in enumerate(synthetic_images(2)):
        paths.append(tmp_path / f"p{i}.png")
        Image.fromarray(image).save(paths[-1])
    assert main(["roundtrip", *map(str, paths), "--model", "conv_residual_shared_64B", "--bytes", "64", "128"]) == 0
    rows = [line.split() for line in capsys.readouterr().out.splitlines()[1:]]
    assert len(rows) == 4  # two images at each budget
    for budget, group in ((64, rows[:2]), (128, rows[2:])):
        for _, size, payload, file_bytes, *_ in group:
            assert size == "32x32" and 0 < int(payload) <= budget and int(file_bytes) - int(payload) <= 8


def _run(args, **kwargs):
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=120, **kwargs)


_IMPORTED = (
    "import runpy, sys\n"
    "sys.argv = ['residual-compression'] + sys.argv[1:]\n"
    "code = None\n"
    "try:\n"
    "    runpy.run_module('residual_compression', run_name='__main__')\n"
    "except SystemExit as exc:\n"
    "    code = exc.code\n"
    "heavy = sorted(m for m in ('tensorflow', 'keras', 'jax', 'torch') if m in sys.modules)\n"
    "print('IMPORTED', heavy, code, file=sys.stderr)\n"
)


@pytest.fixture(scope="module")
def stream_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("streams")
    png = folder / "in.png"
    Image.fromarray(synthetic_images(1, 32, 32)[0]).save(png)
    assert main(["encode", str(png), "-o", str(folder / "x.rc"), "--bytes", "64"]) == 0
    (folder / "cut.rc").write_bytes((folder / "x.rc").read_bytes()[:5])  # inside the header
    return folder


@pytest.mark.parametrize(
    "argv, code, expected",
    [
        (["info", "{d}/x.rc"], 0, "model:       conv_lstm_photo5_64B"),  # the default preset
        (["--version"], 0, "residual-compression 0.1.0"),
        (["--help"], 0, "--verbose"),
        (["presets"], 0, "conv_lstm_64B"),
        (["info", "{d}/cut.rc"], 1, "cut.rc"),
        (["info", "{d}/missing.rc"], 1, "no such file"),
        (["decode", "{d}/cut.rc", "-o", "{d}/o.png"], 1, "cut.rc"),
        (["encode", "{d}/missing.png", "-o", "{d}/o.rc"], 1, "missing.png"),
        (["encode", "{d}/in.png", "-o", "{d}/o.rc", "--model", "nope"], 1, "unknown preset"),
        (["encode", "{d}/in.png", "-o", "{d}/o.rc", "--iterations", "99"], 1, "at most 16"),
        (["encode", "{d}/in.png", "--bytes", "-3"], 2, "positive integer"),
    ],
)
def test_fast_answers_import_no_framework(stream_files, argv, code, expected):
    argv = [a.format(d=stream_files) for a in argv]
    result = _run(["-c", _IMPORTED, *argv])
    assert f"IMPORTED [] {code}" in result.stderr
    assert expected in result.stdout + result.stderr


def test_info_matches_the_loaded_codec(stream_files, capsys):
    codec = zoo.load(DEFAULT_MODEL)  # what encode used
    iterations = len(codec.progressive((stream_files / "x.rc").read_bytes()))
    assert main(["info", str(stream_files / "x.rc")]) == 0
    out = capsys.readouterr().out
    h, w, c = codec.code_shape(32, 32)
    assert f"iterations:  {iterations} x {h * w * c} bits ({h}x{w}x{c} code)" in out
    assert f"model:       {codec.name} (id {codec.model_id})" in out


def test_version_flag(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0 and capsys.readouterr().out.strip() == f"residual-compression {__version__}"


_FAKE_TENSORFLOW = """
import os
os.write(2, b"I0000 cudart_stub.cc:31] chatter from C++\\n")
if os.environ.get("FAKE_TF_FAIL"):
    raise ImportError("fake tensorflow cannot load")

class config:
    listed = False

    @classmethod
    def list_physical_devices(cls):  # like TensorFlow: the cuInit line on the first call only
        if not cls.listed:
            os.write(2, b"E0000 cuda_platform.cc:52] failed call to cuInit\\n")
        cls.listed = True
        return []
"""


@pytest.mark.parametrize("verbose", [False, True])
def test_framework_start_up_lines_are_silenced_unless_verbose(tmp_path, verbose):
    (tmp_path / "tensorflow").mkdir()
    (tmp_path / "tensorflow" / "__init__.py").write_text(_FAKE_TENSORFLOW)
    code = (
        "import sys; from residual_compression import quiet_startup\n"
        f"{'' if verbose else 'quiet_startup.silence()'}\n"
        "import tensorflow; tensorflow.config.list_physical_devices()\n"
        "print('after import', file=sys.stderr)\n"
    )
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    result = _run(["-c", code], env=env)
    assert result.returncode == 0 and "after import" in result.stderr
    assert ("chatter from C++" in result.stderr) == verbose
    assert ("cuInit" in result.stderr) == verbose


def test_a_failed_framework_import_keeps_its_log(tmp_path):
    (tmp_path / "tensorflow").mkdir()
    (tmp_path / "tensorflow" / "__init__.py").write_text(_FAKE_TENSORFLOW)
    code = "from residual_compression import quiet_startup; quiet_startup.silence(); import tensorflow"
    env = {**os.environ, "FAKE_TF_FAIL": "1",
           "PYTHONPATH": f"{tmp_path}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    result = _run(["-c", code], env=env)
    assert result.returncode != 0
    assert "chatter from C++" in result.stderr and "fake tensorflow cannot load" in result.stderr


def test_module_entry_point_help():
    for command in ("encode", "decode", "info", "roundtrip"):
        result = subprocess.run(
            [sys.executable, "-m", "residual_compression", command, "--help"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0 and "usage" in result.stdout


def test_encode_with_search_steps_decodes_with_the_plain_decoder(tmp_path, png):
    from residual_compression.codec_streams import _objective

    plain, searched = tmp_path / "plain.rc", tmp_path / "searched.rc"
    assert main(["encode", str(png), "-o", str(plain), "--bytes", "48"]) == 0
    assert main(["encode", str(png), "-o", str(searched), "--bytes", "48", "--search-steps", "5"]) == 0
    assert plain.stat().st_size == searched.stat().st_size
    image = np.asarray(Image.open(png))[None]
    scores = []
    for stream in (plain, searched):
        out = tmp_path / (stream.stem + ".png")
        assert main(["decode", str(stream), "-o", str(out)]) == 0
        scores.append(_objective(image, np.asarray(Image.open(out))[None])[0])
    assert scores[1] <= scores[0]
    with pytest.raises(SystemExit):
        main(["encode", str(png), "-o", str(searched), "--search-steps", "-1"])


def test_encode_monotone_writes_the_budget_and_refuses_iterations(tmp_path, png, capsys):
    out = tmp_path / "mono.rc"
    assert main(["encode", str(png), "-o", str(out), "--bytes", "41", "--monotone"]) == 0
    data = out.read_bytes()
    assert len(data) - zoo.load(DEFAULT_MODEL).stream_header_size(data) == 41
    assert main(["decode", str(out), "-o", str(tmp_path / "mono.png")]) == 0
    # Without --bytes, the preset's budget; with --iterations, refused.
    assert main(["encode", str(png), "-o", str(out), "--monotone"]) == 0
    data = out.read_bytes()
    assert len(data) - zoo.load(DEFAULT_MODEL).stream_header_size(data) == zoo.load(DEFAULT_MODEL).default_num_bytes
    assert main(["encode", str(png), "-o", str(out), "--monotone", "--iterations", "2"]) == 1
    assert "--monotone needs a byte budget" in capsys.readouterr().err
