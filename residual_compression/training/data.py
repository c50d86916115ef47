"""Training data: the same preprocessing for tf.data and for a TensorFlow-free path.

Sources (:func:`load_images`): an ``.npz`` with a uint8 ``images`` array
``(N, H, W, 3)``, or a folder of images of any size and mode (decoded with
:func:`residual_compression.images.load_image`, unreadable files reported and
skipped). Folder images are downsampled to ``size`` paper-style (section 4.3:
aspect ratio not kept) or, with ``crop=True``, randomly cropped to ``size``
at each epoch (full-size training).

Two pipelines over the same :func:`augment` step:

* :class:`ImageSequence`: a ``keras.utils.PyDataset`` (numpy only), for the
  JAX backend and machines without TensorFlow;
* :func:`make_tf_dataset`: ``tf.data`` with prefetch, for the TensorFlow backend
  and ``tf.distribute``. TensorFlow is imported only when it is called.

Both are deterministic for a given seed: epoch ``e`` shuffles with
``seed + e``, and the flips are drawn from the same generator.
"""

import sys

import keras
import numpy as np

from residual_compression import validation
from residual_compression.images import resize_to
from residual_compression.scaling import to_model_space

__all__ = ["ImageSequence", "augment", "load_images", "make_tf_dataset"]


def load_images(source, size=32, crop=False, limit=None):
    """Loads training images as a uint8 array ``(N, size, size, 3)`` or a list.

    Reads ``source`` (a folder, an image file or an ``.npz``) with
    :func:`residual_compression.images.load_images`, the evaluation's loader;
    unusable folder files are reported on stderr and skipped. With
    ``crop=True`` images are kept at full size (a list; those smaller than
    ``size`` are enlarged to it), to be randomly cropped by the pipelines;
    otherwise everything is ``size x size``.
    """
    from residual_compression.images import load_images as load_image_set

    def report(name, reason):
        print(f"skipping {reason}", file=sys.stderr)

    images = load_image_set(source, size=None if crop else size, limit=limit, on_skip=report).images
    if not crop or (isinstance(images, np.ndarray) and min(images.shape[1:3]) >= size):
        return images
    return [
        image if min(image.shape[:2]) >= size
        else resize_to(image, (max(size, image.shape[0]), max(size, image.shape[1])))
        for image in images
    ]


def augment(images, rng, size=32):
    """Random crop to ``size`` (when larger) and random horizontal flips."""
    out = []
    for image in images:
        h, w = image.shape[:2]
        if (h, w) != (size, size):
            y, x = rng.integers(0, h - size + 1), rng.integers(0, w - size + 1)
            image = image[y : y + size, x : x + size]
        if rng.random() < 0.5:
            image = image[:, ::-1]
        out.append(image)
    return np.ascontiguousarray(np.stack(out))


class ImageSequence(keras.utils.PyDataset):
    """Batches of scaled images ``(x, x)`` for ``model.fit``, numpy only.

    Args:
        images: uint8 ``(N, H, W, 3)`` array or list of arrays (crops are taken
            when larger than ``size``).
        batch_size: images per batch; the last partial batch is dropped.
        seed: shuffling and augmentation seed.
        epoch: the epoch to start at (resuming); call ``on_epoch_end`` to advance.
    """

    def __init__(self, images, batch_size=32, seed=0, size=32, epoch=0, **kwargs):
        super().__init__(**kwargs)
        n = len(images)
        validation.int_in_range("batch_size", batch_size, 1, n, what=f"an integer in [1, {n}] for {n} images")
        self.images = images
        self.batch_size = batch_size
        self.seed = seed
        self.size = size
        self.epoch = epoch
        self._order = None

    def __len__(self):
        return len(self.images) // self.batch_size

    def _epoch_order(self):
        if self._order is None:
            self._order = np.random.default_rng(self.seed + self.epoch).permutation(len(self.images))
        return self._order

    def __getitem__(self, index):
        order = self._epoch_order()
        ids = order[index * self.batch_size : (index + 1) * self.batch_size]
        rng = np.random.default_rng([self.seed, self.epoch, index])
        x = to_model_space(augment([self.images[i] for i in ids], rng, self.size))
        return x, x

    def set_epoch(self, epoch):
        """Moves to ``epoch`` (a resumed run starts there); its shuffle is drawn on first use."""
        self.epoch = epoch
        self._order = None

    def on_epoch_end(self):
        self.set_epoch(self.epoch + 1)


def make_tf_dataset(images, batch_size=32, seed=0, size=32, epoch=0, repeat=True):
    """The same batches as :class:`ImageSequence`, as a prefetching ``tf.data.Dataset``."""
    import tensorflow as tf

    sequence = ImageSequence(images, batch_size=batch_size, seed=seed, size=size, epoch=epoch)

    def generator():
        while True:
            for i in range(len(sequence)):
                yield sequence[i]
            sequence.on_epoch_end()
            if not repeat:
                return

    spec = tf.TensorSpec((batch_size, size, size, 3), tf.float32)
    dataset = tf.data.Dataset.from_generator(generator, output_signature=(spec, spec))
    return dataset.prefetch(tf.data.AUTOTUNE)
