"""Permission modes, Claude Code's rule syntax, protected paths, settings files and grants."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, ClassVar

import pytest

from workbench.engine.decisions import Decision, Verdict
from workbench.engine.modes import Mode, parse_mode
from workbench.engine.permissions import Policy
from workbench.engine.protected import existing_protected, is_protected
from workbench.engine.read_only import is_read_only
from workbench.engine.rules import (
    Call,
    Rule,
    RuleSet,
    load_rules,
    matches,
    parse_rule,
    split_rule_list,
)
from workbench.engine.shell import parse_command
from workbench.engine.tools.base import Tool, ToolContext, ToolKind, ToolResult

ALLOW, ASK, DENY = Verdict.ALLOW, Verdict.ASK, Verdict.DENY


def make_tool(name: str, kind: ToolKind, properties: tuple[str, ...] = ()) -> Tool:
    class Fake(Tool):
        description: ClassVar[str] = "a test tool"
        input_schema: ClassVar[dict[str, Any]] = {
            "type": "object",
            "properties": {key: {"type": "string"} for key in properties},
        }

        async def run(self, tool_input: dict[str, Any], context: ToolContext) -> ToolResult:
            return ToolResult("")

    Fake.name = name
    Fake.kind = kind
    return Fake()


READ = make_tool("Read", ToolKind.READ, ("file_path",))
GREP = make_tool("Grep", ToolKind.READ, ("pattern", "path"))
WRITE = make_tool("Write", ToolKind.EDIT, ("file_path", "content"))
EDIT = make_tool("Edit", ToolKind.EDIT, ("file_path",))
MULTI_EDIT = make_tool("MultiEdit", ToolKind.EDIT, ("file_path",))
BASH = make_tool("Bash", ToolKind.SHELL, ("command", "timeout", "description"))
TODO = make_tool("TodoWrite", ToolKind.MEMO, ("todos",))
AGENT = make_tool("Agent", ToolKind.DELEGATE, ("prompt", "subagent_type", "model"))
TASK = make_tool("Task", ToolKind.DELEGATE, ("prompt", "subagent_type"))
MCP = make_tool("mcp__github__create_issue", ToolKind.READ)


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    for folder in ("docs", "src/app", "secrets", ".claude/agents", ".claude/tasks", ".git"):
        (root / folder).mkdir(parents=True)
    return Path(os.path.realpath(root))


def rules(
    allow: tuple[str, ...] = (), ask: tuple[str, ...] = (), deny: tuple[str, ...] = ()
) -> RuleSet:
    def parsed(texts: tuple[str, ...]) -> tuple[Rule, ...]:
        return tuple(parse_rule(text, ".claude/settings.json") for text in texts)

    return RuleSet(parsed(allow), parsed(ask), parsed(deny))


def policy(
    ws: Path,
    mode: Mode = Mode.DEFAULT,
    ruleset: RuleSet | None = None,
    *,
    sandboxed: bool = True,
    interactive: bool = True,
) -> Policy:
    return Policy(mode, ruleset or RuleSet(), ws, sandboxed, interactive)


def bash(p: Policy, command: str) -> Decision:
    return p.decide(BASH, {"command": command}, None)


def edit(p: Policy, ws: Path, relative: str, tool: Tool = WRITE) -> Decision:
    target = ws / relative
    return p.decide(tool, {"file_path": str(target)}, target)


# --- modes -----------------------------------------------------------------------------


def test_parse_mode_names_and_aliases() -> None:
    assert parse_mode("default") is Mode.DEFAULT
    assert parse_mode("manual") is Mode.DEFAULT
    assert parse_mode("acceptEdits") is Mode.ACCEPT_EDITS
    assert parse_mode("plan") is Mode.PLAN
    assert parse_mode("dontAsk") is Mode.DONT_ASK
    assert parse_mode("bypassPermissions") is Mode.BYPASS


def test_parse_mode_refuses_auto_and_unknown() -> None:
    with pytest.raises(ValueError, match="classifier"):
        parse_mode("auto")
    with pytest.raises(ValueError, match="unknown permission mode"):
        parse_mode("yolo")


def by_mode(*verdicts: Verdict) -> dict[str, Verdict]:
    return dict(zip([mode.value for mode in Mode], verdicts, strict=True))


MATRIX = [
    # tool, input, target relative to the workspace, verdicts in default, acceptEdits,
    # plan, dontAsk and bypassPermissions
    (READ, {}, "src/app/main.py", by_mode(ALLOW, ALLOW, ALLOW, ALLOW, ALLOW)),
    (TODO, {"todos": []}, None, by_mode(ALLOW, ALLOW, ALLOW, ALLOW, ALLOW)),
    (WRITE, {}, "docs/a.md", by_mode(ASK, ALLOW, DENY, DENY, ALLOW)),
    (MULTI_EDIT, {}, "docs/a.md", by_mode(ASK, ALLOW, DENY, DENY, ALLOW)),
    (BASH, {"command": "npm install"}, None, by_mode(ASK, ASK, DENY, DENY, ALLOW)),
    (BASH, {"command": "ls -la src"}, None, by_mode(ALLOW, ALLOW, ALLOW, DENY, ALLOW)),
    (
        AGENT,
        {"prompt": "x", "subagent_type": "helper"},
        None,
        by_mode(ALLOW, ALLOW, ALLOW, ALLOW, ALLOW),
    ),
]


@pytest.mark.parametrize("mode", list(Mode))
@pytest.mark.parametrize(("tool", "tool_input", "relative", "expected"), MATRIX)
def test_modes_by_tool_kind(
    ws: Path,
    mode: Mode,
    tool: Tool,
    tool_input: dict[str, Any],
    relative: str | None,
    expected: dict[str, Verdict],
) -> None:
    target = ws / relative if relative else None
    decision = policy(ws, mode).decide(tool, tool_input, target)
    assert decision.verdict is expected[mode.value], decision.reason


@pytest.mark.parametrize(
    ("mode", "verdict"),
    [
        (Mode.DEFAULT, ASK),
        (Mode.ACCEPT_EDITS, ASK),
        (Mode.PLAN, ASK),
        (Mode.DONT_ASK, DENY),
        (Mode.BYPASS, ALLOW),
    ],
)
def test_unsandboxed_bash_asks_even_for_read_only_commands(
    ws: Path, mode: Mode, verdict: Verdict
) -> None:
    decision = bash(policy(ws, mode, sandboxed=False), "ls -la")
    assert decision.verdict is verdict
    if verdict is ASK:
        assert "sandbox" in decision.reason


def test_unsandboxed_allow_rule_still_allows(ws: Path) -> None:
    p = policy(ws, ruleset=rules(allow=("Bash(npm test *)",)), sandboxed=False)
    assert bash(p, "npm test").verdict is ALLOW
    dont_ask = policy(ws, Mode.DONT_ASK, rules(allow=("Bash(npm test *)",)), sandboxed=False)
    assert bash(dont_ask, "npm test").verdict is ALLOW
    assert bash(dont_ask, "npm run build").verdict is DENY


def test_plan_refusal_tells_the_model_it_is_in_plan_mode(ws: Path) -> None:
    decision = edit(policy(ws, Mode.PLAN), ws, "docs/a.md")
    assert decision.verdict is DENY
    assert "plan mode" in decision.reason
    assert "not change anything" in decision.reason
    assert bash(policy(ws, Mode.PLAN), "rm -rf docs").verdict is DENY


def test_plan_mode_ignores_allow_rules_for_changes(ws: Path) -> None:
    p = policy(ws, Mode.PLAN, rules(allow=("Edit", "Bash(npm test *)")))
    assert edit(p, ws, "docs/a.md").verdict is DENY
    assert bash(p, "npm test").verdict is DENY


def test_accept_edits_asks_outside_the_workspace(ws: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere" / "x.txt"
    decision = policy(ws, Mode.ACCEPT_EDITS).decide(WRITE, {}, outside)
    assert decision.verdict is ASK
    granted = Policy(
        Mode.ACCEPT_EDITS, RuleSet(), ws, True, True, granted=(tmp_path / "elsewhere",)
    )
    assert granted.decide(WRITE, {}, outside).verdict is ALLOW


# --- rule syntax -----------------------------------------------------------------------


def test_parse_rule_forms() -> None:
    assert parse_rule("Bash", "f") == Rule("Bash", None, "f")
    assert parse_rule(" Bash(npm run test:*) ", "f") == Rule("Bash", "npm run test:*", "f")
    assert parse_rule("Edit(/src/**/*.ts)", "f").specifier == "/src/**/*.ts"
    assert parse_rule("WebFetch(domain:example.com)", "f").specifier == "domain:example.com"
    assert parse_rule("mcp__server__tool", "f").tool == "mcp__server__tool"
    assert parse_rule("Bash(echo (hi))", "f").specifier == "echo (hi)"
    assert str(parse_rule("Agent(Explore)", "f")) == "Agent(Explore)"


@pytest.mark.parametrize("text", ["", "Bash(", "Bash()", "(ls)", "Bash(ls) extra", "1Tool"])
def test_parse_rule_rejects_malformed(text: str) -> None:
    with pytest.raises(ValueError):
        parse_rule(text, "f")


def test_flag_values_split_on_commas_and_spaces_outside_parentheses() -> None:
    assert split_rule_list("Read,Edit Bash(npm run test *)") == [
        "Read",
        "Edit",
        "Bash(npm run test *)",
    ]


def test_legacy_suffix_is_a_trailing_wildcard(ws: Path) -> None:
    p = policy(ws, ruleset=rules(allow=("Bash(npm run test:*)",)))
    assert bash(p, "npm run test").verdict is ALLOW
    assert bash(p, "npm run test -- -k parser").verdict is ALLOW
    assert bash(p, "npm run testing").verdict is ASK
    assert bash(p, "npm run build").verdict is ASK


def test_space_before_trailing_star_is_a_word_boundary(ws: Path) -> None:
    p = policy(ws, ruleset=rules(allow=("Bash(ls *)",)), sandboxed=False)
    assert bash(p, "ls -la").verdict is ALLOW
    assert bash(p, "ls").verdict is ALLOW
    assert bash(p, "lsof").verdict is ASK


def test_star_anywhere(ws: Path) -> None:
    p = policy(ws, ruleset=rules(allow=("Bash(git * main)", "Bash(* --version)")))
    assert bash(p, "git checkout main").verdict is ALLOW
    assert bash(p, "git merge main").verdict is ALLOW
    assert bash(p, "git checkout dev").verdict is ASK
    assert bash(p, "node --version").verdict is ALLOW


def test_compound_commands_match_per_subcommand(ws: Path) -> None:
    p = policy(ws, ruleset=rules(allow=("Bash(npm test *)", "Bash(npm run lint *)")))
    assert bash(p, "npm test && npm run lint").verdict is ALLOW
    assert bash(p, "npm test && ls -la").verdict is ALLOW  # ls: read-only, sandboxed
    for joined in ("&&", "||", ";", "|", "&", "\n"):
        assert bash(p, f"npm test {joined} rm -rf docs").verdict is ASK, joined


def test_quoted_operators_do_not_split(ws: Path) -> None:
    p = policy(ws, ruleset=rules(allow=("Bash(git commit *)",)))
    assert bash(p, 'git commit -m "fix: a && b; c"').verdict is ALLOW


def test_wrappers_are_stripped(ws: Path) -> None:
    p = policy(ws, ruleset=rules(allow=("Bash(npm test *)",), deny=("Bash(rm *)",)))
    for wrapped in (
        "timeout 10 npm test",
        "timeout -s KILL 5m npm test",
        "time npm test",
        "nice -n 5 npm test",
        "nohup npm test",
        "stdbuf -oL npm test",
        "command npm test",
        "builtin npm test",
    ):
        assert bash(p, wrapped).verdict is ALLOW, wrapped
    assert bash(p, "nohup rm -rf docs").verdict is DENY
    assert bash(p, "timeout 5 nice rm -rf docs").verdict is DENY


def test_deny_rules_see_through_assignments_and_substitutions(ws: Path) -> None:
    p = policy(ws, Mode.BYPASS, rules(deny=("Bash(rm *)",)))
    assert bash(p, "FOO=1 rm -rf docs").verdict is DENY
    assert bash(p, "echo $(rm -rf docs)").verdict is DENY
    assert bash(p, "echo `rm -rf docs`").verdict is DENY
    assert bash(p, "if true; then rm -rf docs; fi").verdict is DENY
    assert bash(p, "find . -name '*.tmp' | xargs rm").verdict is DENY
    assert bash(p, "echo rm").verdict is ALLOW


def test_allow_rules_do_not_cover_assignments_substitution_or_file_output(ws: Path) -> None:
    p = policy(ws, ruleset=rules(allow=("Bash(npm test *)", "Bash(echo *)")))
    assert bash(p, "FOO=1 npm test").verdict is ASK
    assert bash(p, "echo $(curl example.com)").verdict is ASK
    assert bash(p, "echo hi > ~/.bashrc").verdict is ASK
    assert bash(p, "echo hi 2>/dev/null").verdict is ALLOW
    assert bash(p, "npm test 2>&1").verdict is ALLOW


def test_blanket_bash_rule_allows_anything(ws: Path) -> None:
    for text in ("Bash", "Bash(*)"):
        p = policy(ws, ruleset=rules(allow=(text,)))
        assert bash(p, "echo $(date) > out.txt && rm -rf build").verdict is ALLOW


def test_deny_beats_ask_beats_allow(ws: Path) -> None:
    both = rules(allow=("Bash(git *)",), ask=("Bash(git push *)",))
    assert bash(policy(ws, ruleset=both), "git push origin").verdict is ASK
    assert bash(policy(ws, ruleset=both), "git commit -m x").verdict is ALLOW
    all_three = rules(allow=("Bash(git *)",), ask=("Bash(git push *)",), deny=("Bash(git push *)",))
    decision = bash(policy(ws, Mode.BYPASS, all_three), "git push origin")
    assert decision.verdict is DENY
    assert decision.rule == Rule("Bash", "git push *", ".claude/settings.json")
    assert "Bash(git push *)" in decision.reason and ".claude/settings.json" in decision.reason
    ask_and_allow = rules(allow=("Edit",), ask=("Edit(docs/**)",))
    assert edit(policy(ws, Mode.ACCEPT_EDITS, ask_and_allow), ws, "docs/a.md").verdict is ASK


def test_ask_rules_ask_even_in_bypass_mode(ws: Path) -> None:
    p = policy(ws, Mode.BYPASS, rules(ask=("Bash(git push *)",)))
    assert bash(p, "git push").verdict is ASK


def test_edit_rules_cover_write_edit_and_multiedit(ws: Path) -> None:
    p = policy(ws, ruleset=rules(allow=("Edit(docs/**)",)))
    for tool in (WRITE, EDIT, MULTI_EDIT):
        assert edit(p, ws, "docs/deep/a.md", tool).verdict is ALLOW, tool.name
    assert edit(p, ws, "src/app/main.py").verdict is ASK
    assert policy(ws, ruleset=rules(allow=("Edit",))).decide(WRITE, {}, ws / "x").verdict is ALLOW


def test_anchored_and_double_star_paths(ws: Path) -> None:
    p = policy(ws, ruleset=rules(allow=("Edit(/src/**/*.ts)",)))
    assert edit(p, ws, "src/app/a.ts").verdict is ALLOW
    assert edit(p, ws, "src/a.ts").verdict is ALLOW
    assert edit(p, ws, "src/app/a.js").verdict is ASK
    assert edit(p, ws, "lib/src/a.ts").verdict is ASK


def test_read_rules_cover_grep_and_a_read_deny_blocks_edits(ws: Path) -> None:
    p = policy(ws, Mode.BYPASS, rules(deny=("Read(./secrets/**)",)))
    key = ws / "secrets" / "key.pem"
    assert p.decide(READ, {"file_path": str(key)}, key).verdict is DENY
    assert p.decide(GREP, {"pattern": "x"}, ws / "secrets").verdict is DENY
    assert edit(p, ws, "secrets/key.pem").verdict is DENY
    assert p.decide(READ, {}, ws / "docs" / "a.md").verdict is ALLOW
    assert p.read_denied(key) is not None and p.read_denied(ws / "docs") is None


def test_bare_names_match_at_any_depth(ws: Path) -> None:
    p = policy(ws, ruleset=rules(deny=("Read(.env)", "Read(*.pem)")))
    assert p.decide(READ, {}, ws / ".env").verdict is DENY
    assert p.decide(READ, {}, ws / "src" / "app" / ".env").verdict is DENY
    assert p.decide(READ, {}, ws / "deep" / "er" / "id.pem").verdict is DENY
    assert p.decide(READ, {}, ws / ".envrc").verdict is ALLOW


def test_absolute_and_home_paths(ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    p = policy(ws, ruleset=rules(deny=("Read(~/.ssh/**)", f"Read(/{tmp_path}/outside/**)")))
    assert p.decide(READ, {}, home / ".ssh" / "id_ed25519").verdict is DENY
    assert p.decide(READ, {}, home / "notes.txt").verdict is ALLOW
    assert p.decide(READ, {}, tmp_path / "outside" / "x").verdict is DENY
    # `/path` is relative to the workspace, not the filesystem root
    anchored = policy(ws, ruleset=rules(deny=("Read(/docs/**)",)))
    assert anchored.decide(READ, {}, ws / "docs" / "a.md").verdict is DENY


def test_web_fetch_domains_and_subdomains(ws: Path) -> None:
    exact = parse_rule("WebFetch(domain:example.com)", "f")
    wildcard = parse_rule("WebFetch(domain:*.example.com)", "f")

    def call(url: str) -> Call:
        return Call("WebFetch", {"url": url}, None)

    assert matches(exact, call("https://example.com/a"), ws)
    assert not matches(exact, call("https://docs.example.com/a"), ws)
    assert matches(wildcard, call("https://docs.example.com/a"), ws)
    assert not matches(wildcard, call("https://notexample.com/"), ws)


def test_mcp_rules(ws: Path) -> None:
    for text in ("mcp__github", "mcp__github__*", "mcp__github__create_issue"):
        assert policy(ws, ruleset=rules(deny=(text,))).decide(MCP, {}, None).verdict is DENY
    other = policy(ws, ruleset=rules(deny=("mcp__gitlab", "mcp__github__delete_repo")))
    assert other.decide(MCP, {}, None).verdict is ALLOW


def test_agent_rules_match_subagent_type_and_task_alias(ws: Path) -> None:
    p = policy(ws, ruleset=rules(deny=("Agent(Explore)",), ask=("Task(model:opus)",)))
    assert p.decide(AGENT, {"subagent_type": "Explore"}, None).verdict is DENY
    assert p.decide(TASK, {"subagent_type": "Explore"}, None).verdict is DENY
    assert p.decide(AGENT, {"subagent_type": "helper", "model": "opus"}, None).verdict is ASK
    assert p.decide(AGENT, {"subagent_type": "helper"}, None).verdict is ALLOW
    assert p.tool_removed("Agent") is None
    assert policy(ws, ruleset=rules(deny=("Task",))).tool_removed("Agent") is not None
    assert policy(ws, ruleset=rules(deny=("Bash(*)",))).tool_removed("Bash") is not None
    assert policy(ws, ruleset=rules(deny=("Bash(rm *)",))).tool_removed("Bash") is None


# --- the read-only command set ---------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        "ls -la",
        "cat README.md | head -n 5",
        "grep -rn TODO src 2>/dev/null",
        "rg -l parser",
        "find . -name '*.py' -type f",
        "git status",
        "git log --oneline -5",
        "git -C sub diff HEAD~1",
        "git show HEAD:README.md",
        "git branch -a",
        "git branch --list 'feat/*'",
        "wc -l src/*.py && pwd",
        "timeout 5 tail -n 20 log.txt",
        "echo done",
        "cd src && ls",
    ],
)
def test_read_only_commands(command: str) -> None:
    parsed = parse_command(command)
    assert parsed.complete and not parsed.substitution
    assert all(is_read_only(sub) for sub in parsed.parts), command


@pytest.mark.parametrize(
    "command",
    [
        "find . -delete",
        "find . -name x -exec rm {} ;",
        "find . -fprint out.txt",
        "git push",
        "git commit -m x",
        "git branch new-feature",
        "git branch -D old",
        "git -c core.pager=evil log",
        "git diff --output=patch.txt",
        "git tag v1",
        "sort -o out.txt in.txt",
        "rg --pre ./script x",
        "ls > listing.txt",
        "LD_PRELOAD=/tmp/x.so ls",
        "./ls",
        "sed -i s/a/b/ f",
        "rm -rf build",
        "env rm x",
    ],
)
def test_not_read_only(command: str) -> None:
    parsed = parse_command(command)
    assert not all(is_read_only(sub) for sub in parsed.parts), command


def test_read_only_set_needs_no_substitution(ws: Path) -> None:
    assert bash(policy(ws), "echo $(whoami)").verdict is ASK
    assert bash(policy(ws), "cat <(ls)").verdict is ASK
    assert bash(policy(ws), "ls 'unclosed").verdict is ASK


# --- protected paths -------------------------------------------------------------------


@pytest.mark.parametrize(
    "relative",
    [
        ".claude/settings.json",
        ".claude/settings.local.json",
        ".claude/settings.team.json",
        ".claude/agents/x.md",
        ".claude/agents",
        ".claude/hooks/pre.sh",
        ".claude/skills/s/SKILL.md",
        ".mcp.json",
        ".git/config",
        ".git/hooks/pre-commit",
        ".workbench/runs/1.jsonl",
    ],
)
def test_protected(ws: Path, relative: str) -> None:
    assert is_protected(ws / relative, ws)


@pytest.mark.parametrize(
    "relative",
    [".claude/tasks/t.md", ".claude/docs/plan.md", ".gitignore", ".github/x.yml", "docs/.git.md"],
)
def test_not_protected(ws: Path, relative: str) -> None:
    assert not is_protected(ws / relative, ws)


def test_protected_through_a_symlink(ws: Path) -> None:
    (ws / "docs" / "agents").symlink_to(ws / ".claude" / "agents")
    assert is_protected(Path(os.path.realpath(ws / "docs" / "agents" / "x.md")), ws)
    (ws / "notes").mkdir()
    (ws / ".claude" / "hooks").symlink_to(ws / "notes")
    assert is_protected(ws / ".claude" / "hooks" / "x.sh", ws)


def test_existing_protected(ws: Path) -> None:
    (ws / ".claude" / "settings.json").write_text("{}")
    found = {path.relative_to(ws).as_posix() for path in existing_protected(ws)}
    assert found == {".claude/settings.json", ".claude/agents", ".git"}


@pytest.mark.parametrize(
    ("mode", "interactive", "verdict"),
    [
        (Mode.DEFAULT, True, ASK),
        (Mode.ACCEPT_EDITS, True, ASK),
        (Mode.PLAN, True, DENY),
        (Mode.DONT_ASK, True, DENY),
        (Mode.BYPASS, True, ALLOW),
        (Mode.DEFAULT, False, DENY),
        (Mode.ACCEPT_EDITS, False, DENY),
        (Mode.BYPASS, False, ALLOW),
    ],
)
def test_protected_paths_per_mode_even_with_allow_rules(
    ws: Path, mode: Mode, interactive: bool, verdict: Verdict
) -> None:
    p = policy(ws, mode, rules(allow=("Edit", "Write")), interactive=interactive)
    p.grant_tool("Write")
    decision = edit(p, ws, ".claude/agents/new.md")
    assert decision.verdict is verdict, decision.reason
    if verdict is DENY and mode is not Mode.PLAN:
        assert "protected" in decision.reason
        assert decision.hint is not None and "bypassPermissions" in decision.hint


def test_claude_tasks_and_docs_are_ordinary_workspace(ws: Path) -> None:
    p = policy(ws, Mode.ACCEPT_EDITS, interactive=False)
    assert edit(p, ws, ".claude/tasks/context_session_1.md").verdict is ALLOW
    assert edit(p, ws, ".claude/docs/offchain-plan.md").verdict is ALLOW


def test_deny_rule_beats_bypass_on_protected(ws: Path) -> None:
    p = policy(ws, Mode.BYPASS, rules(deny=("Edit(.git/**)",)))
    assert edit(p, ws, ".git/config").verdict is DENY


# --- headless --------------------------------------------------------------------------


def test_headless_edit_names_the_mode_and_rule(ws: Path) -> None:
    decision = edit(policy(ws, interactive=False), ws, "docs/guide/a.md")
    assert decision.verdict is DENY
    assert "headless" in decision.reason
    assert decision.hint == (
        "run with --permission-mode acceptEdits, or add Edit(docs/guide/**) to "
        "permissions.allow in .claude/settings.json"
    )
    at_root = edit(policy(ws, interactive=False), ws, "NOTES.md")
    assert at_root.hint is not None and "Edit(./NOTES.md)" in at_root.hint


def test_headless_bash_names_the_flag(ws: Path) -> None:
    decision = bash(policy(ws, interactive=False), "npm test -- --watch=false")
    assert decision.verdict is DENY
    assert decision.hint is not None
    assert "--allowed-tools 'Bash(npm test:*)'" in decision.hint
    compound = bash(policy(ws, interactive=False), "ls && pytest -q && cargo build")
    assert compound.hint is not None
    assert "'Bash(pytest:*)' 'Bash(cargo build:*)'" in compound.hint
    assert "Bash(ls" not in compound.hint


def test_headless_unsandboxed_read_only_suggests_bubblewrap(ws: Path) -> None:
    decision = bash(policy(ws, interactive=False, sandboxed=False), "git status")
    assert decision.verdict is DENY
    assert decision.hint is not None and "bwrap" in decision.hint


def test_headless_ask_rule_is_named(ws: Path) -> None:
    p = policy(ws, Mode.BYPASS, rules(ask=("Read(./secrets/**)",)), interactive=False)
    decision = p.decide(READ, {}, ws / "secrets" / "a")
    assert decision.verdict is DENY
    assert decision.hint is not None and "Read(./secrets/**)" in decision.hint


def test_dont_ask_hint_names_the_allow_rule(ws: Path) -> None:
    decision = edit(policy(ws, Mode.DONT_ASK), ws, "docs/a.md")
    assert decision.verdict is DENY and "dontAsk" in decision.reason
    assert decision.hint is not None and "--allowed-tools 'Edit(docs/**)'" in decision.hint


def test_denied_reasons_tell_the_model_not_to_work_around(ws: Path) -> None:
    for decision in (
        edit(policy(ws, interactive=False), ws, "docs/a.md"),
        bash(policy(ws, ruleset=rules(deny=("Bash(curl *)",))), "curl x"),
    ):
        assert decision.reason.startswith("Permission denied")
        assert "Do not retry" in decision.reason


# --- settings files --------------------------------------------------------------------


def write_settings(ws: Path, name: str, data: object) -> None:
    text = data if isinstance(data, str) else json.dumps(data)
    (ws / ".claude" / name).write_text(text, encoding="utf-8")


def test_settings_files_and_flags_merge_with_sources(ws: Path) -> None:
    write_settings(
        ws,
        "settings.json",
        {"permissions": {"allow": ["Bash(npm test *)"], "deny": ["Read(./secrets/**)"]}},
    )
    write_settings(
        ws,
        "settings.local.json",
        {"permissions": {"allow": ["Edit(docs/**)"], "ask": ["Bash(git push *)"]}},
    )
    loaded = load_rules(ws, allowed=["Read,WebSearch"], disallowed=["Bash(rm *)"])
    assert loaded.problems == ()
    assert [(str(r), r.source) for r in loaded.allow] == [
        ("Bash(npm test *)", ".claude/settings.json"),
        ("Edit(docs/**)", ".claude/settings.local.json"),
        ("Read", "--allowed-tools"),
        ("WebSearch", "--allowed-tools"),
    ]
    assert [str(r) for r in loaded.ask] == ["Bash(git push *)"]
    assert [(str(r), r.source) for r in loaded.deny] == [
        ("Read(./secrets/**)", ".claude/settings.json"),
        ("Bash(rm *)", "--disallowed-tools"),
    ]


def test_no_settings_is_no_rules(ws: Path) -> None:
    assert load_rules(ws) == RuleSet()


@pytest.mark.parametrize(
    ("content", "complaint"),
    [
        ('{"permissions": {"allow": ["Bash(npm test *)",]}}', "not valid JSON (line 1"),
        ("[1, 2]", "must hold a JSON object"),
        ('{"permissions": ["Bash"]}', '"permissions" must be an object'),
        ('{"permissions": {"allow": "Bash"}}', '"permissions.allow" must be a list'),
        ('{"permissions": {"allow": ["Edit", 3]}}', '"permissions.allow[1]" must be a string'),
        ('{"permissions": {"allow": ["Edit"], "deny": ["Bash("]}}', '"permissions.deny[0]"'),
    ],
)
def test_malformed_settings_are_reported_and_ignored_entirely(
    ws: Path, content: str, complaint: str
) -> None:
    write_settings(ws, "settings.json", content)
    write_settings(ws, "settings.local.json", {"permissions": {"allow": ["Bash(make *)"]}})
    loaded = load_rules(ws)
    assert [str(rule) for rule in loaded.allow] == ["Bash(make *)"]
    assert loaded.deny == ()
    assert len(loaded.problems) == 1
    problem = loaded.problems[0]
    assert problem.startswith(".claude/settings.json: ")
    assert complaint in problem
    assert problem.endswith("none of its permission rules apply")


def test_bad_flag_rule_is_reported(ws: Path) -> None:
    loaded = load_rules(ws, allowed=["Read", "Bash("])
    assert [str(rule) for rule in loaded.allow] == ["Read"]
    assert loaded.problems[0].startswith("--allowed-tools: ")


# --- session grants --------------------------------------------------------------------


def test_grant_tool(ws: Path) -> None:
    p = policy(ws)
    assert edit(p, ws, "docs/a.md").verdict is ASK
    p.grant_tool("Write")
    assert edit(p, ws, "docs/a.md").verdict is ALLOW
    assert edit(p, ws, "docs/a.md", EDIT).verdict is ASK
    assert edit(p, ws, ".claude/agents/a.md").verdict is ASK


def test_grants_never_override_deny_rules_or_plan_mode(ws: Path) -> None:
    p = policy(ws, Mode.PLAN, rules(deny=("Bash(git push *)",)))
    p.grant_tool("Write")
    p.grant_tool("Bash")
    p.grant_bash_prefix("npm test")
    assert edit(p, ws, "docs/a.md").verdict is DENY
    assert bash(p, "npm test").verdict is DENY
    p.mode = Mode.DEFAULT
    assert bash(p, "git push").verdict is DENY
    assert bash(p, "npm test").verdict is ALLOW


def test_grant_bash_prefix(ws: Path) -> None:
    p = policy(ws, sandboxed=False)
    p.grant_bash_prefix("npm test")
    assert bash(p, "npm test").verdict is ALLOW
    assert bash(p, "npm test -- --watch=false").verdict is ALLOW
    assert bash(p, "npm testing").verdict is ASK
    assert bash(p, "npm test && rm -rf docs").verdict is ASK
    p.grant_bash_prefix("rm:*")
    assert bash(p, "npm test && rm -rf docs").verdict is ALLOW


# --- web tools -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "verdict"),
    [
        (Mode.DEFAULT, ASK),
        (Mode.ACCEPT_EDITS, ALLOW),
        (Mode.PLAN, ALLOW),
        (Mode.DONT_ASK, DENY),
        (Mode.BYPASS, ALLOW),
    ],
)
def test_web_access_by_mode(ws: Path, mode: Mode, verdict: Verdict) -> None:
    decision = policy(ws, mode).web_access({"WebSearch", "WebFetch"})
    assert decision.verdict is verdict


def test_web_access_rules_and_headless(ws: Path) -> None:
    assert policy(ws).web_access(set()).verdict is ALLOW
    allowed = policy(ws, Mode.DONT_ASK, rules(allow=("WebSearch",)))
    assert allowed.web_access({"WebSearch"}).verdict is ALLOW
    assert allowed.web_access({"WebSearch", "WebFetch"}).verdict is DENY
    denied = policy(ws, Mode.BYPASS, rules(deny=("WebFetch",)))
    assert denied.web_access({"WebFetch"}).verdict is DENY
    headless = policy(ws, interactive=False).web_access({"WebFetch"})
    assert headless.verdict is DENY
    assert headless.hint is not None and "--allowed-tools WebFetch" in headless.hint
    both = policy(ws, interactive=False).web_access({"WebFetch", "WebSearch"})
    assert "using WebSearch and WebFetch" in both.reason
    assert both.hint is not None and "--allowed-tools WebSearch,WebFetch" in both.hint
    granted = policy(ws)
    granted.grant_tool("WebSearch")
    assert granted.web_access({"WebSearch"}).verdict is ALLOW


def test_web_domains(ws: Path) -> None:
    domain_rules = rules(
        allow=("WebFetch(domain:docs.rs)", "WebFetch(domain:*.python.org)"),
        deny=("WebFetch(domain:evil.example)",),
    )
    limited = policy(ws, Mode.DEFAULT, domain_rules)
    assert limited.web_access({"WebFetch"}).verdict is ALLOW
    assert limited.web_domains() == (("docs.rs", "python.org"), ())
    open_mode = policy(ws, Mode.ACCEPT_EDITS, domain_rules)
    assert open_mode.web_domains() == ((), ("evil.example",))
    limited.grant_tool("WebFetch")
    assert limited.web_domains() == ((), ("evil.example",))
    assert policy(ws).web_domains() == ((), ())


# --- what the engine records and offers -----------------------------------------------


def test_who_decided(ws: Path) -> None:
    ruled = policy(ws, ruleset=rules(allow=("Bash(npm test *)",), deny=("Bash(rm *)",)))
    assert bash(ruled, "npm test").by == "rule"
    assert bash(ruled, "rm x").by == "rule"
    assert bash(ruled, "ls").by == "mode"
    assert edit(policy(ws, Mode.ACCEPT_EDITS), ws, "docs/a.md").by == "mode"
    assert edit(policy(ws, Mode.DONT_ASK), ws, "docs/a.md").by == "mode"
    assert edit(policy(ws, interactive=False), ws, "docs/a.md").by == "headless"
    assert edit(policy(ws, interactive=False), ws, ".git/config").by == "headless"
    granted = policy(ws)
    granted.grant_bash_prefix("make")
    assert bash(granted, "make all").by == "session"


def test_always_label_and_remember(ws: Path) -> None:
    p = policy(ws)
    question = edit(p, ws, "docs/a.md")
    assert question.verdict is ASK and question.always_label == "Write"
    p.remember(WRITE, {"file_path": str(ws / "docs" / "a.md")})
    assert edit(p, ws, "src/b.py").verdict is ALLOW

    command = "ls && npm test -- -q && rm -rf build"
    question = bash(p, command)
    assert question.always_label == "Bash(npm test:*), Bash(rm:*)"
    p.remember(BASH, {"command": command})
    assert bash(p, "npm test").verdict is ALLOW
    assert bash(p, "rm -rf dist").verdict is ALLOW
    assert bash(p, "npm install").verdict is ASK


def test_no_always_label_where_a_grant_would_not_help(ws: Path) -> None:
    p = policy(ws, ruleset=rules(ask=("Bash(git push *)",)))
    assert bash(p, "git push").always_label == ""
    assert edit(p, ws, ".claude/agents/a.md").always_label == ""
    assert bash(p, "echo $(date) > out.txt").always_label == ""
    assert bash(p, "echo hi > out.txt").always_label == ""
    p.remember(BASH, {"command": "echo $(date) > out.txt"})
    assert bash(p, "echo $(date) > out.txt").verdict is ASK
