"""YAML is only ever read with PyYAML's safe loader: its C implementation (libyaml) where the
installed PyYAML has it, several times faster than the pure-Python one, else the latter."""

from __future__ import annotations

from typing import Any

import yaml

SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str) -> Any:
    return yaml.load(text, Loader=SAFE_LOADER)
