"""Fixtures of the UI tests."""

from __future__ import annotations

import pytest

from tests.support.fake_api import FakeAnthropic


@pytest.fixture
def api(fake_api: FakeAnthropic, monkeypatch: pytest.MonkeyPatch) -> FakeAnthropic:
    """The loopback Messages API, where the app's client finds it: a chat's runs go there."""
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake_api.base_url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
    return fake_api
