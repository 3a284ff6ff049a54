"""The input validator's messages, the registry of file tools, and TodoWrite."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from workbench.engine.jail import Jail
from workbench.engine.tools.base import ToolContext, ToolKind
from workbench.engine.tools.registry import FILE_TOOLS
from workbench.engine.tools.schema import check_input
from workbench.engine.tools.todos import TodoWrite, summarise

READ = FILE_TOOLS["Read"].input_schema
MULTI = FILE_TOOLS["MultiEdit"].input_schema
GREP = FILE_TOOLS["Grep"].input_schema


@pytest.mark.parametrize(
    ("schema", "value", "message"),
    [
        (READ, {}, "`file_path` is required"),
        (READ, {"file_path": 3}, "`file_path` must be a string, not an integer"),
        (READ, {"file_path": "a", "limit": "10"}, "`limit` must be an integer, not a string"),
        (READ, {"file_path": "a", "limit": True}, "`limit` must be an integer, not a boolean"),
        (READ, {"file_path": "a", "limit": 2.5}, "`limit` must be an integer, not a number (2.5)"),
        (READ, {"file_path": "a", "limit": 0}, "`limit` must be at least 1, not 0"),
        (READ, {"file_path": None}, "`file_path` must be a string, not null"),
        (
            READ,
            {"file_path": "a", "lines": 3},
            "`lines` is not a parameter of this tool; the parameters are "
            "`file_path`, `offset`, `limit`",
        ),
        (READ, ["a"], "the tool input must be a JSON object, not an array"),
        (MULTI, {"file_path": "a", "edits": "x"}, "`edits` must be an array, not a string"),
        (MULTI, {"file_path": "a", "edits": []}, "`edits` must not be empty"),
        (
            MULTI,
            {
                "file_path": "a",
                "edits": [{"old_string": "a", "new_string": "b"}, {"old_string": "c"}],
            },
            "`edits[1].new_string` is required",
        ),
        (
            MULTI,
            {"file_path": "a", "edits": [{"old_string": "a", "new_string": "b", "all": True}]},
            "`edits[0].all` is not a parameter of this tool; the parameters are "
            "`old_string`, `new_string`, `replace_all`",
        ),
        (
            GREP,
            {"pattern": "x", "output_mode": "lines"},
            '`output_mode` must be one of "content", "files_with_matches", "count", not "lines"',
        ),
        (GREP, {"pattern": ""}, "`pattern` must not be empty"),
        (GREP, {"pattern": "x", "-A": -1}, "`-A` must be at least 0, not -1"),
    ],
)
def test_check_input_explains_the_first_problem(
    schema: dict[str, Any], value: object, message: str
) -> None:
    assert check_input(schema, value) == message


def test_check_input_accepts_valid_input() -> None:
    assert check_input(READ, {"file_path": "a", "offset": 3, "limit": 10}) is None
    assert check_input(GREP, {"pattern": "x", "-i": True, "head_limit": 0}) is None
    assert (
        check_input({"type": "object", "properties": {"n": {"type": "number"}}}, {"n": 2.5}) is None
    )


def test_check_input_understands_type_lists_and_maximum() -> None:
    schema = {
        "type": "object",
        "properties": {
            "v": {"type": ["string", "null"]},
            "n": {"type": "integer", "maximum": 5},
            "s": {"type": "string", "minLength": 3},
            "xs": {"type": "array", "minItems": 2},
        },
    }
    assert check_input(schema, {"v": None}) is None
    assert check_input(schema, {"v": 1}) == "`v` must be a string or null, not an integer"
    assert check_input(schema, {"n": 6}) == "`n` must be at most 5, not 6"
    assert check_input(schema, {"s": "ab"}) == "`s` must be at least 3 characters long"
    assert check_input(schema, {"xs": [1]}) == "`xs` must have at least 2 items, not 1"


def test_the_registry_holds_every_file_tool_by_name() -> None:
    assert sorted(FILE_TOOLS) == [
        "Edit",
        "Glob",
        "Grep",
        "LS",
        "MultiEdit",
        "Read",
        "TodoWrite",
        "Write",
    ]
    kinds = {name: tool.kind for name, tool in FILE_TOOLS.items()}
    assert kinds == {
        "Read": ToolKind.READ,
        "Glob": ToolKind.READ,
        "Grep": ToolKind.READ,
        "LS": ToolKind.READ,
        "Write": ToolKind.EDIT,
        "Edit": ToolKind.EDIT,
        "MultiEdit": ToolKind.EDIT,
        "TodoWrite": ToolKind.MEMO,
    }
    for name, tool in FILE_TOOLS.items():
        definition = tool.definition()
        assert definition["name"] == name
        assert definition["input_schema"]["type"] == "object"
        assert len(definition["description"]) > 100
        for spec in definition["input_schema"]["properties"].values():
            assert spec.get("description"), name


def test_path_tools_target_their_path() -> None:
    assert FILE_TOOLS["Read"].target({"file_path": "a.txt"}) == "a.txt"
    assert FILE_TOOLS["Edit"].target({"file_path": "b", "old_string": "", "new_string": ""}) == "b"
    assert FILE_TOOLS["MultiEdit"].target({"file_path": "c", "edits": []}) == "c"
    assert FILE_TOOLS["TodoWrite"].target({"todos": []}) is None


@pytest.fixture
def ctx(tmp_path: Path) -> ToolContext:
    return ToolContext(jail=Jail.of(Path(os.path.realpath(tmp_path))))


async def test_todowrite_replaces_the_list_and_summarises(ctx: ToolContext) -> None:
    todos = [
        {"content": "Read the code", "status": "completed", "activeForm": "Reading the code"},
        {"content": "Fix the bug", "status": "in_progress", "activeForm": "Fixing the bug"},
        {"content": "Run the tests", "status": "pending", "activeForm": "Running the tests"},
        {"content": "Write notes", "status": "pending", "activeForm": "Writing notes"},
    ]
    assert check_input(TodoWrite.input_schema, {"todos": todos}) is None
    result = await TodoWrite().run({"todos": todos}, ctx)
    assert result.content == "4 tasks: 1 in progress, 2 pending, 1 completed"
    assert ctx.todos == todos
    assert ctx.todos is not todos
    again = await TodoWrite().run({"todos": todos[:1]}, ctx)
    assert again.content == "1 task: 1 completed"
    assert ctx.todos == todos[:1]


def test_todowrite_rejects_an_unknown_status_and_summarises_an_empty_list() -> None:
    bad = {"todos": [{"content": "x", "status": "done", "activeForm": "x"}]}
    assert check_input(TodoWrite.input_schema, bad) == (
        '`todos[0].status` must be one of "pending", "in_progress", "completed", not "done"'
    )
    assert summarise([]) == "The task list is now empty."
