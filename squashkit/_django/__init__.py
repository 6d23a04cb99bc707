"""The one place where squashkit starts Django: a subprocess per call, running a named action.

Django can be set up once per process and importing a project runs its code, so everything that needs
Django (the Django loader, deps verification, reading a database alias, proofs on temporary databases,
the verify command) is an *action*: a function registered in :mod:`squashkit._django.actions`, run by
:func:`run_action` in a fresh ``python -B -P -m squashkit._django.child`` after ``django.setup()``.

* No bytecode lands in the analysed project: ``-B`` (and ``sys.dont_write_bytecode`` in the child,
  ``PYTHONDONTWRITEBYTECODE=1`` for anything it starts).
* ``-P`` keeps the working folder (the project root, where settings' relative paths resolve) off
  ``sys.path``; ``PYTHONPATH`` puts the project's import root first (:mod:`squashkit._syspath`).
* One timeout policy: ``timeout=`` when given, else ``$SQUASHKIT_DJANGO_TIMEOUT`` (seconds), else
  :data:`DEFAULT_TIMEOUT` (600 s), or :data:`MIGRATE_TIMEOUT` (6 h) for the actions that migrate whole
  temporary databases (:data:`MIGRATING_ACTIONS`); ``0`` means no limit.
* One payload format: :mod:`squashkit.codec` JSON both ways; the project may print what it likes, the
  result travels on a descriptor of its own.
* One error: :class:`~squashkit.errors.DjangoError` with Django's message (``reason``), the stage that failed
  (``setup``, ``action``, ``timeout``, ``crash``), and the file and line when the error names one of the
  project's files (a ``SyntaxError`` in a migration, the deepest project frame of a traceback).
"""

from __future__ import annotations

from squashkit._django.runner import (
    DEFAULT_TIMEOUT,
    MIGRATE_TIMEOUT,
    MIGRATING_ACTIONS,
    TIMEOUT_ENV,
    resolve_timeout,
    run_action,
)
from squashkit.errors import DjangoError

__all__ = [
    "DEFAULT_TIMEOUT",
    "MIGRATE_TIMEOUT",
    "MIGRATING_ACTIONS",
    "TIMEOUT_ENV",
    "DjangoError",
    "resolve_timeout",
    "run_action",
]
