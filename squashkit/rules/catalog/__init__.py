"""The rules, as data: modules registering their rules at import (all imported by :func:`squashkit.rules.all_rules`).

``SK1xx`` graph and files, ``SK2xx`` dependencies, ``SK3xx`` operations, ``SK4xx`` applied history,
``SK5xx`` squashes, ``SK6xx`` verification on a real database.  Within SK5xx, by feature: ``SK501``-``SK519``
the squash rules of ``squashkit check``, ``SK520``-``SK539`` ``squash plan``, ``SK540``-``SK559``
``squash run``, ``SK560``-``SK579`` ``squash status``/``finalize``.  A feature adds its own module here (one
per feature or code range), so features never edit each other's rules.

A rule's explanation is markdown with the sections *What it does*, *Why is this bad?*, *Example* and *How to
fix*, in that order (``squashkit rule CODE`` prints it; a test checks every rule).
"""
