"""``ecolint server``: the language server over standard input and output, for editors."""

from __future__ import annotations

import gc

import click

from ecolint.cli.output import fail


@click.command(short_help="Run the language server (LSP over stdio) for editors.")
def server() -> None:
    """Speak the Language Server Protocol on standard input and output: diagnostics as you
    type, fixes as code actions, the measured rows on hover. Settings come from the project's
    [tool.ecolint] and the client's initializationOptions (gpu, select, ignore, lang,
    workload)."""
    from ecolint.i18n import detect_lang, t

    try:
        from ecolint.server.app import serve
    except ImportError:
        fail(t("server.missing", detect_lang()))
    gc.enable()  # off for a command's start-up (``__main__``): a server lives for hours
    serve()
