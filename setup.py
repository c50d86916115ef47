"""Packaging for residual-compression.

One import namespace: ``residual_compression`` from ``residual_compression/``,
with the top-level ``zoo/`` and ``export/`` folders installed as
``residual_compression.zoo`` and ``residual_compression.export``.
"""

import pathlib

from setuptools import setup

HERE = pathlib.Path(__file__).parent

PACKAGES = [
    "residual_compression",
    "residual_compression.layers",
    "residual_compression.models",
    "residual_compression.evaluation",
    "residual_compression.benchmarks",
    "residual_compression.training",
    "residual_compression.zoo",
    "residual_compression.export",
]

setup(
    name="residual-compression",
    version="0.1.0",
    description=(
        "Progressive neural image codecs (Toderici et al., ICLR 2016) in Keras 3: "
        "one model, any bit budget"
    ),
    long_description=(HERE / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    license="Apache-2.0",
    python_requires=">=3.10",
    packages=PACKAGES,
    package_dir={
        "residual_compression": "residual_compression",
        "residual_compression.zoo": "zoo",
        "residual_compression.export": "export",
    },
    package_data={
        "residual_compression": ["samples/*.png", "samples/README.md", "context_tables.json"],
        "residual_compression.zoo": ["*/*.weights.h5", "*/README.md", "README.md"],
    },
    install_requires=[
        "tensorflow==2.21.*",
        "keras>=3.10",
        "numpy>=1.26",
        "pillow>=11",
        "matplotlib>=3.8",
        "tqdm>=4.66",
        "h5py>=3.10",
        "tensorboard>=2.16",
        "constriction>=0.4",
    ],
    extras_require={
        "test": [
            "pytest>=8",
            "jax>=0.4.30",
            "ai-edge-litert>=2.3; platform_system != 'Windows'",
            "nbclient>=0.10",
            "nbformat>=5.10",
            "ipykernel>=6.29",
        ],
        "export": ["ai-edge-litert>=2.3; platform_system != 'Windows'"],
    },
    entry_points={
        "console_scripts": ["residual-compression=residual_compression.cli:main"],
    },
    classifiers=[
        "Programming Language :: Python :: 3",
        "Topic :: Multimedia :: Graphics :: Graphics Conversion",
        "Topic :: Scientific/Engineering :: Artificial Intelligence",
    ],
)
