"""``"squashkit"`` in ``INSTALLED_APPS``: the ``manage.py squashkit`` command and the ``squashkit`` system checks.

The checks are registered under the tag ``squashkit`` and do their work only when asked for: ``manage.py check
--tag squashkit`` (or ``-t squashkit``), or every time with ``SQUASHKIT_CHECKS = True`` in the settings, so
``runserver`` and other commands are not slowed unless the project opts in.
"""

from __future__ import annotations

from django.apps import AppConfig


class SquashkitConfig(AppConfig):
    name = "squashkit"
    verbose_name = "squashkit"
    default = True

    def ready(self) -> None:
        from django.core import checks

        from squashkit.system_checks import check_migrations

        checks.register(check_migrations, "squashkit")
