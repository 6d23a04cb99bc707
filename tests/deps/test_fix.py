"""From proposals to rewrite results: refusals, failures and rewrites, nothing written."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from squashkit.deps.fix import plan_fixes
from squashkit.deps.propose import Proposal, Verification, propose
from squashkit.graph.model import MigrationKey, Project
from squashkit.graph.static import load_static
from tests.deps.djangoproject import make_project

K = MigrationKey


def verified(project: Project) -> list[Proposal]:
    return [
        dataclasses.replace(p, verification=Verification("verified", "ok")) if p.pending else p
        for p in propose(project)
    ]


def test_statuses(tmp_path: Path) -> None:
    project = load_static(make_project(tmp_path))
    proposals = verified(project)
    proposals[-1] = dataclasses.replace(proposals[-1], verification=Verification("failed", "Django says no"))
    before = {p: p.read_bytes() for p in tmp_path.rglob("0*.py")}
    plans = plan_fixes(project, proposals, applied_in=lambda key: ["prod"] if key.name == "0001_initial" else [])
    assert [(str(p.proposal.migration), p.result.status, p.result.reason) for p in plans] == [
        ("sales.0001_initial", "refused", "applied in prod"),
        ("sales.0002_n", "failed", "Django says no"),
    ]
    unverified = plan_fixes(project, propose(project), applied_in=lambda key: [])
    assert {p.result.reason for p in unverified} == {"not verified with Django; pass --settings or --no-verify"}
    nowhere = plan_fixes(project, proposals, applied_in=None)
    assert nowhere[0].result.reason == (
        "no applied-state source (settings, environments or snapshots); "
        "pass --assume-unapplied if no database has applied it"
    )
    assumed = plan_fixes(project, proposals[:-1], applied_in=None, assume_unapplied=True)
    assert [p.result.status for p in assumed] == ["changed"]
    assert "('crm', '0001_initial')" in assumed[0].result.after
    assert {p: p.read_bytes() for p in tmp_path.rglob("0*.py")} == before
