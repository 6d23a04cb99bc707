"""``[tool.squashkit]`` in the analysed project's ``pyproject.toml``.

Recognised keys (all optional)::

    [tool.squashkit]
    settings = "mysite.settings"          # default for --settings
    exclude = ["legacy/*", "*/tests/*"]   # folders (glob, relative to the project) not searched for apps
    AUTH_USER_MODEL = "accounts.User"     # swappable settings, for swappable_dependency(settings.X)

    [tool.squashkit.swappable]            # the same, as a table
    OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth.Application"

When ``AUTH_USER_MODEL`` is not configured, squashkit reads a literal ``AUTH_USER_MODEL = "app.Model"``
assignment from the project's settings modules (without importing them), and otherwise uses Django's
default, ``auth.User``.  Other sections (``environments``) belong to the layers that use them.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from squashkit.errors import ConfigError

__all__ = ["DEFAULT_SWAPPABLE", "Config", "discover_settings", "find_settings_literals", "load_config"]

DEFAULT_SWAPPABLE: Mapping[str, str] = {"AUTH_USER_MODEL": "auth.User"}


@dataclass(frozen=True)
class Config:
    path: Path | None = None
    settings_module: str | None = None
    exclude: tuple[str, ...] = ()
    swappable: Mapping[str, str] = field(default_factory=dict)
    raw: Mapping[str, Any] = field(default_factory=dict)


def load_config(root: Path) -> Config:
    """Read ``[tool.squashkit]`` from ``root/pyproject.toml`` (an absent file or table is an empty config)."""
    path = root / "pyproject.toml"
    if not path.is_file():
        return Config()
    import tomllib  # only when there is a pyproject.toml to read

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(path, f"cannot parse: {exc}") from exc
    table = data.get("tool", {}).get("squashkit", {})
    if not isinstance(table, dict):
        raise ConfigError(path, "must be a table")
    swappable: dict[str, str] = {}
    for key, value in table.items():
        if key.isupper():
            if not isinstance(value, str) or "." not in value:
                raise ConfigError(path, f"{key} must be a string like 'app_label.ModelName', got {value!r}")
            swappable[key] = value
    extra = table.get("swappable", {})
    if not isinstance(extra, dict):
        raise ConfigError(path, "swappable must be a table")
    for key, value in extra.items():
        if not isinstance(value, str) or "." not in value:
            raise ConfigError(path, f"swappable.{key} must be a string like 'app_label.ModelName'")
        swappable[key] = value
    settings_module = table.get("settings")
    if settings_module is not None and not isinstance(settings_module, str):
        raise ConfigError(path, "settings must be a dotted module path string")
    exclude = table.get("exclude", [])
    if not isinstance(exclude, list) or not all(isinstance(e, str) for e in exclude):
        raise ConfigError(path, "exclude must be a list of glob strings")
    return Config(path, settings_module, tuple(exclude), swappable, table)


def _model_setting(name: str, value: str) -> bool:
    """``NAME_MODEL = "app_label.Model"``: how swappable-model settings are named and written."""
    return name.isupper() and name.endswith("_MODEL") and value.count(".") == 1 and " " not in value


def find_settings_literals(settings_files: list[Path], names: set[str] | None) -> dict[str, str]:
    """Literal string assignments of ``names`` in settings modules, read with ``ast`` (never imported).

    ``names=None`` takes every swappable-model setting (``X_MODEL = "app_label.Model"``:
    ``AUTH_USER_MODEL``, ``OAUTH2_PROVIDER_APPLICATION_MODEL``...).  A name assigned different values in
    different files is left out: squashkit does not guess.
    """
    seen: dict[str, set[str]] = {}
    for path in settings_files:
        try:
            tree = ast.parse(path.read_bytes())
        except (SyntaxError, ValueError, OSError, RecursionError, MemoryError):
            continue
        for node in tree.body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
                value = node.value.value
                if not isinstance(value, str):
                    continue
                for target in node.targets:
                    if not isinstance(target, ast.Name):
                        continue
                    if target.id in names if names is not None else _model_setting(target.id, value):
                        seen.setdefault(target.id, set()).add(value)
    return {name: next(iter(values)) for name, values in seen.items() if len(values) == 1}


_MANAGE_SETTINGS = re.compile(r"""DJANGO_SETTINGS_MODULE["']\s*,\s*["']([\w.]+)["']""")


def discover_settings(root: Path, config: Config | None = None) -> str | None:
    """The settings module to use when the user asks for Django without naming one.

    ``[tool.squashkit] settings`` first, then the ``os.environ.setdefault("DJANGO_SETTINGS_MODULE", ...)``
    line of ``root/manage.py`` (read as text, never run).
    """
    config = config if config is not None else load_config(root)
    if config.settings_module:
        return config.settings_module
    manage = root / "manage.py"
    if manage.is_file():
        match = _MANAGE_SETTINGS.search(manage.read_text(encoding="utf-8", errors="replace"))
        if match:
            return match.group(1)
    return None
