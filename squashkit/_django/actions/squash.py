"""Actions of ``squashkit squash run``: generate squashed migrations (``squash.generate``) and one step of
the squash proof (``squash.prove``); the work is that of :mod:`squashkit.squash.generate` and
:mod:`squashkit.squash.proving`."""

from __future__ import annotations

from typing import Any

from squashkit._django.actions import action

__all__ = ["generate", "prove"]


@action("squash.generate")
def generate(payload: dict[str, Any]) -> Any:
    from squashkit.squash.generate import generate

    return generate(payload)


@action("squash.prove")
def prove(payload: dict[str, Any]) -> Any:
    from squashkit.squash.proving import migrate_step

    return migrate_step(payload)
