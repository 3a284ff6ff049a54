"""Fixtures and helpers shared by the test suite."""
