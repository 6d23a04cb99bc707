"""One module per check; each registers itself with :func:`squashkit.analysis.findings.register`.

Codes are stable: ``SK1xx`` graph and files, ``SK2xx`` dependencies, ``SK3xx`` operations, ``SK4xx`` history.
"""
