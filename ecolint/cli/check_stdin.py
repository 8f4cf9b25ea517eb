"""``ecolint check -`` and ``--stdin-filename PATH``: the source comes from standard input (an
editor's unsaved buffer) and stands for PATH, whose configuration, kind, per-file ignores and
neighbours on disk apply as if it were saved there. ``--fix`` writes the fixed source to
standard output, as ruff does, since there is no file to write it to."""

from __future__ import annotations

import codecs
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ecolint.cli.output import fail, say
from ecolint.i18n import t

if TYPE_CHECKING:
    from ecolint.config import Settings
    from ecolint.results import RunResult

STDIN = "-"


def stdin_path(
    paths: tuple[Path, ...], stdin_filename: Path | None, add_noqa: bool, lang: str
) -> Path | None:
    """The path standard input stands for, or None when every path is a file on disk; ``-``
    beside other paths, or with ``--add-noqa`` (which edits files on disk), is a usage error
    (exit 2)."""
    named = [str(path) for path in paths]
    if STDIN not in named and stdin_filename is None:
        return None
    if any(name != STDIN for name in named):
        fail(t("stdin.other_paths", lang))
    if add_noqa:
        fail(t("stdin.add_noqa", lang))
    return stdin_filename or Path(STDIN)


@dataclass(unsafe_hash=True)
class StdinSource:
    """The bytes read from standard input, once, and the settings of the path they stand for."""

    path: Path
    kind: str
    data: bytes
    settings: Settings
    show_green: bool
    edits: bool  # findings carry their fix edits (``check_run.wants_edits``)

    @classmethod
    def read(cls, path: Path, settings: Settings, show_green: bool, edits: bool) -> StdinSource:
        from ecolint.sources.discovery import source_kind

        kind = source_kind(path) or "python"
        return cls(path, kind, sys.stdin.buffer.read(), settings, show_green, edits)

    def result(self, data: bytes | None = None) -> RunResult:
        from ecolint.pipeline.run import Pipeline

        pipeline = Pipeline(self.settings, show_green=self.show_green, edits=self.edits)
        return pipeline.run_source(self.path, self.data if data is None else data, self.kind)

    def fix(
        self, result: RunResult, unsafe: bool, write: bool, lang: str
    ) -> tuple[RunResult, bool]:
        """``--fix``: the fixed source on standard output and the findings that remain in it;
        ``--diff``: the diff. Fixes that would change other files are named, not applied.
        Also: whether the source changes."""
        from ecolint.fixes import apply
        from ecolint.fixes.files import SourceText
        from ecolint.pipeline.deep_stack import deep_stack

        here = self.path.resolve()
        held = SourceText.of(self.path, self.data)
        own = [f for f in result.findings if all(e.file.resolve() == here for e in f.edits)]
        for finding in result.findings:
            if finding not in own:
                where = f"{finding.path}:{finding.line}"
                say(f"ecolint: {t('stdin.fix_elsewhere', lang, code=finding.code, where=where)}")
        texts = {edit.file: held for finding in own for edit in finding.edits}
        plan = deep_stack(lambda: apply.plan(own, unsafe, texts))
        for note in [*result.fix_notes, *plan.notes()]:
            say(f"ecolint: {note}")
        fixed = plan.changes[0].after if plan.changes else held.text
        if not write:
            click.echo(apply.unified_diff(plan), nl=False)
            click.echo(apply.summary(plan, written=False), err=True)
            return result, bool(plan.changes)
        data = self.data
        if plan.changes:
            data = (codecs.BOM_UTF8 if held.bom else b"") + fixed.encode(held.encoding)
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        click.echo(apply.summary(plan, written=True), err=True)
        return (self.result(data) if plan.changes else result), bool(plan.changes)
