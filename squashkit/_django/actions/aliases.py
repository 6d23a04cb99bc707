"""Action of the history readers: the connection parameters of one alias of ``DATABASES`` (``aliases``)."""

from __future__ import annotations

from typing import Any

from squashkit._django.actions import action

__all__ = ["aliases"]


@action("aliases")
def aliases(payload: dict[str, Any]) -> Any:
    from squashkit.history.django_alias import alias_in_process

    return alias_in_process(payload["alias"])
