"""Descriptions: escape decoding and the `<example>` blocks Claude Code's generator writes.

Generated descriptions are one long line with literal `\\n` escapes; in an unquoted YAML
value those stay two characters, so a person would read `\\n\\n<example>\\nContext:` unless
we decode them.
"""

from __future__ import annotations

import re

from workbench.agentfile.spec import Example

_EXAMPLE = re.compile(r"<example>(.*?)(?:</example>|\Z)", re.DOTALL)
_TAGGED = re.compile(r"<(commentary|context)>(.*?)(?:</\1>|\Z)", re.DOTALL | re.IGNORECASE)
_LABEL = re.compile(r"^\s*(context|user|human|assistant|ai|claude)\s*:\s?(.*)$", re.IGNORECASE)
_ROLE = {"user": "user", "human": "user", "assistant": "assistant", "ai": "assistant"}
_INLINE_TURN = re.compile(
    r"(?:(?<=\S)[ \t]+|(?<=[.!?\"'”’]))(user|human|assistant)[ \t]*:[ \t]*(?=[\"'“‘])",
    re.IGNORECASE,
)
"""A turn written on the line before it (`Context: … user: "…" assistant: "…"`), as many
generated one-line examples are; only before a quote, so prose such as `the user: a
developer` stays as it is."""
_USER_REQUEST = re.compile(r"<user_request>(.*?)(?:</user_request>|\Z)", re.DOTALL | re.IGNORECASE)
"""Another generator's form of the person's turn."""


def decode_escapes(text: str) -> str:
    """`\\r\\n` and `\\n` as line breaks, `\\t` as a tab.

    Replacing in that order gives what one left-to-right pass would: no replacement
    writes a backslash, so none can make a new escape.
    """
    if "\\" not in text:
        return text
    return text.replace("\\r\\n", "\n").replace("\\n", "\n").replace("\\t", "\t")


def parse_examples(description: str) -> tuple[Example, ...]:
    return tuple(_parse_example(match.group(1)) for match in _EXAMPLE.finditer(description))


def _parse_example(block: str) -> Example:
    tagged: dict[str, list[str]] = {"commentary": [], "context": []}

    def take(match: re.Match[str]) -> str:
        tagged[match.group(1).lower()].append(match.group(2).strip())
        return ""

    rest = _TAGGED.sub(take, block)
    rest = _USER_REQUEST.sub(lambda match: f"\nuser: {match.group(1).strip()}\n", rest)
    rest = _INLINE_TURN.sub(lambda match: f"\n{match.group(1)}: ", rest)
    context = list(tagged["context"])
    turns: list[list[str]] = []
    current: list[str] | None = None
    for line in rest.splitlines():
        match = _LABEL.match(line)
        if match:
            label = match.group(1).lower()
            if label == "context":
                context.append(match.group(2))
                current = context
            else:
                turns.append([_ROLE.get(label, "assistant"), match.group(2)])
                current = turns[-1]
        elif current is not None and line.strip():
            if current is context:
                context.append(line.strip())
            else:
                current[1] += "\n" + line.strip()
    return Example(
        context=_unquote(" ".join(part.strip() for part in context if part.strip())),
        turns=tuple((role, _unquote(text)) for role, text in turns),
        commentary="\n".join(tagged["commentary"]),
    )


_QUOTES = {'"': '"', "'": "'", "“": "”", "‘": "’"}


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and _QUOTES.get(text[0]) == text[-1]:
        return text[1:-1].strip()
    return text
