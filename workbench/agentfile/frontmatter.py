"""Finding the frontmatter of an agent file and reading it, strictly or leniently.

Real agent files are often not valid YAML (an unquoted description containing `: ` is the
common case), yet Claude Code and its users treat them as agents. So there are two readers:
the strict one (PyYAML, C loader when present) and a lenient one that recognises the
top-level keys line by line without inventing keys from description text.

PyYAML is imported on first use, not with this module: a launch that finds every file's
parse kept from an earlier one (`workbench.parsed_files`) never needs it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any

from workbench.agentfile.spec import KeySpan

if TYPE_CHECKING:
    import yaml


@cache
def _loader() -> type[yaml.CSafeLoader] | type[yaml.SafeLoader]:
    """libyaml's loader is about ten times faster; PyYAML is sometimes built without it."""
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str) -> Any:
    """`yaml.safe_load`, through libyaml when PyYAML has it."""
    import yaml

    return yaml.load(text, Loader=_loader())


_DASHES = re.compile(r"-{3,}[ \t\r]*$")
_OPENING = re.compile(r"^---[ \t]*$")
_KEY = re.compile(r"^([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*:(?:[ \t]|$)")

KNOWN_KEYS = frozenset(
    {
        "name",
        "description",
        "tools",
        "disallowedTools",
        "model",
        "color",
        "permissionMode",
        "maxTurns",
        "skills",
        "mcpServers",
        "hooks",
        "memory",
        "background",
        "effort",
        "isolation",
        "initialPrompt",
    }
)
"""Claude Code's documented frontmatter keys: always a new field, wherever they appear."""

_TEXT_KEYS = frozenset({"name", "description", "tools", "disallowedTools", "model", "color"})
_YAML_INDICATORS = frozenset("'\"[]{}|>&*!%@`#,?-:")

_DIALOGUE_LABELS = frozenset(
    {
        "user",
        "assistant",
        "human",
        "ai",
        "context",
        "commentary",
        "example",
        "examples",
        "note",
        "system",
        "response",
        "input",
        "output",
        "question",
        "answer",
        "task",
        "result",
    }
)
"""Words that start lines inside `<example>` blocks; never keys when the YAML is broken."""


@dataclass(frozen=True)
class Split:
    """An agent file cut into frontmatter and body, line endings normalised to `\n`."""

    opened: bool
    closed: bool
    text: str
    """The frontmatter between the delimiter lines, without its final line break."""
    first_line: int
    """File line number of the frontmatter's first line."""
    body: str
    body_line: int

    @cached_property
    def lines(self) -> tuple[str, ...]:
        return tuple(self.text.split("\n")) if self.text else ()


def split(text: str) -> Split:
    """Cut at the first line of three or more dashes after the opening `---`.

    A long run of dashes closes the frontmatter too: real files do that, and a search for
    exactly `---` would run on into the body's horizontal rules.
    """
    first_end = text.find("\n")
    first = text if first_end == -1 else text[:first_end]
    if not _OPENING.match(first.rstrip("\r")):
        return Split(False, False, "", 1, text, 1)
    if first_end == -1:
        return Split(True, False, "", 2, "", 2)
    closing = _closing_line(text, first_end)
    if closing is None:
        front = _normalised(text[first_end + 1 :])
        return Split(True, False, front, 2, "", front.count("\n") + 3)
    start, end = closing
    front = _normalised(text[first_end + 1 : start])
    body = _normalised(text[end + 1 :], keep_final=True)
    lines = front.count("\n") + 1 if front or start > first_end + 1 else 0
    return Split(True, True, front, 2, body, lines + 3)


def _closing_line(text: str, newline_at: int) -> tuple[int, int] | None:
    """Start and end offsets of the first all-dashes line after offset `newline_at`."""
    while True:
        found = text.find("\n---", newline_at)
        if found == -1:
            return None
        end = text.find("\n", found + 1)
        if end == -1:
            end = len(text)
        if _DASHES.match(text, found + 1, end):
            return found + 1, end
        newline_at = found + 1


def _normalised(text: str, *, keep_final: bool = False) -> str:
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    if not keep_final and text.endswith("\n"):
        text = text[:-1]
    return text


class NotAMapping(ValueError):
    """The frontmatter parsed, but to something other than key/value pairs."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


@dataclass(frozen=True)
class Reading:
    fields: tuple[tuple[str, Any], ...]
    spans: tuple[KeySpan, ...]


_PLAIN_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*): ([^-?:,\[\]{}#&*!|>'\"%@`+.0-9~<=\s].*)")
"""`key: value`, the value starting with nothing YAML gives a meaning: no indicator, no
digit or sign (numbers, dates), no `~` (null)."""
_NOT_TEXT = frozenset(
    form
    for word in ("yes", "no", "true", "false", "on", "off", "null")
    for form in (word, word.title(), word.upper())
)
"""What YAML 1.1 reads as true, false or null, in the three spellings it knows."""
_LONGEST_KEY = 1024
"""YAML refuses a longer key written on one line."""


def read_plain(cut: Split) -> Reading | None:
    """The frontmatter read without YAML, when every line is a `key: value` that YAML can
    only read as that same text; None when any line is anything else.

    Most agent files are written so (two thirds of the corpus), and this reads them in a
    fraction of the time YAML takes. Whatever could mean something else to YAML is left to
    it: a second `: ` or a ` #` (a comment) in the value, a colon or space at its end, tabs,
    characters YAML refuses, overlong keys, and the words YAML reads as true, false or null.
    """
    fields: dict[str, str] = {}
    spans = []
    for number, line in enumerate(cut.lines, cut.first_line):
        match = _PLAIN_LINE.fullmatch(line)
        if match is None:
            return None
        key, value = match.groups()
        if (
            value[-1] in " :"
            or ": " in value
            or " #" in value
            or "\t" in value
            or not value.isprintable()
            or value in _NOT_TEXT
            or key in _NOT_TEXT
            or len(key) > _LONGEST_KEY
        ):
            return None
        fields[key] = value
        spans.append(KeySpan(key, number, number))
    if not spans:
        return None
    return Reading(tuple(fields.items()), tuple(spans))


def read_strict(cut: Split) -> Reading:
    """Parse with YAML; raises `yaml.YAMLError` or `NotAMapping`.

    Composing and constructing through one loader gives the values and each key's
    line span from a single pass over the text.
    """
    import yaml

    loader = _loader()(cut.text)
    try:
        node = loader.get_single_node()
        if node is None:
            return Reading((), ())
        if not isinstance(node, yaml.MappingNode):
            raise NotAMapping("a list" if isinstance(node, yaml.SequenceNode) else "a single value")
        data = _construct(loader, node)
    finally:
        loader.dispose()
    spans = []
    first_line = cut.first_line
    for key_node, value_node in node.value:
        start = key_node.start_mark.line
        end = value_node.end_mark.line
        if end > start:
            if value_node.end_mark.column == 0:
                end -= 1
            lines = cut.lines
            while end > start and not lines[end].strip():
                end -= 1
        spans.append(KeySpan(str(key_node.value), start + first_line, end + first_line))
    return Reading(tuple((str(k), v) for k, v in data.items()), tuple(spans))


_STR = "tag:yaml.org,2002:str"


def _construct(
    loader: yaml.CSafeLoader | yaml.SafeLoader, node: yaml.MappingNode
) -> dict[Any, Any]:
    """What `construct_document` gives for a mapping, with text taken straight from its nodes.

    Almost every key and value of a frontmatter is text, and the constructor would make
    each into the same string through a chain of Python calls that costs as much as
    parsing. Other values are left to the constructor; a mapping whose keys are not all
    text (`<<` merges, numbers) is left to it whole.
    """
    import yaml

    if not all(isinstance(key, yaml.ScalarNode) and key.tag == _STR for key, _ in node.value):
        data: dict[Any, Any] = loader.construct_document(node)
        return data
    return {
        key.value: value.value
        if isinstance(value, yaml.ScalarNode) and value.tag == _STR
        else loader.construct_document(value)
        for key, value in node.value
    }


def yaml_problem(error: yaml.YAMLError, first_line: int) -> tuple[int, str]:
    """The file line and a short description of what YAML objected to."""
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    line = mark.line + first_line if mark is not None else first_line
    return line, problem


def read_lenient(cut: Split) -> Reading:
    """Recover top-level keys line by line.

    A column-0 `key:` line starts a field when the key is one Claude Code knows, or when it
    is some other identifier that is not a dialogue label and we are not inside an open
    `<example>` block. Everything else continues the field before it.
    """
    lines, first_line = cut.lines, cut.first_line
    entries: list[tuple[str, int, list[str]]] = []
    for index, line in enumerate(lines):
        match = _KEY.match(line)
        if match and _starts_field(match.group(1), entries):
            entries.append((match.group(1), index, [line]))
        elif entries:
            entries[-1][2].append(line)
    fields: list[tuple[str, Any]] = []
    spans: list[KeySpan] = []
    for key, index, chunk in entries:
        end = index + len(chunk) - 1
        while end > index and not lines[end].strip():
            end -= 1
        fields.append((key, _lenient_value(key, chunk[: end - index + 1])))
        spans.append(KeySpan(key, index + first_line, end + first_line))
    return Reading(tuple(fields), tuple(spans))


def _starts_field(key: str, entries: list[tuple[str, int, list[str]]]) -> bool:
    if key in KNOWN_KEYS:
        return True
    if key.lower() in _DIALOGUE_LABELS or not key[0].islower():
        return False
    if entries:
        text = "\n".join(entries[-1][2])
        if text.count("<example>") > text.count("</example>"):
            return False
    return True


def _lenient_value(key: str, chunk: list[str]) -> Any:
    """The value of one field: YAML for that field alone if it parses, else its text.

    A one-line plain value of a key the workbench reads as text is taken as it stands;
    YAML would return the same string, only slower.
    """
    if len(chunk) == 1 and key in _TEXT_KEYS:
        value = chunk[0].split(":", 1)[1].strip()
        if value and value[0] not in _YAML_INDICATORS and ": " not in value and " #" not in value:
            return value
    import yaml

    try:
        parsed = safe_load("\n".join(chunk))
    except yaml.YAMLError:
        parsed = None
    else:
        if isinstance(parsed, dict) and key in parsed and len(parsed) == 1:
            return parsed[key]
    first = chunk[0].split(":", 1)[1].strip()
    rest = chunk[1:]
    if first[:1] in ("|", ">") and set(first[1:]) <= set("+-0123456789"):
        return _block_scalar(first[0], rest)
    parts = [first] if first else []
    parts.extend(line.strip() for line in rest)
    text = "\n".join(parts).strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        text = text[1:-1]
    return text


def _block_scalar(style: str, rest: list[str]) -> str:
    indents = [len(line) - len(line.lstrip()) for line in rest if line.strip()]
    cut = min(indents, default=0)
    body = [line[cut:] for line in rest]
    if style == "|":
        return "\n".join(body).strip("\n")
    return " ".join(line.strip() for line in body if line.strip())
