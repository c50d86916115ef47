"""The evaluation package must not pull in heavy libraries at import time."""

import subprocess
import sys

import pytest

HEAVY = ("tensorflow", "keras", "jax", "torch", "matplotlib", "PIL", "tqdm")

_PROBE = """
import sys
import residual_compression
before = set(sys.modules)
for name in {modules!r}:
    __import__(name)
new = {{m.split('.')[0] for m in set(sys.modules) - before}}
print(' '.join(sorted(new)))
"""


def _new_top_level_modules(modules):
    code = _PROBE.format(modules=list(modules))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_package_and_cli_import_nothing_heavy():
    new = _new_top_level_modules(["residual_compression.evaluation", "residual_compression.evaluation.cli"])
    assert not new & (set(HEAVY) | {"numpy"}), new


@pytest.mark.parametrize(
    "module",
    [
        *(
            f"evaluation.{name}"
            for name in ["metrics", "containers", "baselines", "protocol", "runner", "writers", "plots", "sources"]
        ),
        "benchmarks.throughput",
    ],
)
def test_submodules_import_no_framework_or_pillow(module):
    new = _new_top_level_modules([f"residual_compression.{module}"])
    assert not new & set(HEAVY), new


def test_lazy_reexports():
    import residual_compression.evaluation as evaluation

    assert evaluation.patch_ssim is __import__("residual_compression.evaluation.metrics", fromlist=["x"]).patch_ssim
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        evaluation.nope
