"""Setting one frontmatter key: only its lines change, in the style the file used."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.support.shared import seed_files
from workbench.agentfile.parse import parse_agent
from workbench.agentfile.patch import FieldValue, current_value, line_change, set_field
from workbench.agentfile.spec import AgentSpec, Origin


def parse(text: str) -> AgentSpec:
    return parse_agent(text.encode(), Path("agent.md"), Origin.EXPLICIT, named=True)


def changed(text: str, key: str, value: FieldValue) -> tuple[str, AgentSpec]:
    after = set_field(text, parse(text), key, value)
    return after, parse(after)


def changed_lines(before: str, after: str) -> list[tuple[str, str]]:
    """(before, after) of each line that differs, when the line count is the same."""
    a, b = before.split("\n"), after.split("\n")
    assert len(a) == len(b), (a, b)
    return [(x, y) for x, y in zip(a, b, strict=True) if x != y]


AGENT = """---
name: reviewer
description: Reviews code.
tools: Read, Grep
model: sonnet
color: blue
custom-key: {keep: me,   exactly}
---

You review code.
"""


KEYS = (
    "name",
    "description",
    "tools",
    "disallowedTools",
    "model",
    "color",
    "permissionMode",
    "maxTurns",
    "skills",
    "memory",
    "background",
    "effort",
    "isolation",
    "initialPrompt",
)


def test_setting_each_field_of_a_seed_to_its_value_changes_no_byte() -> None:
    for seed in seed_files():
        text = seed.read_bytes().decode("utf-8-sig")
        spec = parse(text)
        for key in KEYS:
            assert set_field(text, spec, key, current_value(spec, key)) == text, (seed, key)


def test_seeds_changing_each_field_touches_only_its_lines() -> None:
    for seed in seed_files():
        text = seed.read_bytes().decode("utf-8-sig")
        spec = parse(text)
        for key in ("name", "description", "model", "tools"):
            value = current_value(spec, key)
            if isinstance(value, str):
                new: FieldValue = value + " more"
            elif isinstance(value, tuple):
                new = (*value[:-1], "WebSearch") if value[-1:] != ("WebSearch",) else value[:-1]
            else:
                continue
            after = set_field(text, spec, key, new)
            assert current_value(parse(after), key) == new, (seed.name, key)
            assert len(changed_lines(text, after)) == 1, (seed.name, key)
            assert parse(after).yaml_valid or not spec.yaml_valid


def test_changing_the_model_changes_only_its_line() -> None:
    after, spec = changed(AGENT, "model", "opus")
    assert changed_lines(AGENT, after) == [("model: sonnet", "model: opus")]
    assert spec.model == "opus"


def test_unknown_keys_are_untouched() -> None:
    for key, value in (("name", "critic"), ("tools", ("Read",)), ("color", None)):
        after, _ = changed(AGENT, key, value)
        assert "custom-key: {keep: me,   exactly}\n" in after


@pytest.mark.parametrize(
    ("line", "tools", "expected"),
    [
        ("tools: Read, Grep", ("Read",), "tools: Read"),
        ("tools: Read,Grep", ("Read", "Bash"), "tools: Read,Bash"),
        ("tools: [Read, Grep]", ("Grep", "Bash(git *)"), "tools: [Grep, Bash(git *)]"),
        ("tools: 'Read, Grep'", ("Read", "Edit"), "tools: 'Read, Edit'"),
        ("tools: Read, Grep", ("Agent(worker, researcher)",), "tools: Agent(worker, researcher)"),
        ("tools: Read, Grep", (), "tools: []"),
        ("tools: [Read]", ("mcp__github__get_issue",), "tools: [mcp__github__get_issue]"),
    ],
)
def test_tools_keep_the_style_the_file_used(
    line: str, tools: tuple[str, ...], expected: str
) -> None:
    text = AGENT.replace("tools: Read, Grep", line)
    after, spec = changed(text, "tools", tools)
    assert changed_lines(text, after) == [(line, expected)]
    assert spec.tools == tools


def test_a_block_list_stays_a_block_list_with_its_indent() -> None:
    text = AGENT.replace("tools: Read, Grep", "tools:\n    - Read\n    - Grep")
    after, spec = changed(text, "tools", ("Read", "Grep", "Glob"))
    assert "tools:\n    - Read\n    - Grep\n    - Glob\nmodel: sonnet" in after
    assert spec.tools == ("Read", "Grep", "Glob")


def test_all_tools_removes_the_key_and_a_list_adds_it_back() -> None:
    after, spec = changed(AGENT, "tools", None)
    assert "tools:" not in after and spec.tools is None
    assert after == AGENT.replace("tools: Read, Grep\n", "")
    again, spec = changed(after, "tools", ("Read", "Glob"))
    assert spec.tools == ("Read", "Glob")
    assert again.endswith(
        "custom-key: {keep: me,   exactly}\ntools: Read, Glob\n---\n\nYou review code.\n"
    )


def test_new_keys_go_before_the_closing_line_and_read_back() -> None:
    text = AGENT
    values: dict[str, FieldValue] = {
        "permissionMode": "acceptEdits",
        "maxTurns": 12,
        "background": True,
        "skills": ("pdf", "xlsx"),
        "initialPrompt": "Start: review the diff #1",
        "effort": "high",
        "disallowedTools": ("Write", "Edit"),
    }
    for key, value in values.items():
        text, spec = changed(text, key, value)
        assert current_value(spec, key) == value
    assert spec.yaml_valid
    assert text.startswith(AGENT.split("---\n\n")[0])


@pytest.mark.parametrize(
    "value",
    [
        "yes",
        "123",
        "Use it: always",
        "a # not a comment",
        "'quoted'",
        " leading space",
        "trailing space ",
        "- dash",
        "it's",
        'say "hi"',
        "tab\there",
        "null",
        "[not a list]",
        "ünïcødé ’ –",
        "*star",
    ],
)
def test_strings_are_quoted_only_when_yaml_needs_it(value: str) -> None:
    after, spec = changed(AGENT, "name", value)
    line = next(line for line in after.split("\n") if line.startswith("name:"))
    assert yaml.safe_load(line) == {"name": value}
    assert spec.field_value("name") == value


def test_plain_strings_stay_plain() -> None:
    after, _ = changed(AGENT, "description", "Reviews pull requests, carefully.")
    assert "\ndescription: Reviews pull requests, carefully.\n" in after


def test_a_multi_line_description_becomes_a_block() -> None:
    value = "Reviews code.\n\n<example>\nuser: hi\n  indented: yes\n</example>"
    after, spec = changed(AGENT, "description", value)
    assert spec.description == value
    assert "description: |-\n  Reviews code.\n\n  <example>\n" in after
    assert changed(after, "description", value)[0] == after
    shorter, spec = changed(after, "description", "One line now.")
    assert spec.description == "One line now."
    assert "\ndescription: |-\n  One line now.\ntools: Read, Grep\n" in shorter


def test_a_block_keeps_its_indent_and_trailing_newline() -> None:
    text = AGENT.replace(
        "description: Reviews code.", "description: |\n    Reviews code.\n    Well."
    )
    value = "Reviews code.\nVery well."
    after, spec = changed(text, "description", value)
    assert spec.description == value
    assert "description: |\n    Reviews code.\n    Very well.\ntools" in after


def test_an_escaped_one_line_description_keeps_its_escapes() -> None:
    text = AGENT.replace(
        "description: Reviews code.",
        r"description: Use it when asked. Examples:\n\n<example>\nuser: hi\n</example>",
    )
    spec = parse(text)
    assert spec.description is not None and "\n<example>\n" in spec.description
    value = spec.description.replace("user: hi", "user: hello")
    after, spec = changed(text, "description", value)
    assert spec.description == value
    [(_, line)] = changed_lines(text, after)
    assert r"\n<example>\nuser: hello\n" in line


def test_invalid_yaml_frontmatter_changes_only_the_key_line() -> None:
    text = AGENT.replace("description: Reviews code.", "description: Use it: when asked")
    assert not parse(text).yaml_valid
    after, spec = changed(text, "model", "haiku")
    assert changed_lines(text, after) == [("model: sonnet", "model: haiku")]
    assert spec.model == "haiku" and spec.description == "Use it: when asked"
    after, spec = changed(text, "tools", ("Read",))
    assert changed_lines(text, after) == [("tools: Read, Grep", "tools: Read")]


def test_crlf_is_kept() -> None:
    text = AGENT.replace("\n", "\r\n")
    after, spec = changed(text, "model", "opus")
    assert after == text.replace("model: sonnet", "model: opus")
    after, spec = changed(text, "description", "Two\nlines")
    assert spec.description == "Two\nlines"
    assert "\n" not in after.replace("\r\n", "")
    after, spec = changed(text, "effort", "low")
    assert "\r\neffort: low\r\n---\r\n" in after


def test_removing_a_multi_line_key_removes_all_its_lines() -> None:
    text = AGENT.replace("color: blue", "skills:\n  - pdf\n  - xlsx")
    after, _spec = changed(text, "skills", None)
    assert after == AGENT.replace("color: blue\n", "")


def test_a_file_without_frontmatter_gets_one() -> None:
    after, spec = changed("Just a prompt.\n", "name", "helper")
    assert after == "---\nname: helper\n---\nJust a prompt.\n"
    assert spec.name == "helper"


def test_line_change_is_the_smallest_run() -> None:
    assert line_change(["a", "b", "c"], ["a", "x", "y", "c"]) == (1, 2, ["x", "y"])
    assert line_change(["a", "b", "c"], ["a", "c"]) == (1, 2, [])
    assert line_change(["a", "c"], ["a", "b", "c"]) == (1, 1, ["b"])
    assert line_change(["a"], ["a"]) == (1, 1, [])
