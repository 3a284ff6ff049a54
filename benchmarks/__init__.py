"""Benchmarks that compare the workbench with a baseline measured in the same run.

Every benchmark reports a ratio (product / baseline) rather than seconds, so a result means
the same on a fast laptop and a loaded CI runner. Run `python -m benchmarks --help`.
"""
