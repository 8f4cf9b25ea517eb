"""A run, stage by stage: ``plan`` (which files, their bytes read once, which rules read
each) → ``scan`` (one file: load, run its checks → reports) → ``drafts`` (reports placed,
fingerprinted, fixed, suppression marked) → ``parallel`` (files in forked workers) →
``passes`` (the checks' run-wide ``finish`` hooks, one finding per site). ``run.Pipeline``
is the one entry for the command line, the flake8 plugin and an editor.

Importing this package imports nothing: the plan must answer a run with nothing to analyse
without loading libcst or the data tables.
"""
