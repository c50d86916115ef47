"""Silences TensorFlow's start-up log lines for the command line.

TensorFlow 2.21 writes lines such as ``cudart_stub.cc:31] Could not find cuda
drivers`` and ``failed call to cuInit`` from C++ (absl) straight to file
descriptor 2 while it is imported and while it first lists its devices;
``TF_CPP_MIN_LOG_LEVEL`` does not reach all of them. :func:`silence` installs
a one-shot import hook: when ``tensorflow`` is first imported (by Keras or
anything else), descriptor 2 goes to a temporary file for the import and the
device listing, then comes back. What was written there is dropped, unless
the import fails, in which case it is replayed so the error keeps its
context. Python warnings and everything after the import reach stderr as
usual. Nothing happens if TensorFlow is already imported.
"""

import contextlib
import importlib.abc
import importlib.util
import logging
import os
import sys
import tempfile

__all__ = ["silence"]

_LOG_LEVEL = "2"  # TensorFlow C++ logging: errors only


@contextlib.contextmanager
def _stderr_captured():
    """Points descriptor 2 at a temporary file; yields a function that returns what it got."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as capture:
        os.dup2(capture.fileno(), 2)
        try:
            yield lambda: (capture.seek(0), capture.read())[1]
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


class _QuietLoader(importlib.abc.Loader):
    """Runs the wrapped loader's ``exec_module`` with descriptor 2 captured."""

    def __init__(self, loader):
        self._loader = loader

    def __getattr__(self, name):  # resource readers and the like
        return getattr(self._loader, name)

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        failed = None
        with _stderr_captured() as captured:
            try:
                self._loader.exec_module(module)
                module.config.list_physical_devices()  # the cuInit line is written here
            except BaseException as exc:  # replayed below, once descriptor 2 is back
                failed, log = exc, captured()
            finally:
                module.__loader__ = self._loader
                if getattr(module, "__spec__", None) is not None:
                    module.__spec__.loader = self._loader
        if failed is not None:
            _replay(log)
            raise failed
        _quiet_python_loggers()


def _replay(text):
    try:
        sys.stderr.write(text.decode("utf-8", "replace"))
    except Exception:  # noqa: BLE001 - nothing better to do with a broken stderr
        pass


def _quiet_python_loggers():
    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    absl = sys.modules.get("absl.logging")
    if absl is not None:
        absl.set_verbosity(absl.ERROR)


class _QuietFinder(importlib.abc.MetaPathFinder):
    """Finds ``tensorflow`` once, through the other finders, with a quiet loader."""

    def find_spec(self, name, path=None, target=None):
        if name != "tensorflow":
            return None
        with contextlib.suppress(ValueError):
            sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.loader is not None:
            spec.loader = _QuietLoader(spec.loader)
        return spec


def silence():
    """Quiets TensorFlow's start-up, when it has not started yet (idempotent)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", _LOG_LEVEL)
    if "tensorflow" in sys.modules or any(isinstance(f, _QuietFinder) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, _QuietFinder())
