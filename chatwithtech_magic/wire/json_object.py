"""A JSON object read as attributes, like the SDK's models: ``usage.details.cached_tokens``."""

from __future__ import annotations

from types import SimpleNamespace


class JsonObject(SimpleNamespace):
    """A field the server left out reads as ``None`` (as on a pydantic model), so readers need no
    ``getattr`` defaults for optional fields."""

    def __getattr__(self, name: str):
        if name.startswith("_"):  # protocols (copy, pickle, IPython's _repr_*_) must see a plain object
            raise AttributeError(name)
        return None

    def model_dump(self) -> dict:
        return {k: v.model_dump() if isinstance(v, JsonObject) else v for k, v in vars(self).items()}


def as_attributes(value):
    """``value`` with every JSON object turned into a ``JsonObject`` (lists are kept as lists)."""
    if isinstance(value, dict):
        return JsonObject(**{str(k): as_attributes(v) for k, v in value.items()})
    if isinstance(value, list):
        return [as_attributes(v) for v in value]
    return value
