"""Benchmarks and the synthetic Django projects they run on (never part of the timed test-suite)."""
