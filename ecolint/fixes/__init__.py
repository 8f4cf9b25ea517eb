"""Mechanical fixes: each rule's check builds its fix from the nodes it reported
(``Check.fix``), out of the edit operations in ``ops``; ``files`` turns the edits into
replacements in the files as stored (notebooks included) and ``apply`` applies them."""
