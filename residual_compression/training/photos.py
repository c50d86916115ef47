"""Photo thumbnails for training: the job a web thumbnailer does, with augmentation.

A thumbnail is a whole photo downsampled to ``size x size`` (aspect ratio
not kept, as the paper's benchmark of section 4.3) or, for augmentation, a
random crop at a random scale downsampled the same way: Pillow's Lanczos
filter widens its support when shrinking, so every thumbnail is
antialiased. Horizontal flips are random.

The photos are split into training and validation by file name:
:func:`photo_split` puts a file in validation when the first hex digit of
the sha256 of its name is ``0`` or ``1`` (1/8 of the files, stable under
adding or removing other files).

:class:`ThumbnailSequence` mixes such thumbnails with images of a fixed-size
array (e.g. CIFAR-10 train) at a chosen fraction; it is a
``keras.utils.PyDataset`` (numpy only) and deterministic per
``(seed, epoch, batch index)``, so a resumed run sees the data it would
have seen.
"""

import hashlib
import pathlib
import sys

import keras
import numpy as np
from PIL import Image

from residual_compression import validation
from residual_compression.errors import ImageInputError
from residual_compression.errors import InvalidValueError
from residual_compression.images import list_image_files
from residual_compression.images import load_image
from residual_compression.images import resize_to
from residual_compression.scaling import to_model_space

__all__ = [
    "ThumbnailSequence",
    "is_validation_photo",
    "load_photos",
    "photo_split",
    "random_thumbnail",
    "split_thumbnails",
    "validation_thumbnails",
]


def is_validation_photo(name):
    """True when the file name ``name`` belongs to the validation split (1/8 of names)."""
    return hashlib.sha256(pathlib.Path(name).name.encode("utf-8")).hexdigest()[0] in "01"


def photo_split(folder):
    """``(train_files, validation_files)``: the image files of ``folder`` split by name."""
    files = list_image_files(folder)
    train = [f for f in files if not is_validation_photo(f.name)]
    validation = [f for f in files if is_validation_photo(f.name)]
    return train, validation


def load_photos(files, max_side=None):
    """Decodes image files into a list of uint8 arrays, skipping (and reporting) bad ones.

    With ``max_side`` the photos are downsampled (antialiased) so that their
    longer side is at most ``max_side``, to bound memory.
    """
    photos = []
    for file in files:
        try:
            photo = load_image(file)
        except ImageInputError as e:
            print(f"skipping {e}", file=sys.stderr)
            continue
        h, w = photo.shape[:2]
        if max_side is not None and max(h, w) > max_side:
            scale = max_side / max(h, w)
            photo = resize_to(photo, (max(1, round(h * scale)), max(1, round(w * scale))))
        photos.append(photo)
    if not photos:
        raise ImageInputError("no readable photos among the given files")
    return photos


def split_thumbnails(folder, split="validation", size=32):
    """``(thumbnails, files)``: a split of ``folder`` as whole-photo ``size x size`` uint8 thumbnails."""
    train, validation = photo_split(folder)
    files = {"train": train, "validation": validation}[split]
    if not files:
        raise ImageInputError(f"image folder {str(folder)!r} has no {split} photos")
    return np.stack([resize_to(p, (size, size)) for p in load_photos(files)]), files


def validation_thumbnails(folder, size=32):
    """The validation split of ``folder`` as whole-photo ``size x size`` thumbnails, uint8."""
    return split_thumbnails(folder, "validation", size)[0]


def random_thumbnail(photo, rng, size=32, whole=0.25, min_scale=None):
    """One augmented ``size x size`` thumbnail of ``photo`` (uint8 ``(H, W, 3)``).

    With probability ``whole`` the whole photo is downsampled; otherwise a
    crop whose shorter side is log-uniform in ``[min_scale, min(H, W)]``
    pixels (``min_scale`` defaults to ``size``: native resolution), with an
    aspect ratio in [3/4, 4/3], at a uniform position. Flipped with
    probability 1/2.
    """
    h, w = photo.shape[:2]
    image = Image.fromarray(photo)
    if rng.random() < whole:
        box = (0, 0, w, h)
    else:
        low = min(min_scale or size, h, w)
        side = float(np.exp(rng.uniform(np.log(low), np.log(min(h, w)))))
        aspect = float(np.exp(rng.uniform(np.log(3 / 4), np.log(4 / 3))))
        ch, cw = min(h, side * np.sqrt(aspect)), min(w, side / np.sqrt(aspect))
        y, x = rng.uniform(0, h - ch), rng.uniform(0, w - cw)
        box = (x, y, x + cw, y + ch)
    thumb = np.asarray(image.resize((size, size), Image.Resampling.LANCZOS, box=box), dtype=np.uint8)
    return thumb[:, ::-1] if rng.random() < 0.5 else thumb


class ThumbnailSequence(keras.utils.PyDataset):
    """Batches ``(x, x)`` of scaled thumbnails: photos mixed with a fixed-size array.

    Args:
        photos: list of uint8 ``(H, W, 3)`` photos (thumbnails are drawn with
            :func:`random_thumbnail`); may be empty when ``extra`` is given.
        extra: optional uint8 ``(N, size, size, 3)`` array (e.g. CIFAR-10
            train), used as is with random flips.
        extra_fraction: expected fraction of each batch drawn from ``extra``.
        batch_size: images per batch.
        steps_per_epoch: batches per epoch (an epoch is only a bookkeeping unit).
        seed: the data seed; batch ``i`` of epoch ``e`` depends only on
            ``(seed, e, i)``.
        size: thumbnail side.
        whole: probability of a whole-photo thumbnail rather than a crop.
    """

    def __init__(
        self,
        photos,
        extra=None,
        extra_fraction=0.0,
        batch_size=32,
        steps_per_epoch=1000,
        seed=0,
        size=32,
        whole=0.25,
        epoch=0,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if not photos and extra is None:
            raise InvalidValueError("`photos` and `extra` cannot both be empty")
        validation.non_negative_number("extra_fraction", extra_fraction)
        if extra_fraction > 1:
            raise InvalidValueError(f"`extra_fraction` must be in [0, 1], received: {extra_fraction!r}")
        if extra is None and extra_fraction > 0 or not photos and extra_fraction < 1:
            raise InvalidValueError(
                f"`extra_fraction`={extra_fraction!r} needs both sources: "
                f"{len(photos)} photos, extra={'none' if extra is None else len(extra)}"
            )
        validation.positive_int("batch_size", batch_size)
        validation.positive_int("steps_per_epoch", steps_per_epoch)
        self.photos = photos
        self.extra = extra
        self.extra_fraction = float(extra_fraction)
        self.batch_size = batch_size
        self.steps_per_epoch = steps_per_epoch
        self.seed = seed
        self.size = size
        self.whole = whole
        self.epoch = epoch

    def __len__(self):
        return self.steps_per_epoch

    def set_epoch(self, epoch):
        self.epoch = epoch

    def batch(self, index):
        """The uint8 images of batch ``index`` of the current epoch."""
        rng = np.random.default_rng([self.seed, self.epoch, index])
        out = np.empty((self.batch_size, self.size, self.size, 3), np.uint8)
        for k in range(self.batch_size):
            if rng.random() < self.extra_fraction:
                image = self.extra[rng.integers(len(self.extra))]
                out[k] = image[:, ::-1] if rng.random() < 0.5 else image
            else:
                photo = self.photos[rng.integers(len(self.photos))]
                out[k] = random_thumbnail(photo, rng, self.size, self.whole)
        return out

    def __getitem__(self, index):
        x = to_model_space(self.batch(index))
        return x, x

    def on_epoch_end(self):
        self.epoch += 1
