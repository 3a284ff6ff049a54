"""Reading agent files the way real ones are written."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from workbench.agentfile.parse import parse_agent
from workbench.agentfile.spec import AgentSpec, Origin, Severity


def parse(text: str | bytes, name: str = "agent.md", named: bool = False) -> AgentSpec:
    data = text.encode() if isinstance(text, str) else text
    return parse_agent(data, Path(name), Origin.PROJECT, named=named)


def codes(spec: AgentSpec) -> list[str]:
    return [d.code for d in spec.diagnostics]


def test_plain_agent_reads_every_field_and_the_body() -> None:
    spec = parse(
        "---\nname: reviewer\ndescription: Reviews code.\ntools: Read, Grep\n"
        "model: opus\ncolor: cyan\npermissionMode: plan\ncategory: quality\n---\n\nBe strict.\n"
    )
    assert spec.name == "reviewer"
    assert spec.description == "Reviews code."
    assert spec.tools == ("Read", "Grep")
    assert spec.model == "opus"
    assert spec.color == "cyan"
    assert spec.permission_mode == "plan"
    assert spec.field_value("category") == "quality"
    assert [key for key, _ in spec.fields] == [
        "name",
        "description",
        "tools",
        "model",
        "color",
        "permissionMode",
        "category",
    ]
    assert spec.body == "\nBe strict.\n"
    assert spec.body_line == 10
    assert spec.yaml_valid
    assert spec.diagnostics == ()


@pytest.mark.parametrize(
    ("tools_line", "expected"),
    [
        ("tools: Read, Write, Bash", ("Read", "Write", "Bash")),
        ("tools: [Read, Write]", ("Read", "Write")),
        ("tools:\n  - Read\n  - Glob", ("Read", "Glob")),
        ("tools: []", ()),
        ("tools:", None),
        ("tools: *", None),
        ("tools: Agent(worker, researcher), Read", ("Agent(worker, researcher)", "Read")),
        ("tools: mcp__github__*, Read", ("mcp__github__*", "Read")),
    ],
)
def test_tools_in_every_written_form(tools_line: str, expected: tuple[str, ...] | None) -> None:
    spec = parse(f"---\nname: a\ndescription: b\n{tools_line}\n---\nbody\n")
    assert spec.tools == expected


def test_absent_tools_means_every_tool() -> None:
    assert parse("---\nname: a\ndescription: b\n---\nbody\n").tools is None


def test_key_spans_cover_multi_line_values() -> None:
    spec = parse(
        "---\nname: a\ndescription: |\n  line one\n  line two\n\ntools:\n  - Read\n  - Write\n"
        "model: haiku\n---\nbody\n"
    )
    spans = {span.key: (span.start, span.end) for span in spec.spans}
    assert spans == {"name": (2, 2), "description": (3, 5), "tools": (7, 9), "model": (10, 10)}


def test_crlf_file_without_final_newline() -> None:
    spec = parse("---\r\nname: a\r\ndescription: b\r\n---\r\nline one\r\nlast line")
    assert (spec.name, spec.description) == ("a", "b")
    assert spec.body == "line one\nlast line"
    assert spec.diagnostics == ()


def test_blank_first_line_and_closing_run_of_dashes() -> None:
    spec = parse("---\n\nname: a\ndescription: b\n" + "-" * 56 + "\n\n# Heading\n---\nmore\n")
    assert spec.name == "a"
    assert spec.body == "\n# Heading\n---\nmore\n"


def test_byte_order_mark_is_ignored() -> None:
    assert parse(b"\xef\xbb\xbf---\nname: a\ndescription: b\n---\nx\n").name == "a"


def test_unquoted_description_with_colon_loads_leniently_with_a_warning() -> None:
    spec = parse(
        "---\nname: planner\ndescription: Use this agent when planning. Examples:\\n\\n<example>\\n"
        'Context: a plan is needed\\nuser: "Plan it"\\nassistant: "I\'ll plan."\\n</example>\n'
        "tools: Read, Write\nmodel: sonnet\ncolor: blue\n---\nBody.\n"
    )
    assert not spec.yaml_valid
    assert (spec.name, spec.model, spec.color) == ("planner", "sonnet", "blue")
    assert spec.tools == ("Read", "Write")
    assert spec.description is not None and "Examples:\n\n<example>\nContext:" in spec.description
    [warning] = spec.diagnostics
    assert (warning.code, warning.severity, warning.line) == ("yaml-invalid", Severity.WARNING, 3)
    assert "strict YAML" in warning.message and "Claude Code" in warning.message
    [example] = spec.examples
    assert example.context == "a plan is needed"
    assert example.turns == (("user", "Plan it"), ("assistant", "I'll plan."))


def test_examples_written_on_one_line_are_split_into_turns() -> None:
    spec = parse(
        "---\nname: docs\ndescription: Writes guides. <example>Context: A new endpoint shipped."
        " user: 'Document the /orders API' assistant: 'I'll use the docs agent.'"
        " <commentary>New endpoints need guides.</commentary></example> <example>Context: Launch"
        ' is near.user: "Is the guide done?"assistant: "Let me check."</example> <example>'
        "<user_request>Review the onboarding guide.</user_request> <commentary>A review."
        "</commentary></example> <example>Context: the user: a developer who reads the guide"
        "</example>\n---\nBody.\n"
    )
    first, second, third, prose = spec.examples
    assert first.context == "A new endpoint shipped."
    assert first.turns == (
        ("user", "Document the /orders API"),
        ("assistant", "I'll use the docs agent."),
    )
    assert first.commentary == "New endpoints need guides."
    assert second.context == "Launch is near."
    assert second.turns == (("user", "Is the guide done?"), ("assistant", "Let me check."))
    assert third.turns == (("user", "Review the onboarding guide."),)
    assert third.commentary == "A review."
    assert prose.context == "the user: a developer who reads the guide"
    assert prose.turns == ()


def test_lenient_reader_never_invents_keys_from_description_lines() -> None:
    spec = parse(
        "---\nname: guard\ndescription: Watches things. Examples:\\n\\n<example>\\nContext: x\n"
        'user: "first"\nassistant: "second"\n<commentary>\nwhy: because\n</commentary>\n'
        "</example>\ncolor: indigo\ntools: Write, Read\n---\nBody\n"
    )
    assert [key for key, _ in spec.fields] == ["name", "description", "color", "tools"]
    assert spec.color == "indigo"
    assert spec.description is not None and 'user: "first"' in spec.description


def test_indented_continuation_that_looks_like_a_key() -> None:
    spec = parse(
        "---\nname: p\ndescription: Improves prompts.\n\n  <example>\n  user: summarize emails\n"
        "  assistant: done\n  </example>\ntools: Read\n---\nb\n"
    )
    assert spec.tools == ("Read",)
    assert [key for key, _ in spec.fields] == ["name", "description", "tools"]


def test_tools_star_is_all_tools_with_yaml_warning() -> None:
    spec = parse("---\nname: a\ndescription: b\ntools: *\n---\nx\n")
    assert spec.tools is None
    assert codes(spec) == ["yaml-invalid"]


def test_literal_newline_escapes_become_line_breaks() -> None:
    spec = parse('---\nname: a\ndescription: "First.\\n\\nSecond."\n---\nx\n')
    assert spec.description == "First.\n\nSecond."
    spec = parse("---\nname: a\ndescription: First.\\n\\nSecond.\n---\nx\n")
    assert spec.description == "First.\n\nSecond."
    spec = parse("---\nname: a\ndescription: A\\r\\nB\\tC\\\\nD\\r\\tE\\\\r\\nF\n---\nx\n")
    assert spec.description == "A\nB\tC\\\nD\\r\tE\\\nF"


def test_unrecoverable_name_is_an_error() -> None:
    spec = parse("---\ndescription: no name here\n---\nx\n")
    assert spec.name is None
    assert codes(spec) == ["missing-name"]
    assert spec.display_name == "agent"


def test_missing_description_points_at_the_name_line() -> None:
    spec = parse("---\n# comment\nname: a\n---\nx\n")
    [error] = spec.diagnostics
    assert (error.code, error.line, error.severity) == ("missing-description", 3, Severity.ERROR)


@pytest.mark.parametrize("frontmatter", ["- a\n- b", "just words"])
def test_frontmatter_that_is_not_a_mapping(frontmatter: str) -> None:
    spec = parse(f"---\n{frontmatter}\n---\nx\n")
    assert codes(spec) == ["not-a-mapping"]
    assert spec.has_errors


def test_file_without_frontmatter_is_not_an_agent() -> None:
    spec = parse("# Notes\n\nJust a document.\n")
    assert not spec.is_agent
    [note] = spec.diagnostics
    assert (note.code, note.severity) == ("not-an-agent", Severity.INFO)
    assert parse("# Notes\n", named=True).diagnostics[0].severity is Severity.ERROR


def test_unclosed_frontmatter_is_an_error() -> None:
    spec = parse("---\nname: a\ndescription: b\n\n# Body without a closing line\n")
    assert "unclosed-frontmatter" in codes(spec)
    assert spec.has_errors


@pytest.mark.parametrize("data", [b"", b"\n", b"---\n---\n"])
def test_empty_files_never_crash(data: bytes) -> None:
    spec = parse(data)
    assert spec.diagnostics


def test_binary_file_is_unreadable() -> None:
    spec = parse(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert codes(spec) == ["unreadable"]
    assert "binary" in spec.diagnostics[0].message


def test_file_that_is_not_utf8_still_shows_its_name() -> None:
    spec = parse("---\nname: café\ndescription: b\n---\nx\n".encode("latin-1"))
    assert spec.name == "caf\ufffd"
    [error] = spec.diagnostics
    assert (error.code, error.line) == ("unreadable", 2)
    assert "UTF-8" in error.message


def test_mojibake_is_found_with_its_line_and_repair() -> None:
    spec = parse(
        "---\nname: a\ndescription: b\n---\nNever\u00e2\u20ac\u201dever.\nO(n\u00c2\u00b2)\n"
    )
    found = [(d.line, d.fix) for d in spec.diagnostics if d.code == "mojibake"]
    assert found == [(5, "Never\u2014ever."), (6, "O(n\u00b2)")]


def test_legitimate_punctuation_and_accents_are_not_mojibake() -> None:
    spec = parse(
        "---\nname: a\ndescription: b\n---\n"
        "If you\u2019re unsure \u2013 ask. Caf\u00e9, na\u00efve, \u00c9cole, d\u00e9j\u00e0 vu.\n"
    )
    assert spec.diagnostics == ()


def test_content_hash_changes_with_content() -> None:
    first = parse("---\nname: a\ndescription: b\n---\nx\n")
    second = parse("---\nname: a\ndescription: b\n---\ny\n")
    assert len(first.content_hash) == 64
    assert first.content_hash != second.content_hash


def test_huge_file_parses() -> None:
    body = ("word " * 20 + "\n") * 100_000
    spec = parse("---\nname: big\ndescription: b\n---\n" + body)
    assert spec.name == "big"
    assert len(spec.body) > 10_000_000


def test_a_list_or_mapping_where_text_belongs_is_named_at_its_line() -> None:
    spec = parse(
        "---\nname: [planner, helper]\ndescription: {when: planning}\nmodel: [sonnet]\n"
        "color:\n  - blue\npermissionMode: {mode: plan}\n---\nBody.\n"
    )
    found = {(d.code, d.line, d.severity): d.message for d in spec.diagnostics}
    assert found == {
        (
            "missing-name",
            2,
            Severity.ERROR,
        ): "`name` is a list, not text: Claude Code skips the file",
        ("missing-description", 3, Severity.ERROR): "`description` is a mapping, not text: "
        "Claude Code cannot tell when to use this agent and skips it",
        ("unknown-model", 4, Severity.WARNING): "`model` is a list, not text, so it is ignored",
        ("unknown-color", 5, Severity.WARNING): "`color` is a list, not text, so it is ignored",
        ("unknown-permission-mode", 7, Severity.WARNING): "`permissionMode` is a mapping, not "
        "text, so it is ignored",
    }
    assert (spec.name, spec.description, spec.model, spec.color) == (None, None, None, None)


@pytest.mark.parametrize(
    "frontmatter",
    [
        "name: a\ndescription: plain text\ntools: Read, Grep",
        "name: 'quoted'\ndescription: \"with \\\\n escape\\tand tab\"\nmodel: sonnet",
        "name: a\nmaxTurns: 12\nbackground: true\neffort: 0.5\nmemory: null\nwhen: 2024-05-01",
        "name: a\ntools:\n  - Read\n  - Grep\nhooks:\n  Stop:\n    - command: echo 1",
        "name: &n shared\ndescription: *n\nskills: [a, b]",
        "base: &b {model: opus}\n<<: *b\nname: merged\ndescription: d",
        "name: first\nname: second\ndescription: d",
        "name: a\n1: number key\nyes: bool key\ndescription: d",
        "name: !!str 123\ndescription: |\n  block\n  text\ncolor: !!binary aGk=",
    ],
)
def test_frontmatter_values_are_what_yaml_reads(frontmatter: str) -> None:
    """Text is taken straight from the YAML nodes for speed; every value, text or not,
    must still be exactly what a YAML loader gives."""
    spec = parse(f"---\n{frontmatter}\n---\nbody\n")
    expected = {str(key): value for key, value in yaml.safe_load(frontmatter).items()}
    assert spec.yaml_valid
    assert dict(spec.fields) == expected
    assert [key for key, _ in spec.fields] == list(expected)


@pytest.mark.parametrize(
    "value",
    [
        "plain words, with commas [and] {braces}",
        "C# and F#, a:b, x-y, 'quoted' inside, trailing dot.",
        "Ünïcödé — “quotes” and emoji 🚀",
        "yes", "No", "TRUE", "off", "On", "null", "Null", "nulls", "yess", "oN",
        "~", "1.5", "0x1F", "2024-05-01", "+1", "-a", ".inf", "=", "<<",
        "a: b", "a #b", "a#b", "ends:", "ends ", "tab\there", "nb\xa0sp",
        "@at", "`tick", "!tag", "&anchor", "*alias", "|", ">", "%", "?", "'", '"',
        "k" * 1024, "k" * 1025,
    ],
)  # fmt: skip
def test_one_line_values_read_as_yaml_reads_them(value: str) -> None:
    """Most files are read without YAML; every value must still come out as YAML gives
    it, or, when YAML refuses the file, be read leniently with a warning."""
    for front in (f"name: a\ndescription: {value}", f"name: a\n{value.strip() or 'x'}: d"):
        spec = parse(f"---\n{front}\n---\nbody\n")
        try:
            expected = yaml.load(front, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except yaml.YAMLError:
            assert not spec.yaml_valid
            assert "yaml-invalid" in codes(spec)
            continue
        assert spec.yaml_valid
        if isinstance(expected, dict):
            assert dict(spec.fields) == {str(key): v for key, v in expected.items()}
