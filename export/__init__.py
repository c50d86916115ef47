"""SavedModel and TFLite export (TensorFlow only; imported lazily)."""

__all__ = []
