"""The README's Python snippets run as written (doctest-style).

Every ```python block of README.md is executed, in order, each in a fresh
namespace that holds the blocks before it. Names a snippet uses without
defining (``images_uint8``, ``image``, ``photo``) are given small synthetic
images: 32x32 thumbnails, and a photo-shaped image larger than one tile of
32x32, since the README's examples must hold for photos too. A block that
reads a file which is not in the repository is skipped, naming the file.
"""

import ast
import builtins
import pathlib
import re

import pytest

from conftest import synthetic_images

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"
_BLOCK = re.compile(r"^```python[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
_DATA_FILE = re.compile(r"\.(png|jpe?g|webp|bmp|gif|tiff?|npz|rc|h5|keras)$|shared/data", re.IGNORECASE)

# The images a snippet may take as given, per input kind: a batch and one image.
INPUTS = {
    "thumbnails": lambda: {"batch": synthetic_images(2, 32, 32, seed=1), "one": synthetic_images(1, 32, 32, seed=2)[0]},
    "photo": lambda: {"batch": synthetic_images(1, 96, 128, seed=3), "one": synthetic_images(1, 96, 128, seed=3)[0]},
}
PLACEHOLDERS = {"images_uint8": "batch", "images": "batch", "batch": "batch", "image": "one", "photo": "one", "img": "one"}


def python_blocks(text=None):
    """The source of each ```python block of the README, in order."""
    return _BLOCK.findall(README.read_text(encoding="utf-8") if text is None else text)


def _names(source):
    """``(bound, read)``: the names a block assigns or imports, and those it reads."""
    bound, read = set(), set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name):
            (bound if isinstance(node.ctx, (ast.Store, ast.Del)) else read).add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
    return bound, read


def free_names(source):
    """Names a block reads that it neither assigns, imports nor gets from builtins."""
    bound, read = _names(source)
    return read - bound - set(dir(builtins))


def missing_files(source):
    """String literals of the block that name a data file absent from the repository."""
    strings = [n.value for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    return [s for s in strings if _DATA_FILE.search(s) and not (README.parent / s).exists()]


def test_the_extractor_finds_blocks_and_their_inputs():
    text = "x\n```python\nfrom m import a\nb = a(images_uint8)\n```\n```bash\nls\n```\n```python\nc = b + 1\n```\n"
    blocks = python_blocks(text)
    assert len(blocks) == 2 and free_names(blocks[0]) == {"images_uint8"} and free_names(blocks[1]) == {"b"}
    assert missing_files("load_image('kodim01.png')") == ["kodim01.png"]


def _block_ids():
    blocks = python_blocks()
    return [pytest.param(i, kind, id=f"block{i + 1}-{kind}") for i in range(len(blocks)) for kind in INPUTS]


@pytest.mark.parametrize("index, kind", _block_ids())
@pytest.mark.usefixtures("loaded_once")  # each run loads the same preset: one codec for all of them
def test_readme_python_block_runs(index, kind, tmp_path, monkeypatch):
    blocks = python_blocks()
    needed = [b for b in blocks[: index + 1] if missing_files(b)]
    if needed:
        pytest.skip(f"README block {index + 1} needs data not in the repository: {missing_files(needed[0])}")
    defined = set(PLACEHOLDERS)
    for source in blocks[: index + 1]:
        unknown = free_names(source) - defined
        if unknown:
            pytest.skip(f"README block {index + 1} uses names no snippet defines: {sorted(unknown)}")
        defined |= _names(source)[0]
    inputs = INPUTS[kind]()
    namespace = {"__name__": "readme", **{name: inputs[what] for name, what in PLACEHOLDERS.items()}}
    monkeypatch.chdir(tmp_path)  # anything a snippet writes lands here
    for number, source in enumerate(blocks[: index + 1], 1):
        exec(compile(source, f"README.md python block {number}", "exec"), namespace)
