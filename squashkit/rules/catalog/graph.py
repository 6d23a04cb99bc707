"""SK1xx: the migration graph and the files it is read from."""

from __future__ import annotations

from squashkit.rules.model import Rule, Severity
from squashkit.rules.registry import register_rule

SK101 = register_rule(
    Rule(
        code="SK101",
        name="unreadable-file",
        severity=Severity.ERROR,
        summary="A migration file could not be parsed",
        explanation="""\
## What it does
Reports a migration file (or an app's `apps.py`) that squashkit could not read: a syntax error, an
undecodable byte, a file without a `Migration` class, a `.pyc` without its source, two apps with one label,
an expression nested beyond the parser's limits, or operations the Django loader could not summarise. The
loader's problem code is given in brackets at the end of the message (`syntax`, `encoding`,
`no-migration-class`, `computed-migration`, `unreadable`, `sourceless`, `duplicate-label`, `bad-apps-py`,
`too-complex`, `internal`, `operation`).

## Why is this bad?
Django cannot import most of these files either, so `migrate` stops on them. squashkit analyses every other
file, but whatever depends on the unreadable one is judged without it.

## Example
```python
# shop/migrations/0002_order_total.py
class Migration(migrations.Migration:   # syntax error: Django raises it on import
    dependencies = [("shop", "0001_initial")]
```

## How to fix
Follow the hint printed with the finding: fix the syntax, save the file as UTF-8, move helper modules out of
`migrations/`, restore or delete a stray `.pyc`.
""",
    )
)

SK102 = register_rule(
    Rule(
        code="SK102",
        name="computed-dependencies",
        severity=Severity.WARNING,
        summary="Dependencies squashkit cannot read statically",
        explanation="""\
## What it does
Reports `dependencies`, `replaces` or `run_before` entries that cannot be evaluated without importing the
project (a list comprehension, an imported constant, an `if` around the assignment), and
`swappable_dependency(settings.X)` where `X` is not configured (problem codes `computed-dependencies`,
`computed-replaces`, `computed-run-before`, `unknown-setting`).

## Why is this bad?
squashkit's static load does not guess: the edges from such an entry are missing from its graph, so findings
and proposals about that migration may be incomplete.

## Example
```python
class Migration(migrations.Migration):
    dependencies = [(app, "0001_initial") for app in REPORT_APPS]
```

## How to fix
Write the list as literal tuples, set the missing setting in `[tool.squashkit]` of `pyproject.toml`, or load
through Django with `--settings` (or `--django`).
""",
    )
)

SK103 = register_rule(
    Rule(
        code="SK103",
        name="dangling-dependency",
        severity=Severity.ERROR,
        summary="Dependency on a migration that does not exist",
        explanation="""\
## What it does
Reports a dependency (or `run_before`) naming a migration that has no file, as Django's `NodeNotFoundError`
does.

## Why is this bad?
`migrate`, `makemigrations` and `showmigrations` all stop on it.

## Example
```python
# orders/migrations/0002_order_invoice.py
dependencies = [("billing", "0002_invoice_total")]   # billing has no 0002_invoice_total
```

## How to fix
Restore the missing file (it may have been deleted with a squash that is not finalized everywhere), or point
the dependency at a migration that exists.
""",
    )
)

SK104 = register_rule(
    Rule(
        code="SK104",
        name="cycle",
        severity=Severity.ERROR,
        summary="Circular dependency between migrations",
        explanation="""\
## What it does
Reports a cycle of dependencies between migrations, as Django's `CircularDependencyError` does.

## Why is this bad?
Django cannot order the migrations of a cycle: `migrate` stops. Cycles usually come from a squash whose
union of dependencies reaches forward into another app that depends back on the squashed app.

## Example
```text
alpha.0002_item_owner -> beta.0001_initial -> alpha.0002_item_owner
```

## How to fix
Remove one cross-app dependency of the cycle: `squashkit deps` shows which dependencies are wider than the
referenced models need (`squashkit deps --fix` narrows them), or split a migration in two.
""",
    )
)

SK105 = register_rule(
    Rule(
        code="SK105",
        name="conflicting-leaves",
        severity=Severity.ERROR,
        summary="App with several leaf migrations",
        explanation="""\
## What it does
Reports an app with more than one leaf migration (two branches each added a migration).

## Why is this bad?
`migrate` refuses to run ("Conflicting migrations detected") until the branches are merged.

## Example
```text
blog.0002_post_body   (from one branch)
blog.0002_post_title  (from another)
```

## How to fix
Run `manage.py makemigrations --merge APP`, or renumber the newer branch's migration onto the other one.
""",
    )
)

SK106 = register_rule(
    Rule(
        code="SK106",
        name="squash-pressure",
        severity=Severity.INFO,
        summary="App that would gain much from a squash",
        fix="squashkit squash plan",
        explanation="""\
## What it does
Reports an app whose squash pressure (`squashkit analyze`: migrations since the last squash plus the
operations Django's optimizer would fold) is at or above the threshold (50 by default).

## Why is this bad?
Long histories make every fresh `migrate` (tests, CI, new developers) slower and make reviews and squashes
harder; the longer an app waits, the more environments a squash must wait for.

## Example
```text
inventory: squash pressure 63 (31 migrations since the last squash, 32 foldable operations, 3 barriers)
```

## How to fix
Plan a squash of the app with `squashkit squash plan --app APP`.
""",
    )
)

SK107 = register_rule(
    Rule(
        code="SK107",
        name="external-app",
        severity=Severity.INFO,
        summary="Dependency on an app outside the project",
        explanation="""\
## What it does
Under a static load, names each app that migrations depend on but that is neither in the project nor a
`django.contrib` app, once, at the first dependency on it.

## Why is this bad?
Usually nothing is wrong: it is an installed third-party app. But an app that exists nowhere (a typo, an app
removed from the project) makes Django stop with `NodeNotFoundError`, which only a Django load can tell.

## Example
```python
dependencies = [("ghost", "0001_initial")]   # no app labelled ghost in the project
```

## How to fix
Fine if the app is installed; otherwise fix the dependency. `squashkit analyze --cross-check` compares with
what Django loads.
""",
    )
)
