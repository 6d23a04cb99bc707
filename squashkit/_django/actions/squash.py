"""Actions of ``squashkit squash run`` and ``squash plan --exact``: generate squashed migrations
(``squash.generate``), count a plan's operations after Django's optimizer (``squash.optimize``) and run one
step of the squash proof (``squash.prove``); the work is that of :mod:`squashkit.squash.generate` and
:mod:`squashkit.squash.proving`."""

from __future__ import annotations

from typing import Any

from squashkit._django.actions import action

__all__ = ["generate", "optimize", "prove"]


@action("squash.generate")
def generate(payload: dict[str, Any]) -> Any:
    from squashkit.squash.generate import generate

    return generate(payload)


@action("squash.optimize")
def optimize(payload: dict[str, Any]) -> Any:
    from squashkit.squash.generate import optimize

    return optimize(payload)


@action("squash.prove")
def prove(payload: dict[str, Any]) -> Any:
    from squashkit.squash.proving import migrate_step

    return migrate_step(payload)
