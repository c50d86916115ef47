"""Write evaluation results as in the paper's Table 1, and as CSV/JSON/NPZ.

Table 1 of Toderici et al. (2016) (sec. 4.3) has one row per method and one
column per byte target, each cell "SSIM (header-less bytes avg.)", e.g.
``0.70 (72.5 bytes avg.)``; "n/a" marks a target a codec does not support.
``format_table1`` prints that layout in Markdown; ``format_details`` adds
PSNR, bits per pixel and whole-file sizes.
JSON output is strict (non-finite numbers such as an infinite PSNR become
``null``); the CSV writes them as ``inf``.
"""

from __future__ import annotations

import csv
import json
import math

import numpy as np

from residual_compression import validation
from residual_compression.errors import InvalidTypeError
from residual_compression.errors import InvalidValueError

__all__ = [
    "format_table1",
    "format_details",
    "write_markdown",
    "write_csv",
    "write_json",
    "write_per_image",
    "CSV_FIELDS",
]

CSV_FIELDS = (
    "codec",
    "label",
    "kind",
    "target_bytes",
    "num_images",
    "mean_ssim",
    "mean_payload_bytes",
    "mean_file_bytes",
    "mean_bpp",
    "mean_psnr",
    "mean_ms_ssim",
    "below_target",
)


def _targets(results, targets):
    if targets is None:
        return results.targets
    missing = [t for t in targets if t not in results.targets]
    if missing:
        raise InvalidValueError(f"targets {missing} were not evaluated; evaluated targets: {list(results.targets)}")
    return tuple(targets)


def format_table1(results, targets=None, *, digits=2):
    """Markdown table in the layout of Table 1: SSIM (header-less bytes avg.)."""
    validation.int_in_range("digits", digits, 0, 10)
    targets = _targets(results, targets)
    header = ["Method"] + [f"SSIM / {t}B Target (Header-less Size)" for t in targets]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join([":---"] + ["---:"] * len(targets)) + "|"]
    for codec in results.codecs:
        cells = [results.label(codec)]
        for t in targets:
            if not results.has(codec, t):
                cells.append("n/a")
                continue
            r = results.get(codec, t)
            cells.append(f"{r.mean_ssim:.{digits}f} ({r.mean_payload_bytes:.1f} bytes avg.)")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def format_details(results, targets=None):
    """Markdown table of every measured mean, one row per codec and target."""
    targets = _targets(results, targets)
    with_ms = any(r.ms_ssim is not None for r in results.results)
    header = "| Method | Target (B) | SSIM | PSNR (dB) | Header-less B | File B | bpp | below target |"
    rule = "|:---|---:|---:|---:|---:|---:|---:|---:|"
    if with_ms:
        header, rule = header + " MS-SSIM |", rule + "---:|"
    lines = [header, rule]
    for codec in results.codecs:
        for t in targets:
            if not results.has(codec, t):
                continue
            r = results.get(codec, t)
            line = (
                f"| {r.label} | {t} | {r.mean_ssim:.4f} | {r.mean_psnr:.2f} | {r.mean_payload_bytes:.2f} "
                f"| {r.mean_file_bytes:.2f} | {r.mean_bpp:.4f} | {r.below_target} |"
            )
            if with_ms:
                line += " - |" if r.ms_ssim is None else f" {r.mean_ms_ssim:.4f} |"
            lines.append(line)
    return "\n".join(lines) + "\n"


def write_markdown(results, path, targets=None, *, title=None):
    """Write Table 1 layout plus the details table to ``path``."""
    parts = []
    if title:
        parts.append(f"# {title}\n")
    n = results.num_images
    parts.append(f"Patch SSIM (paper sec. 4.2) and mean header-less size on {n} image{'s' * (n != 1)}.\n")
    parts.append(format_table1(results, targets))
    parts.append(format_details(results, targets))
    shown = set(_targets(results, targets))
    notes = [f"- {results.label(c)} at {t} B: {reason}" for c, t, reason in results.unsupported if t in shown]
    if notes:
        parts.append("n/a = target not supported by the codec:\n\n" + "\n".join(notes) + "\n")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(parts))


def write_csv(results, path):
    """One CSV row per codec and target with every mean in ``CSV_FIELDS``."""
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=CSV_FIELDS, lineterminator="\n")
        writer.writeheader()
        for row in results.summary_rows():
            writer.writerow({k: (repr(v) if isinstance(v, float) else v) for k, v in row.items()})


def _strict(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _strict(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_strict(v) for v in value]
    return value


def write_json(results, path, *, metadata=None):
    """Strict JSON of ``results.to_dict()`` plus optional ``metadata``."""
    if metadata is not None and not isinstance(metadata, dict):
        raise InvalidTypeError(f"metadata must be a dict or None, got {type(metadata).__name__}")
    payload = results.to_dict()
    if metadata:
        payload = {"metadata": metadata, **payload}
    with open(path, "w", encoding="utf-8") as f:
        json.dump(_strict(payload), f, indent=2, allow_nan=False)
        f.write("\n")


def write_per_image(results, path):
    """NPZ of the per-image arrays, keys ``<codec>/<target>/<field>``."""
    arrays = {}
    for r in results.results:
        prefix = f"{r.codec}/{r.target}/"
        for field in ("ssim", "psnr", "payload_bytes", "file_bytes", "bpp", "ms_ssim"):
            if getattr(r, field) is not None:
                arrays[prefix + field] = getattr(r, field)
        if r.settings is not None:
            arrays[prefix + "settings"] = np.asarray(r.settings, dtype=np.float64)
    np.savez_compressed(path, **arrays)
