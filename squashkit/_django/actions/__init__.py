"""The actions the Django subprocess can run: ``@action("name")`` functions in this package's modules.

An action takes the decoded payload and returns plain values (:mod:`squashkit.codec`); it runs after
``django.setup()`` with the project importable and the working folder at the project root.  Exceptions it
raises become :class:`~squashkit.errors.DjangoError` in the caller (stage ``action``).  Modules here are
imported only in the subprocess (:func:`get_action` discovers them with :mod:`pkgutil`).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import Any

__all__ = ["Action", "action", "all_actions", "get_action"]

Action = Callable[[Any], Any]
_ACTIONS: dict[str, Action] = {}
_discovered = False


def action(name: str) -> Callable[[Action], Action]:
    """Register the decorated function as the action ``name``."""

    def register(function: Action) -> Action:
        if name in _ACTIONS and _ACTIONS[name] is not function:
            raise ValueError(f"action {name!r} is registered twice")
        _ACTIONS[name] = function
        return function

    return register


def _discover() -> None:
    global _discovered
    if not _discovered:
        for module in pkgutil.iter_modules(__path__):
            importlib.import_module(f"{__name__}.{module.name}")
        _discovered = True


def all_actions() -> dict[str, Action]:
    _discover()
    return dict(_ACTIONS)


def get_action(name: str) -> Action:
    _discover()
    try:
        return _ACTIONS[name]
    except KeyError:
        raise LookupError(f"no Django action {name!r} (known: {', '.join(sorted(_ACTIONS))})") from None
