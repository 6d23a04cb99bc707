"""libcst rewrites of migration files; results are data, writing is a separate step.

* :mod:`squashkit.rewrite.lists`: replace the elements of a list attribute of the ``Migration`` class
  (``dependencies``, ``run_before``, ``replaces``), keeping everything else byte-identical.
* :mod:`squashkit.rewrite.files`: :class:`RewriteResult` per file (nothing written).
* :mod:`squashkit.rewrite.changeset`: :class:`~squashkit.rewrite.changeset.ChangeSet`, everything a command would
  write (edits, creations, deletions, refusals); ``apply()`` writes it all or nothing, ``recover()`` rolls back
  an interrupted apply.
"""

from squashkit.rewrite.files import RewriteResult, rewrite_file
from squashkit.rewrite.lists import RewriteError, rewrite_source

__all__ = ["RewriteError", "RewriteResult", "rewrite_file", "rewrite_source"]
