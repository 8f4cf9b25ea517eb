"""GitHub Actions workflow commands: one ``::error``/``::warning``/``::notice`` annotation per
finding, shown on the pull request's diff at the reported span."""

from __future__ import annotations

from ecolint.findings.model import Finding
from ecolint.reporters.inert import inert
from ecolint.reporters.text import summary_line
from ecolint.results import RunResult

COMMANDS = {
    "red": "error",
    "orange": "error",
    "yellow": "warning",
    "gray": "notice",
    "green": "notice",
}


def inert_lines(text: str) -> str:
    """Control characters escaped, except CR and LF, which ``escape_data`` encodes."""
    return inert(text, keep_lines=True)


def escape_data(text: str) -> str:
    """The message after ``::``, escaped as the runner unescapes it."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A ``key=value`` property: ``:`` and ``,`` would end the value early."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, **properties: object) -> str:
    """Property values are made inert as well as escaped; ``message`` keeps the newlines the
    reporter put there on purpose (the caller makes what it quotes inert)."""
    fields = ",".join(
        f"{key}={escape_property(inert_lines(str(value)))}"
        for key, value in properties.items()
        if value is not None
    )
    return f"::{name}{' ' + fields if fields else ''}::{escape_data(message)}"


def _annotation(finding: Finding) -> str:
    message = inert_lines(finding.message) + (
        f" ({inert_lines(finding.headline)})" if finding.headline else ""
    )
    fix = (finding.fix or {}).get("summary")
    if fix:
        message += f"\nfix: {fix}"
    return command(
        COMMANDS[finding.mood],
        message,
        file=finding.path,
        line=finding.line,
        col=finding.column,
        endLine=finding.end_line,
        endColumn=finding.end_column,
        title=f"{finding.code} {finding.name}",
    )


def render_github(result: RunResult) -> str:
    lines = [_annotation(finding) for finding in result.findings]
    lines += [
        command(
            "error",
            inert_lines(
                f"internal error in {error.code} while checking {error.path}: {error.message}"
            ),
            file=error.path,
            title=f"ecolint internal error in {error.code}",
        )
        for error in result.internal_errors
    ]
    lines += [
        command("error", inert_lines(f"{path}: {problem}"), title="ecolint")
        for path, problem in result.problems
    ]
    lines.append(summary_line(result))
    return "\n".join(lines) + "\n"
