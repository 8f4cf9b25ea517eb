"""ECO002: a suppression comment that silences nothing in this run, or names no ecolint rule."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from ecolint.analysis.module import ModuleInfo
from ecolint.analysis.project import Project
from ecolint.analysis.values import LineSpan
from ecolint.checks.base import Check, RunContext
from ecolint.findings.model import Draft, Replacement, Report
from ecolint.findings.suppression import Directive, python_directives, text_directives
from ecolint.fixes.edits import FixError
from ecolint.fixes.suppressions import unused_codes_fix
from ecolint.i18n import Phrase
from ecolint.rules import all_rules
from ecolint.sources.document import Document, TextSpan
from ecolint.sources.python import SourceError, decode_text
from ecolint.sources.safe_read import read_source


@dataclass(unsafe_hash=True)
class Comment:
    """A suppression comment handed to ``finish``, with the kind of file to read for its fix
    (``python`` for modules and notebooks alike: the project loads either)."""

    directive: Directive
    kind: str


class UnusedSuppression(Check):
    """While a file is at hand, each suppression comment becomes a candidate report (its
    directive as ``subject``); ``finish`` judges the candidates once every other finding of
    the run is in, and a silenced finding marks its comment used."""

    code = "ECO002"
    judges_findings = True

    def run(self, module: ModuleInfo) -> Iterator[Report]:
        lines = module.text.splitlines()
        for directive in python_directives(module.text):
            line, start, end = directive.line, directive.column, directive.end_column
            site = LineSpan(module, line, start, end, lines[line - 1])
            yield Report(self.code, site, subject=Comment(directive, "python"))

    def run_document(self, document: Document) -> Iterator[Report]:
        for directive in text_directives(document.text):
            line = directive.line
            site = TextSpan(document, line, directive.column + 1, line, directive.end_column + 1)
            yield Report(self.code, site, subject=Comment(directive, document.kind))

    @classmethod
    def finish(cls, drafts: list[Draft], run: RunContext) -> list[Draft]:
        """Codes of rules not selected cannot be judged and are left alone; a comment that
        suppresses ECO002 itself is not judged."""
        candidates = [d for d in drafts if d.code == cls.code and isinstance(d.subject, Comment)]
        kept = [draft for draft in drafts if not isinstance(draft.subject, Comment)]
        used: dict[tuple[Path, int], set[str]] = defaultdict(set)
        for draft in kept:
            if draft.silenced_at is not None:
                used[draft.silenced_at].add(draft.code)
        known = all_rules()
        for candidate in candidates:
            directive = candidate.subject.directive
            if candidate.silenced_at is not None:
                continue
            silenced = used.get((candidate.file, directive.line), set())
            unknown = [c for c in directive.codes if not any(k.startswith(c) for k in known)]
            unused = [
                code
                for code in directive.codes
                if code not in unknown
                and code != cls.code
                and any(rule.startswith(code) for rule in run.rules)
                and not any(hit.startswith(code) for hit in silenced)
            ]
            if not (unknown or unused):
                continue
            edits = _edits(candidate, (*unknown, *unused), run)
            for key, codes in (("unknown", unknown), ("default", unused)):
                if codes:
                    params: dict[str, str | Phrase] = {"codes": ", ".join(codes)}
                    kept.append(
                        replace(
                            candidate,
                            params=params,
                            message_key=key,
                            edits=edits,
                            autofix=bool(edits),
                            subject=None,
                        )
                    )
        return kept


def _edits(candidate: Draft, codes: tuple[str, ...], run: RunContext) -> tuple[Replacement, ...]:
    """The comment without ``codes``; the file is read again (rare: stale suppressions)."""
    if not run.rules[candidate.code].fixable:
        return ()
    path, display = candidate.file, candidate.display
    comment = candidate.subject
    try:
        if comment.kind == "python":
            loaded: ModuleInfo | Document = Project([path], {path: display}, on_disk=True).load(
                path
            )
        else:
            limit = run.max_file_size
            text = decode_text(read_source(path, comment.kind, limit), limit)
            loaded = Document(path, display, comment.kind, text)
        return unused_codes_fix(loaded, comment.directive, codes)
    except (OSError, SourceError, FixError) as error:
        run.notes.append(f"no fix for {candidate.code} at {display}: {error}")
        return ()
