"""The Colab notebooks (issue 6): stored without outputs, and each runs top to bottom.

Each notebook runs in a fresh Jupyter kernel (nbclient) with ``RC_FAST=1`` (its tiny
settings) and its working directory in a temporary folder, so whatever it writes
(training runs, exports) stays there. Any cell that raises fails the test. A kernel
imports TensorFlow anew (~15 s on one core), so those runs are marked slow; the default
suite runs the quickstart's code cells in order in this process instead.
"""

import os
import pathlib
import time

import numpy as np
import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

COLAB = pathlib.Path(__file__).resolve().parents[1] / "colab"
NOTEBOOKS = ("01_quickstart", "02_train_your_own", "03_export_and_serve")
CELL_TIMEOUT_S = 600
# Variables the notebooks read; cleared so that the caller's environment cannot change a run.
SETTINGS = ("RC_IMAGES", "RC_PRESET", "RC_THUMBS", "RC_PHOTO_MAX_SIDE", "RC_STEPS", "RC_WIDTH",
            "RC_BATCH", "RC_CROPS", "RC_TEST_IMAGES")


def read(name):
    with open(COLAB / f"{name}.ipynb", encoding="utf-8") as f:
        return nbformat.read(f, as_version=4)


def test_every_notebook_is_tested():
    assert sorted(p.stem for p in COLAB.glob("*.ipynb")) == sorted(NOTEBOOKS)
    assert {name for name, _ in RUNS} == set(NOTEBOOKS)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_stored_without_outputs(name):
    nb = read(name)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "python3"
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert code, "a notebook without code"
    for i, cell in enumerate(code):
        assert cell.outputs == [], f"code cell {i} of {name} is stored with outputs"
        assert cell.execution_count is None, f"code cell {i} of {name} is stored with an execution count"
    # The first code cell installs the package, unless it is importable already.
    first = code[0].source
    assert "REPO_URL" in first and "except ImportError" in first and "pip" in first


def write_image_folder(folder):
    """A few PNGs of different sizes, for the notebooks' own-images path."""
    from residual_compression.images import save_image

    folder.mkdir()
    rng = np.random.default_rng(6)
    # Five pictures, so that notebook 02 holds one out for testing.
    for i, (height, width) in enumerate([(96, 128), (200, 300), (64, 64), (150, 100), (40, 90)]):
        y, x = np.mgrid[0:height, 0:width] / max(height, width)
        base = np.stack([np.sin(7 * x + i), np.cos(5 * y - i), np.sin(4 * (x + y))], axis=-1)
        image = 127.5 + 90 * base + rng.normal(0, 8, (height, width, 3))
        save_image(folder / f"picture{i}.png", np.clip(np.rint(image), 0, 255).astype(np.uint8))
    return folder


def _fast_settings(monkeypatch, tmp_path, own_images):
    """RC_FAST=1 and nothing else from the caller's environment; returns the working folder."""
    for variable in SETTINGS:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("RC_FAST", "1")
    if own_images:
        monkeypatch.setenv("RC_IMAGES", str(write_image_folder(tmp_path / "my_images")))
    work = tmp_path / "work"
    work.mkdir()
    return work


@pytest.mark.usefixtures("loaded_once")  # its preset's codec may be loaded already: graphs shared
def test_quickstart_cells_run_in_order_in_process(tmp_path, monkeypatch, capsys):
    """01_quickstart on its synthetic fallback, each code cell executed in order in one
    namespace in this process (figures on matplotlib's Agg backend): what the kernel run of
    test_runs_top_to_bottom executes, without a kernel's start-up."""
    import matplotlib

    from IPython.core.inputtransformer2 import TransformerManager

    monkeypatch.chdir(_fast_settings(monkeypatch, tmp_path, own_images=False))
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    namespace = {"__name__": "__main__"}
    cells = [cell for cell in read("01_quickstart").cells if cell.cell_type == "code"]
    try:
        for i, cell in enumerate(cells):
            source = TransformerManager().transform_cell(cell.source)
            exec(compile(source, f"01_quickstart.ipynb code cell {i}", "exec"), namespace)
    finally:
        plt.close("all")
    assert "no image folder" in capsys.readouterr().out  # the synthetic fallback ran
    assert {"codec", "streams", "recon", "photo_stream"} <= set(namespace)


# (notebook, run it on a folder of "own" images rather than its synthetic fallback)
# Slow (~30-175 s each on one core, a third of it the kernel's start-up): the default suite
# runs the quickstart's cells in process above, checks every notebook's stored form, and
# covers what 02 and 03 call in test_training.py, test_photo_training.py, test_image_sets.py,
# test_export.py and test_export_cli.py.
RUNS = [
    ("01_quickstart", False),
    ("01_quickstart", True),
    ("02_train_your_own", True),
    ("03_export_and_serve", False),
]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "own_images"),
    [pytest.param(n, own, id=f"{n}-{'own' if own else 'synthetic'}") for n, own in RUNS],
)
def test_runs_top_to_bottom(name, own_images, tmp_path, monkeypatch):
    work = _fast_settings(monkeypatch, tmp_path, own_images)
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "2")
    nb = read(name)
    client = nbclient.NotebookClient(
        nb,
        timeout=CELL_TIMEOUT_S,
        kernel_name="python3",
        resources={"metadata": {"path": str(work)}},
    )
    start = time.perf_counter()
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as e:
        pytest.fail(f"{name}.ipynb: a cell failed:\n{e}", pytrace=False)
    elapsed = time.perf_counter() - start
    print(f"{name}.ipynb ran in {elapsed:.1f} s")
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            assert output.output_type != "error", f"{name}.ipynb: an error output:\n{output}"
