"""Options whose value is optional and can only be attached with ``=`` (``--write-baseline``,
``--write-baseline=FILE``), as GNU tools treat optional arguments (``grep --color[=WHEN]``).

click's ``is_flag=False, flag_value=...`` takes the next word as the value whenever it does not
start with ``-``, so ``ecolint check --write-baseline app.py`` wrote the baseline over app.py.
Here a bare option gets its default value before click parses, and the next word stays a path.
"""

from __future__ import annotations

from typing import Any

import click


class EqualsOption(click.Option):
    """Declare with ``cls=EqualsOption, bare=VALUE``: VALUE is what the bare option means."""

    def __init__(self, *args: Any, bare: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.bare = bare

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        record = super().get_help_record(ctx)
        if record is None:
            return None
        return f"{self.opts[-1]}[={self.metavar or 'FILE'}]", record[1]


class EqualsCommand(click.Command):
    """A command with ``EqualsOption``s: each bare occurrence (not a value of the option before
    it, not after ``--``) becomes ``--name=VALUE``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        params = self.get_params(ctx)
        bare = {
            name: param.bare
            for param in params
            if isinstance(param, EqualsOption)
            for name in param.opts
        }
        takes_value = {
            name
            for param in params
            if isinstance(param, click.Option) and not param.is_flag and not param.count
            for name in param.opts
            if name not in bare
        }
        rewritten: list[str] = []
        words = iter(args)
        for word in words:
            if word == "--":
                rewritten += [word, *words]
                break
            if word in bare:
                rewritten.append(f"{word}={bare[word]}")
                continue
            rewritten.append(word)
            value = next(words, None) if word in takes_value else None
            if value is not None:
                rewritten.append(value)
        return super().parse_args(ctx, rewritten)
