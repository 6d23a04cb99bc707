"""Minimal cross-app dependencies: references -> providers -> proposal -> verification.

* :mod:`squashkit.deps.references`: what each migration needs from other apps (and what it cannot see).
* :mod:`squashkit.deps.providers`: per app, which migration provides each model and field state.
* :mod:`squashkit.deps.propose`: the minimal dependency set per migration, static and pure.
* :mod:`squashkit.deps.verify`: replay the rewired graph with Django's own machinery.
"""

from squashkit.deps.propose import EdgeChange, Proposal, Verification, propose
from squashkit.deps.references import Need, Opaque, References, references

__all__ = ["EdgeChange", "Need", "Opaque", "Proposal", "References", "Verification", "propose", "references"]
