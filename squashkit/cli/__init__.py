"""The ``squashkit`` command line: a click group whose commands are discovered from this package.

Every module of :mod:`squashkit.cli` that defines a module-level ``command`` (a :class:`click.Command`)
becomes a sub-command, so adding a command is adding one file.  Shared options live in
:mod:`squashkit.cli.options`, output helpers in :mod:`squashkit.cli.output`.  Library errors
(:class:`squashkit.SquashkitError`) are turned into ``error: <message>`` on stderr and their ``exit_code``.

Exit codes: 0 ok, 1 findings or pending changes, 2 usage or input error.
"""

from __future__ import annotations

import errno
import importlib
import os
import pkgutil
import sys
from typing import Any, NoReturn

import click

from squashkit._version import get_version

_HELPERS = {"options", "output"}


class _Group(click.Group):
    """Discover the commands lazily so that ``squashkit --help`` stays fast."""

    def _modules(self) -> list[str]:
        return sorted(
            m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_") and m.name not in _HELPERS
        )

    def _load(self, module_name: str) -> click.Command | None:
        module = importlib.import_module(f"{__name__}.{module_name}")
        command = getattr(module, "command", None)
        return command if isinstance(command, click.Command) else None

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = set(super().list_commands(ctx))
        for module_name in self._modules():
            command = self._load(module_name)
            if command is not None and command.name:
                names.add(command.name)
        return sorted(names)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        found = super().get_command(ctx, cmd_name)
        if found is not None:
            return found
        for module_name in self._modules():
            if module_name.replace("_", "-") == cmd_name or module_name == cmd_name:
                return self._load(module_name)
        return None


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    # click.version_option would need the version at import time (importlib.metadata: ~30 ms per run).
    if not value or ctx.resilient_parsing:
        return
    click.echo(f"squashkit, version {get_version()}")
    ctx.exit()


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the version and exit.",
)
def cli() -> None:
    """Keep Django migration histories healthy: analyse, minimise dependencies, squash safely, export graphs."""


def main(argv: list[str] | None = None, **kwargs: Any) -> Any:
    """The CLI as a function (``standalone_mode=False`` returns instead of exiting)."""
    return cli.main(args=argv, prog_name="squashkit", **kwargs)


#: errors of a write to stdout that no command can do anything about (full disk, quota, I/O error)
_OUTPUT_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO})


def _cannot_write(exc: OSError) -> int:
    try:
        sys.stderr.write(f"error: cannot write output: {exc.strerror or exc}\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    return 2


def run() -> NoReturn:
    """Console-script and ``python -m squashkit`` entry point: :func:`main`, then a hard exit.

    Once the command has finished and its output is flushed, nothing is left to do: the interpreter's
    teardown (freeing every record and graph node one by one, ~30 ms after analysing 5,000 migrations) is
    skipped with :func:`os._exit`, as mypy does.  Files are written and closed by the commands themselves.
    """
    try:
        main()
        code: Any = 0
    except SystemExit as exc:
        code = exc.code
    except OSError as exc:  # stdout on a full disk (``> /dev/full``): said once, not as a traceback
        if exc.errno not in _OUTPUT_ERRNOS:
            raise
        code = _cannot_write(exc)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):  # a closed pipe (``| head``) or stream: nothing more to say
        pass
    except OSError as exc:  # the last buffered output could not be written
        code = _cannot_write(exc)
    if code is None:
        code = 0
    elif not isinstance(code, int):
        sys.stderr.write(f"{code}\n")
        sys.stderr.flush()
        code = 1
    os._exit(code)
