"""``python -m ecolint`` and the ``ecolint`` script.

The cycle collector is off for the command's life: start-up is most of a one-file run (a
pre-commit hook), and the collector would walk the objects of every module imported so far
again and again while they are made (a twentieth of the run), though imports make no
garbage. Analysis workers collect between projects themselves (``pipeline/scan.py``), and
the long-lived language server turns the collector back on."""

from __future__ import annotations

import gc


def run() -> None:
    gc.disable()
    from ecolint.cli import main

    main()


if __name__ == "__main__":
    run()
