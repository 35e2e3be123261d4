"""The detect-secrets plugins by class name: what a `kind = "detect-secrets"` rule may name."""

from __future__ import annotations

from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def plugin_classes() -> dict[str, type[Any]]:
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

    mapping: dict[str, type[Any]] = get_mapping_from_secret_type_to_class()
    return {cls.__name__: cls for cls in mapping.values()}


def plugin_names() -> list[str]:
    return sorted(plugin_classes())
