"""Mechanical fixes.

Each rule's check builds its own fix from the ``ast`` nodes it reported (``Check.fix``), out of
the edit operations in ``ops`` (on nodes) and ``options`` (on what the resolver found), which
edit the module's libcst tree, parsed only then (``cst_bridge``); ``files`` turns the edits
into replacements in the files as stored (notebook cells included), which the pipeline
attaches to the finding (``Finding.edits``), and ``apply`` chooses, checks and writes them for
``--fix`` and ``--diff``. A run that needs no edits asks ``Check.fixable`` instead, which reads
``definitions`` (where a value is written, on ``ast``) and never loads libcst.

Giving a rule a fix:

1. In ``rules/ECOxxx.yaml`` set ``fix.applicable: true`` and ``fix.safety: safe|unsafe`` (safe:
   model outputs do not change), and say in ``docs.fix_safety`` (starting "Safe." or
   "Unsafe.") what the fix writes and why it has that tier.
2. In the check, pass what the fix needs as ``Report(..., subject=...)``: the ``Entry`` of the
   offending option, the ``BnbSetup`` or ``ModelLoad`` it belongs to, the call to edit.
3. Override ``fix(self, report) -> Fix | None`` and return ``Fix.of(*edits)`` built with
   ``ops`` and ``options``, imported inside ``fix`` (a check module must not load libcst);
   ``Fix.of`` is None when an operation could not be made, and the finding then shows its
   snippet only. Change a value where it is defined (``set_literal``, ``set_value``,
   ``definitions.where_defined``), not where it is used, so that several findings that flow
   from one dict or constant share one edit.
4. Override ``fixable(self, report) -> bool`` with what ``fix`` checks first, judged on
   ``ast`` (``definitions``), and call it at the top of ``fix``: text output marks the
   findings it accepts as fixable without building their edits.

The test suite then applies the fix to every invalid example of the rule and checks that the
finding is gone, the file parses and nothing else changed; a case directory under
``tests/fixtures/fixes/`` (``before/``, ``after/``, optional ``remaining.txt``) pins the result.

ECO002 judges suppressions once the whole run is in, so its check builds its fix in its
``finish`` hook, from ``suppressions`` (a comment's edit, in Python or in the text files rules
read).
"""
