"""What lint says about an agent's meaning, and where."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.files import agent_text
from workbench.agentfile import lint
from workbench.agentfile.parse import parse_agent
from workbench.agentfile.spec import AgentSpec, Diagnostic, Origin, Severity


def checked(text: str, file_name: str = "helper.md") -> AgentSpec:
    return lint.check(parse_agent(text.encode(), Path(file_name), Origin.PROJECT))


def only(spec: AgentSpec, code: str) -> Diagnostic:
    [found] = [d for d in spec.diagnostics if d.code == code]
    return found


def test_clean_agent_has_no_findings() -> None:
    spec = checked(agent_text(tools="Read, Grep", model="sonnet", color="green"))
    assert spec.diagnostics == ()


def test_unknown_tool_suggests_the_closest_name() -> None:
    spec = checked(agent_text(tools="Read, Grepp, read, githubRepo"))
    found = [(d.message, d.fix) for d in spec.diagnostics if d.code == "unknown-tool"]
    assert found == [
        ("unknown tool 'Grepp' in `tools`; did you mean 'Grep'?", "Grep"),
        ("unknown tool 'read' in `tools`; did you mean 'Read'?", "Read"),
        ("unknown tool 'githubRepo' in `tools`", None),
    ]
    assert {d.line for d in spec.diagnostics if d.code == "unknown-tool"} == {4}


@pytest.mark.parametrize(
    "tools",
    ["LS, MultiEdit", "mcp__github__create_issue", "mcp__db__*", "Agent(worker, scout)", "Task"],
)
def test_legacy_mcp_and_agent_forms_are_known(tools: str) -> None:
    assert checked(agent_text(tools=tools)).diagnostics == ()


def test_unknown_disallowed_tool() -> None:
    spec = checked(agent_text(disallowedTools="Bsh"))
    assert only(spec, "unknown-tool").fix == "Bash"


def test_empty_tool_list_warns() -> None:
    finding = only(checked(agent_text(tools="[]")), "no-tools")
    assert (finding.severity, finding.line) == (Severity.WARNING, 4)


@pytest.mark.parametrize(
    "model", ["sonnet", "opus", "haiku", "fable", "inherit", "claude-opus-5-5"]
)
def test_known_models(model: str) -> None:
    assert checked(agent_text(model=model)).diagnostics == ()


def test_display_name_model_is_unknown_with_a_suggestion() -> None:
    finding = only(checked(agent_text(model="Claude Sonnet 4.5")), "unknown-model")
    assert finding.severity is Severity.WARNING
    assert finding.fix == "sonnet"


def test_retired_model_is_a_note() -> None:
    finding = only(checked(agent_text(model="claude-sonnet-4-20250514")), "retired-model")
    assert finding.severity is Severity.INFO
    assert "2026-06-15" in finding.message


@pytest.mark.parametrize("color", ["magenta", "#10B981", "indigo", "not a color"])
def test_colors_claude_code_does_not_know(color: str) -> None:
    finding = only(checked(agent_text(color=f'"{color}"')), "unknown-color")
    assert finding.line == 4


def test_bad_names_are_errors() -> None:
    assert only(checked(agent_text(name="plugin:agent")), "bad-name").severity is Severity.ERROR
    assert only(checked(agent_text(name='"-dash"')), "bad-name").severity is Severity.ERROR


def test_name_format_and_mismatch() -> None:
    spec = checked(agent_text(name="Python Expert"), file_name="python-expert.md")
    assert only(spec, "name-format").severity is Severity.WARNING
    mismatch = only(spec, "name-mismatch")
    assert (mismatch.severity, mismatch.line) == (Severity.INFO, 2)


def test_empty_body_warns() -> None:
    finding = only(checked(agent_text(body="\n  \n")), "empty-body")
    assert finding.severity is Severity.WARNING


def test_unknown_permission_mode() -> None:
    assert only(checked(agent_text(permissionMode="yolo")), "unknown-permission-mode")


def test_not_an_agent_gets_no_meaning_checks() -> None:
    spec = lint.check(parse_agent(b"# just notes\n", Path("notes.md"), Origin.PROJECT))
    assert [d.code for d in spec.diagnostics] == ["not-an-agent"]


def test_every_diagnostic_has_a_line() -> None:
    spec = checked(
        "---\nname: Bad Name\ndescription: x\ntools: Nope\nmodel: gpt\ncolor: mauve\n---\n"
    )
    assert all(d.line >= 1 for d in spec.diagnostics)
    assert [d.line for d in spec.diagnostics] == sorted(d.line for d in spec.diagnostics)
