"""ECO001: a file the pipeline could not analyse (unreadable, undecodable, a syntax error, a
broken notebook cell, a worker that did not survive it)."""

from __future__ import annotations

from ecolint.checks.base import Check
from ecolint.findings.model import FileSpot, Report


class UnparsableFile(Check):
    """The pipeline reports every file it could not analyse as an event; this rule turns the
    event into a finding, so that no file is ever dropped silently."""

    code = "ECO001"

    @classmethod
    def not_analysed(cls, spot: FileSpot, reason: str) -> Report:
        """A notebook cell is left out alone: the message says the rest was analysed."""
        if spot.cell is not None:
            params = {"reason": reason, "cell": str(spot.cell)}
            return Report(cls.code, spot, params=params, message_key="cell")
        return Report(cls.code, spot, params={"reason": reason})
