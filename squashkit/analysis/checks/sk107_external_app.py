"""SK107: a dependency on an app that is not in the project (a third-party app, or one that exists nowhere)."""

from __future__ import annotations

from collections.abc import Iterator

from squashkit.analysis.findings import AnalysisContext, Finding, register
from squashkit.graph.model import MigrationKey
from squashkit.rules import get_rule

RULE = get_rule("SK107")

#: django.contrib apps: known to be outside the project, never reported
CONTRIB = frozenset(
    {
        "admin",
        "admindocs",
        "auth",
        "contenttypes",
        "flatpages",
        "gis",
        "humanize",
        "messages",
        "postgres",
        "redirects",
        "sessions",
        "sitemaps",
        "sites",
        "staticfiles",
        "syndication",
    }
)


@register(RULE.code)
def check(context: AnalysisContext) -> Iterator[Finding]:
    """Statically an app that exists nowhere looks like a third-party app: say which apps were taken as
    outside the project, once each, at the first dependency on it (a Django load knows: SK103 there)."""
    project = context.project
    if project.complete:
        return
    first: dict[str, tuple[MigrationKey, int]] = {}
    for label in context.apps:
        for migration in project.app_migrations(label):
            for dep in (*migration.dependencies, *migration.run_before):
                app = dep.key.app_label
                if app in project.apps or app in CONTRIB or app in first:
                    continue
                first[app] = (migration.key, dep.line)
    for app, (key, line) in sorted(first.items()):
        yield RULE.finding(
            message=f"external app {app!r}: not in the project; installed?",
            hint=f"Fine if {app!r} is an installed third-party app; otherwise fix the dependency. "
            "`squashkit analyze --cross-check` compares with what Django loads.",
            path=context.path_of(key),
            line=line,
            migration=key,
        )
