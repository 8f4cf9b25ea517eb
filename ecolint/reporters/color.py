"""Whether a report for people is coloured: ``--color always|never|auto`` first, then
``--no-color``, ``NO_COLOR`` (no-color.org) and ``FORCE_COLOR`` (force-color.org), and in
``auto`` a terminal that is not redirected to a file."""

from __future__ import annotations

import os

CHOICES = ("auto", "always", "never")


def use_color(choice: str | None, no_color: bool, terminal: bool) -> bool:
    if choice == "always":
        return True
    if choice == "never" or no_color or os.environ.get("NO_COLOR", ""):
        return False
    if os.environ.get("FORCE_COLOR", "") not in ("", "0"):
        return True
    return terminal
