"""Checks that read the prompt itself: the agents and workspace files it names.

These prompts coordinate through each other and through files (`ask @security-auditor`,
`read /docs/tasks/context.md`), and a name that does not resolve fails silently at run
time. They need the whole roster and the workspace, so they run after every file is
parsed. The same path finder tells the file watcher which files prompts name.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from workbench.agentfile.spec import AgentSpec, Diagnostic, Severity

BUILT_IN_AGENTS = frozenset(
    {
        "explore",
        "plan",
        "general-purpose",
        "claude",
        "statusline-setup",
        "claude-code-guide",
        "output-style-setup",
    }
)
"""Claude Code's own agent types (as `name_key` gives them): always there to be named."""


class PathMention(NamedTuple):
    """A workspace path as a prompt writes it, and where. A named tuple: a long prompt
    holds hundreds, and a frozen dataclass takes three times as long to make."""

    offset: int
    """Where the mention starts in the text searched."""
    written: str
    rel: str
    """Relative to the workspace root, without a leading `/` or a trailing glob."""


_PATH_IN_PROSE = re.compile(
    r"(?<![\w@:/.-])/?(?:[\w.-]+/)+[\w.*-]*|(?<![\w@:/.-])/[\w.-]+|(?<![\w/])[\w-]+\.md\b"
)
"""Slash-separated words (`/docs/tasks/context.md`, `.claude/tasks/`, `standards/*`),
root-relative names (`/standards`) and bare Markdown file names (`CLAUDE.md`); URLs and
`@scoped/names` are left alone."""

_TRAILING_GLOB = re.compile(r"/?\*[*/]*$")


def path_mentions(text: str, start: int = 0, end: int | None = None) -> Iterator[PathMention]:
    """Every workspace path `text` (or its part from `start` to `end`) names, as written.

    Prompts write workspace paths as if the workspace were the filesystem root
    (`/docs/tasks/context.md`), or relative, often with a trailing glob
    (`standards/global/*`), which stands for its folder.
    """
    stop = len(text) if end is None else end
    covered = start
    for anchor in _ANCHOR.finditer(text, start, stop):
        if anchor.start() < covered:
            continue
        run_start, covered = _run_around(text, anchor.start(), start, stop)
        for match in _PATH_IN_PROSE.finditer(text, run_start, covered):
            written = match.group()
            rel = _TRAILING_GLOB.sub("", written.rstrip(".,;:")).strip("/")
            if rel and "*" not in rel and ".." not in rel.split("/"):
                yield PathMention(match.start(), written, rel)


_ANCHOR = re.compile(r"/|\.md\b")
"""What every path contains; finding these first is many times faster than trying the
path pattern at every position of a long prompt."""
_ANCHOR_LITERALS = ("/", ".md")
_RUN_TAIL = re.compile(r"[\w.*/-]*")
_RUN_PUNCTUATION = frozenset("_.*/-")


def _run_around(text: str, at: int, low: int, high: int) -> tuple[int, int]:
    """The run of characters a path can hold (`[\\w.*/-]`) around offset `at`, within
    `low` to `high`."""
    start = at
    while start > low:
        char = text[start - 1]
        if not (char.isalnum() or char in _RUN_PUNCTUATION):
            break
        start -= 1
    tail = _RUN_TAIL.match(text, at, high)
    return start, tail.end() if tail else at


class WorkspaceFiles:
    """Whether workspace paths exist, each asked of the filesystem once per roster load."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._known: dict[str, bool] = {}

    def exists(self, rel: str) -> bool:
        found = self._known.get(rel)
        if found is None:
            try:
                found = (self.root / rel).exists()
            except OSError:
                found = False
            self._known[rel] = found
        return found


def check(
    spec: AgentSpec, agents: frozenset[str], files: WorkspaceFiles | None
) -> tuple[Diagnostic, ...]:
    """Findings about the names in `spec`'s prompt.

    `agents` holds every roster name as `name_key` gives it; `files` is None when there
    is no workspace to look in.
    """
    body = spec.body
    if not spec.is_agent or not body:
        return ()
    prompt = _Prompt(body, spec.body_line)
    found = [*_agent_references(prompt, agents)]
    if files is not None:
        found.extend(_path_references(prompt, files))
    return tuple(found)


class _Prompt:
    """A body with what the checks ask of it worked out once: fenced blocks, line numbers."""

    def __init__(self, text: str, first_line: int) -> None:
        self.text = text
        self.first_line = first_line
        self._fences: list[tuple[int, int]] | None = None
        self._offset_mark = (0, 0)
        self._line_mark = (0, 0)
        self.folded = text.encode("utf-8", "surrogatepass").lower()
        """The text as UTF-8 with ASCII letters lowercased, for the case-blind searches.

        The names and words searched for are ASCII. Lowercasing bytes touches only ASCII,
        and costs a fraction of `str.lower` on text with any other character in it, which
        is more than a quarter of real prompts; `re.I` searches are slower still.
        """

    def offset(self, at: int) -> int:
        """The text offset of byte `at` of `folded`, which must start a character.

        Asked in increasing order, each answer is counted on from the one before, so a
        prompt naming thousands of agents costs one decoding, not one each."""
        if len(self.folded) == len(self.text):
            return at
        byte, char = self._offset_mark
        if at < byte:
            byte = char = 0
        char += len(self.folded[byte:at].decode("utf-8", "surrogatepass"))
        self._offset_mark = (at, char)
        return char

    def fenced(self, offset: int) -> bool:
        """Inside a fenced block; the blocks are in order and never overlap.

        The blocks are found on the first question: most prompts name nothing that
        needs asking.
        """
        fences = self._fences
        if fences is None:
            self._fences = fences = _fences(self.text)
        index = bisect.bisect_right(fences, (offset, len(self.text) + 1)) - 1
        return index >= 0 and offset < fences[index][1]

    def line(self, offset: int) -> int:
        """The file line of `offset`; asked only for what is reported, so a count is
        cheaper than an index of every line. Asked in increasing order, as findings are
        reported, each count goes on from the one before."""
        start, breaks = self._line_mark
        if offset < start:
            start = breaks = 0
        breaks += self.text.count("\n", start, offset)
        self._line_mark = (offset, breaks)
        return self.first_line + breaks

    def line_text(self, offset: int) -> tuple[int, str]:
        """The start of the line holding `offset`, and that line."""
        start = self.text.rfind("\n", 0, offset) + 1
        end = self.text.find("\n", offset)
        return start, self.text[start : end if end != -1 else len(self.text)]


def _fences(text: str) -> list[tuple[int, int]]:
    """The offsets fenced code blocks span; an unclosed fence runs to the end."""
    found: list[tuple[int, int]] = []
    opened: tuple[int, str] | None = None
    for start, end in sorted([*_runs(text, "```"), *_runs(text, "~~~")]):
        line_start = text.rfind("\n", 0, start) + 1
        if text[line_start:start].strip(" \t"):
            continue
        if opened is None:
            opened = (line_start, text[start])
        elif text[start] == opened[1]:
            found.append((opened[0], end))
            opened = None
    if opened is not None:
        found.append((opened[0], len(text)))
    return found


def _runs(text: str, mark: str) -> list[tuple[int, int]]:
    """Where `mark` and any more of its character stand, each run once.

    Found with `str.find`, many times quicker over a long prompt than a regex that can
    start with either of two characters."""
    found = []
    at = text.find(mark)
    while at != -1:
        end = at + len(mark)
        while text.startswith(mark[0], end):
            end += 1
        found.append((at, end))
        at = text.find(mark, end)
    return found


_KEBAB = r"[a-z0-9]+(?:-[a-z0-9]+)+"
_AT_NAME = re.compile(rf"@({_KEBAB})(?![\w/@-]|[.:]\w)")
"""`@name` with at least one hyphen, not part of an email, a URL, a scoped package
(`@types/node`) or a dotted name (`@pytest.fixture`)."""
_USE_BEFORE_AGENT = re.compile(
    rf"\b(?:use|invoke|call|delegate to|hand off to|launch|spawn) (?:the )?[`'\"]?"
    rf"({_KEBAB})[`'\"]? (?:sub-?)?$".encode()
)
_ASK = re.compile(
    rf"ask (?:the )?[`'\"]?({_KEBAB})[`'\"]?(?= (?:sub-?)?agent\b| to\b| for\b| about\b"
    r"| before\b| whether\b| if\b| when\b|[.,;:!?)]|$)".encode(),
    re.M,
)
_PHRASE = re.compile(rb"a(?:gent\b|sk )")
"""`use the X agent`, `ask X` and the like, where X is kebab-case."""
_NOT_AGENTS = frozenset({"ts-ignore", "ts-expect-error", "ts-nocheck", "ts-check"})
"""Compiler directives that look like mentions."""
_PACKAGE_WORD = re.compile(r"`?\s+(?:package|packages|scope|module|modules)\b")
"""`@scope packages`: an npm scope named on its own, not an agent."""
_CODE_SPAN = re.compile(r"(`+)([^`\n]+?)\1")
_URL = re.compile(r"[a-z][a-z0-9+.-]*://\S+", re.I)
_NOT_BEFORE_AT = frozenset("_@./:+-")
"""Characters that make an `@` part of an email, a URL or a path rather than a mention."""


def _agent_references(prompt: _Prompt, agents: frozenset[str]) -> Iterator[Diagnostic]:
    text = prompt.text
    hits: list[tuple[int, str]] = []
    for match in _AT_NAME.finditer(text) if "@" in text else ():
        at = match.start()
        before = text[at - 1] if at else " "
        if before.isalnum() or before in _NOT_BEFORE_AT or prompt.fenced(at):
            continue
        if match.group(1) in _NOT_AGENTS or _PACKAGE_WORD.match(text, match.end()):
            continue
        line_start, words = prompt.line_text(at)
        if _in_url(words, at - line_start) or _in_other_code(words, at - line_start, match):
            continue
        hits.append((at, match.group(1)))
    for at, name in _phrases(prompt.folded):
        offset = prompt.offset(at)
        if not prompt.fenced(offset):
            hits.append((offset, name))
    reported: set[tuple[int, str]] = set()
    for offset, name in sorted(hits):
        if _known(name, agents):
            continue
        line = prompt.line(offset)
        if (line, name) in reported:
            continue
        reported.add((line, name))
        yield Diagnostic(
            "unknown-agent-reference",
            Severity.WARNING,
            line,
            f"the prompt names an agent {name!r} that is not in the roster; "
            "a hand-off to it would fail",
        )


def _phrases(folded: bytes) -> Iterator[tuple[int, str]]:
    """`use the X agent` and `ask X` in case-folded UTF-8, with their byte offsets.

    One pass finds where either could be, from the literal `a` they share; the pattern
    for `use the X agent`, which starts with a list of verbs, is tried only on the line
    before an `agent` that has a hyphenated word before it.
    """
    for found in _PHRASE.finditer(folded):
        at = found.start()
        if found.group() == b"ask ":
            before = folded[at - 1 : at]
            if not (before.isalnum() or before == b"_"):
                asked = _ASK.match(folded, at)
                if asked:
                    yield at, asked.group(1).decode()
            continue
        start = max(folded.rfind(b"\n", 0, at) + 1, at - 160)
        used = (
            _USE_BEFORE_AGENT.search(folded, start, at)
            if folded.find(b"-", start, at) != -1
            else None
        )
        if used:
            yield used.start(), used.group(1).decode()


def _known(name: str, agents: frozenset[str]) -> bool:
    """Claude Code's `@agent-<name>` mention form names `<name>`."""
    if name in agents or name in BUILT_IN_AGENTS:
        return True
    bare = name.removeprefix("agent-")
    return bare != name and (bare in agents or bare in BUILT_IN_AGENTS)


def _in_url(line: str, at: int) -> bool:
    return "://" in line and any(m.start() < at < m.end() for m in _URL.finditer(line))


def _in_other_code(line: str, at: int, mention: re.Match[str]) -> bool:
    """Inside a code span that holds more than the mention itself (`` `@scope/pkg` ``)."""
    if "`" not in line:
        return False
    return any(
        m.start() < at < m.end() and m.group(2).strip() != mention.group()
        for m in _CODE_SPAN.finditer(line)
    )


def _forms(*verbs: str) -> frozenset[str]:
    """Each verb with its -s, -es, -ed, -d and -ing forms (a few are not words; harmless)."""
    forms = set()
    for verb in verbs:
        stem = verb[:-1] if verb.endswith("e") else verb
        forms.update({verb, f"{verb}s", f"{verb}es", f"{verb}ed", f"{verb}d", f"{stem}ing"})
    return frozenset(forms)


_READ_VERBS = _forms(
    "read", "review", "check", "load", "consult", "open", "study", "inspect", "examine",
    "parse", "scan", "refer", "follow",
)  # fmt: skip
_WRITE_VERBS = _forms(
    "write", "wrote", "written", "save", "create", "update", "add", "append", "generate",
    "produce", "store", "output", "put", "record", "log", "place", "edit", "modify",
    "document", "overwrite", "delete", "remove", "move", "rename", "copy", "maintain",
    "keep", "mirror", "export", "commit",
)  # fmt: skip
_WORD = re.compile(r"[A-Za-z]+")
_CLAUSE_END = re.compile(r"[.!?;](?:\s|$)")
_PLACEHOLDER = re.compile(
    r"(?:[A-Z][a-z]+)+(?:Name|Id|ID|Type)(?![a-z])|\b(?:your|my|some)[-_]|XXX|xxx|YYYY|NNN|"
    r"\bpath/to\b|\bfoo\b|\bexample\b"
)
_PLACEHOLDER_EDGES = frozenset("<>{}[]$%")
_SYSTEM_ROOTS = frozenset(
    {"etc", "usr", "tmp", "dev", "proc", "var", "bin", "opt", "home", "mnt", "Users", "Volumes"}
)
"""Root folders of the machine, not of a workspace, even when a prompt writes `/tmp`."""


def _path_references(prompt: _Prompt, files: WorkspaceFiles) -> Iterator[Diagnostic]:
    for start, end in _lines_to_search(prompt):
        yield from _missing_paths(prompt, files, start, end)


_READING = (
    "read", "review", "check", "load", "consult", "open", "stud", "inspect", "examin", "pars",
    "scan", "refer", "follow",
)  # fmt: skip
"""The stems of `_READ_VERBS`: a line holding none of them cannot tell the agent to read."""
_READING_STEM = re.compile("|".join(_READING))


def _lines_to_search(prompt: _Prompt) -> list[tuple[int, int]]:
    """Start and end offsets of the lines that may name a path and hold a reading verb.

    Lines are found from what every path contains (`/`, `.md`), which few lines hold, with
    `str.find`, which is many times quicker than a regex over the whole prompt; only those
    lines are then asked for a verb and searched for paths.
    """
    text = prompt.text
    verdicts: dict[int, int] = {}
    """Each line start met, with the line's end when it holds a reading verb, else -1."""
    for literal in _ANCHOR_LITERALS:
        at = text.find(literal)
        while at != -1:
            start = text.rfind("\n", 0, at) + 1
            end = text.find("\n", at)
            end = len(text) if end == -1 else end
            if start not in verdicts:
                verdicts[start] = end if _READING_STEM.search(text[start:end].lower()) else -1
            at = text.find(literal, end)
    return sorted((start, end) for start, end in verdicts.items() if end != -1)


def _missing_paths(
    prompt: _Prompt, files: WorkspaceFiles, start: int, end: int
) -> Iterator[Diagnostic]:
    text = prompt.text
    for mention in path_mentions(text, start, end):
        at = mention.offset
        end = at + len(mention.written)
        before = text[at - 1] if at else ""
        after = text[end] if end < len(text) else ""
        if (
            before in _PLACEHOLDER_EDGES
            or after in _PLACEHOLDER_EDGES
            or mention.rel.split("/")[0] in _SYSTEM_ROOTS
            or not _looks_like_path(prompt, mention)
            or _PLACEHOLDER.search(mention.written)
            or not _told_to_read(prompt, at)
            or prompt.fenced(at)
            or files.exists(mention.rel)
        ):
            continue
        yield Diagnostic(
            "missing-path-reference",
            Severity.INFO,
            prompt.line(at),
            f"the prompt tells the agent to read {mention.written.rstrip('.,;:')!r}, "
            "which is not in the workspace",
        )


_FILE_NAME = re.compile(r"\.[A-Za-z][A-Za-z0-9]{0,7}$")
_HOST = re.compile(r"^[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}/")
"""`docs.example.com/guide`: a web address written without its scheme."""


def _looks_like_path(prompt: _Prompt, mention: PathMention) -> bool:
    """Whether a slash-separated word is a path rather than `CI/CD` or `TCP/UDP`.

    A path has a file extension, a leading `/` or `.`, or a trailing `/`, or is written as
    code; prose alternatives have none of these.
    """
    written = mention.written.rstrip(".,;:")
    if _HOST.match(written):
        return False
    if written.startswith(("/", ".")) or written.endswith("/") or _FILE_NAME.search(written):
        return True
    at = mention.offset
    return prompt.text[at - 1 : at] == "`"


def _told_to_read(prompt: _Prompt, offset: int) -> bool:
    """Whether the last verb of the clause before `offset` is one of reading.

    "Read X and update Y" reads X and writes Y; "save to X" never counts.
    """
    start, line = prompt.line_text(offset)
    clause = line[: offset - start]
    ends = list(_CLAUSE_END.finditer(clause))
    if ends:
        clause = clause[ends[-1].end() :]
    for word in reversed(_WORD.findall(clause)):
        lowered = word.lower()
        if lowered in _READ_VERBS:
            return True
        if lowered in _WRITE_VERBS:
            return False
    return False
