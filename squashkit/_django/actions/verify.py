"""Actions of deps verification: check rewired dependencies (``verify``), read the default database's
applied migrations (``applied``); the work is :mod:`squashkit.deps.verify`'s."""

from __future__ import annotations

from typing import Any

from squashkit._django.actions import action

__all__ = ["applied", "verify"]


@action("verify")
def verify(payload: dict[str, Any]) -> Any:
    from squashkit.deps.verify import verify_in_process

    return verify_in_process(payload)


@action("applied")
def applied(payload: dict[str, Any]) -> Any:
    from squashkit.deps.verify import applied_in_process

    return applied_in_process(payload)
