"""What the model is sent: prompt, environment, model, thinking, caching."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.support.files import agent_text
from workbench.agentfile.parse import parse_agent
from workbench.agentfile.spec import AgentSpec, Origin
from workbench.config.models import builtin_models
from workbench.engine.calls import describe
from workbench.engine.prompt import choose_model, request, system_prompt
from workbench.engine.usage import Usage


def spec(**keys: str) -> AgentSpec:
    return parse_agent(
        agent_text(body="You plan.\n", **keys).encode(), Path("a.md"), Origin.PROJECT
    )


def test_system_prompt_is_the_body_then_the_environment(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    text = system_prompt(spec(), tmp_path, dt.date(2026, 11, 22))
    assert text.startswith("You plan.\n\n<env>\n")
    assert f"Working directory: {tmp_path}" in text
    assert "Is directory a git repo: Yes" in text
    assert "Today's date: 2026-11-22" in text


def test_models_resolve_through_aliases_and_overrides() -> None:
    models = builtin_models()
    assert choose_model(spec(model="opus"), models, None).id == "claude-opus-5-5"
    assert choose_model(spec(model="inherit"), models, None).id == models.resolve(None)
    assert choose_model(spec(), models, None).id == "claude-sonnet-5-5"
    assert choose_model(spec(model="haiku"), models, "claude-opus-4-8").id == "claude-opus-4-8"
    chosen = choose_model(spec(model="claude-haiku-4-5"), models, None)
    assert chosen.thinking is None and chosen.max_tokens == 64000
    thinking = choose_model(spec(model="sonnet"), models, None).thinking
    assert thinking == {"type": "adaptive", "display": "summarized"}


def test_request_caches_system_with_tools_and_the_last_user_message() -> None:
    model = choose_model(spec(), builtin_models(), None)
    body = request(
        model=model,
        system="prompt",
        tools=[{"name": "Read"}],
        messages=[{"role": "user", "content": [{"type": "text", "text": "go"}]}],
    )
    assert body["system"] == [
        {"type": "text", "text": "prompt", "cache_control": {"type": "ephemeral"}}
    ]
    assert body["messages"][-1]["content"][-1]["cache_control"] == {"type": "ephemeral"}
    assert body["tools"] == [{"name": "Read"}]
    assert body["thinking"]["type"] == "adaptive"


def test_cost_uses_the_price_table_and_is_unknown_for_unknown_models() -> None:
    models = builtin_models()
    usage = Usage(input_tokens=1_000_000, output_tokens=100_000, cache_read_tokens=1_000_000)
    assert usage.cost(models.price("claude-sonnet-5-5")) == 2.0 + 1.0 + 0.1
    assert usage.cost(models.price("claude-unknown-9")) is None
    assert models.price("claude-haiku-4-5-20251001") == models.price("claude-haiku-4-5")


def test_calls_are_described_briefly() -> None:
    assert describe("Read", {"file_path": "docs/tasks/context.md"}) == "docs/tasks/context.md"
    assert describe("Bash", {"command": "npm   test\n--watch"}) == "npm test --watch"
    assert describe("Agent", {"subagent_type": "x", "description": "plan"}) == "x: plan"
    assert describe("Grep", {"pattern": "TODO", "path": "src"}) == "TODO in src"
    assert len(describe("Bash", {"command": "x" * 500})) == 100
