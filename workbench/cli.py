"""The `workbench` command: the app by default, and headless subcommands over the same core.

A subcommand name always wins over a folder of the same name; `workbench ./agents` opens
a folder called `agents`. What only a subcommand needs is imported by it, so opening the
app does not pay for reports and repairs.
"""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from workbench.agentfile.discover import Source, empty_folders, sources
from workbench.agentfile.roster import Roster, load_in_background, load_roster
from workbench.agentfile.spec import PERMISSION_MODES, AgentSpec, Origin, Severity
from workbench.agentfile.tool_names import split_tool_list
from workbench.config.paths import user_cache_dir
from workbench.config.settings import Settings, load_settings
from workbench.parsed_files import for_this_install
from workbench.plurals import counted
from workbench.safe_text import json_text, printable


class UsageError(Exception):
    """Bad arguments: reported on stderr with exit status 2."""


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    commands: dict[str, Callable[[list[str]], int]] = {
        "agents": _agents,
        "edit": _edit,
        "lint": _lint,
        "run": _run,
    }
    try:
        if args and args[0] in commands:
            return commands[args[0]](args[1:])
        return _open(args)
    except UsageError as error:
        print(f"workbench: {error}", file=sys.stderr)
        return 2


def _inside(workspace: Path, given: str) -> str:
    """`given` as a path relative to the workspace; `/docs/x.md` means the workspace's."""
    root = workspace.resolve()
    candidate = Path(given).expanduser()
    if candidate.is_absolute() and not candidate.resolve().is_relative_to(root):
        candidate = root / given.lstrip("/")
    resolved = (root / candidate).resolve()
    if not resolved.is_relative_to(root) or resolved == root:
        raise UsageError(f"--open {given}: not a file inside the workspace {root}")
    return resolved.relative_to(root).as_posix()


def _open(args: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="workbench",
        description="Open the workbench on a workspace (default: the current folder). "
        "Subcommands: agents, edit, lint, run (see `workbench run --help`).",
    )
    parser.add_argument("workspace", nargs="?", type=Path, default=Path.cwd())
    _add_agents_option(parser)
    parser.add_argument("--agent", metavar="NAME", help="select this agent at start")
    parser.add_argument(
        "--permission-mode",
        choices=PERMISSION_MODES,
        type=_permission_mode,
        metavar="MODE",
        help=f"one of {', '.join(PERMISSION_MODES)}",
    )
    parser.add_argument("--model", metavar="MODEL", help="use this model for every agent")
    parser.add_argument(
        "--theme",
        metavar="NAME",
        help="theme for this run only (see the README for the bundled ones)",
    )
    parser.add_argument(
        "--open",
        metavar="PATH",
        dest="open_path",
        help="a workspace file to show at start, e.g. docs/tasks/context.md",
    )
    options = parser.parse_args(args)
    workspace = _folder(options.workspace)
    open_path = _inside(workspace, options.open_path) if options.open_path else None
    return _launch(
        workspace,
        options.agents,
        agent=options.agent,
        permission_mode=options.permission_mode,
        model=options.model,
        theme=options.theme,
        open_path=open_path,
    )


def _launch(workspace: Path, agents: list[Path], **chosen: Any) -> int:
    """Run the app on `workspace`; `chosen` are `WorkbenchOptions` fields."""
    found = sources(workspace, [_existing(path) for path in agents])
    settings = load_settings(workspace)
    kept = for_this_install(user_cache_dir())
    # Start-up builds what the app keeps for its whole life, so collecting while it runs
    # finds almost nothing and delays the first frame by tens of milliseconds; the app
    # collects once the first screen is up (`Heap.settle`), and collects as usual from then.
    gc.disable()
    try:
        # The roster loads while the interface is imported and built.
        first_roster = load_in_background(found, settings.models(kept), kept=kept)

        from workbench.ui.app import WorkbenchApp, WorkbenchOptions

        chosen["theme"] = chosen.get("theme") or settings.theme
        options = WorkbenchOptions(workspace=workspace, sources=tuple(found), **chosen)
        app = WorkbenchApp(options, settings, first_roster, kept)
        app.run()
    finally:
        gc.enable()
    return app.return_code or 0


def _edit(args: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="workbench edit",
        description="Open an agent in the workbench's editor: a name from the roster "
        "(project, user and bundled agents) or the path of any agent file.",
    )
    parser.add_argument("agent", metavar="NAME_OR_PATH")
    parser.add_argument(
        "--workspace", type=Path, default=Path.cwd(), help="default: the current folder"
    )
    _add_agents_option(parser)
    options = parser.parse_args(args)
    workspace = _folder(options.workspace)
    given = Path(options.agent).expanduser()
    if given.is_file():
        return _launch(workspace, [*options.agents, given], edit_path=given.resolve())
    spec = _roster(workspace, options.agents, user=True).get(options.agent)
    if spec is None:
        raise UsageError(
            f"no agent named {options.agent!r} in {workspace}; give a file path to edit any file"
        )
    return _launch(workspace, options.agents, edit_path=spec.path)


def _agents(args: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="workbench agents",
        description="List the agents a workspace can use, in precedence order: --agents "
        "paths, the workspace's .claude/agents, the user's agents, then the bundled ones.",
    )
    _add_roster_options(parser)
    options = parser.parse_args(args)
    roster = _roster(options.workspace, options.agents, user=options.user)
    if options.format == "json":
        from workbench.agentfile.report import agent_json

        print(json_text([agent_json(spec) for spec in roster.specs]))
    else:
        _print_table(roster)
    return 0


def _lint(args: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="workbench lint",
        description="Check agent files. With no PATH, checks the workspace's .claude/agents. "
        "Duplicate names and agent references are judged against the workspace's and the "
        "bundled agents (and your own with --user). Exit status: 0 clean, 1 errors (or "
        "warnings with --strict, or a file --fix could not write), 2 usage error.",
    )
    parser.add_argument("paths", nargs="*", type=Path, metavar="PATH")
    _add_roster_options(parser, agents_option=False)
    parser.add_argument("--strict", action="store_true", help="fail on warnings too")
    parser.add_argument(
        "--fix",
        action="store_true",
        help="repair what is safe to repair (mojibake, an unquoted one-line description), "
        "then lint the result",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="with --fix: show the repairs, write nothing"
    )
    options = parser.parse_args(args)
    if options.dry_run and not options.fix:
        raise UsageError("lint: --dry-run only goes with --fix")
    workspace = _folder(options.workspace)
    targets = [_existing(path) for path in options.paths]
    origin = Origin.EXPLICIT if targets else Origin.PROJECT
    roster = _roster(workspace, targets, user=options.user)
    linted = [spec for spec in roster.specs if spec.origin is origin]
    _say_empty(targets or [workspace / ".claude" / "agents"], linted)
    written = True
    if options.fix:
        # In JSON mode stdout holds only the report, so the repairs go to stderr.
        shown = sys.stderr if options.format == "json" else sys.stdout
        written, changed = _fix(linted, dry_run=options.dry_run, out=shown)
        if changed and not options.dry_run:
            roster = _roster(workspace, targets, user=options.user)
            linted = [spec for spec in roster.specs if spec.origin is origin]
    if options.format == "json":
        print(json_text([{"path": str(s.path), **_diagnostics(s)} for s in linted]))
    else:
        from workbench.agentfile.report import lint_lines, lint_summary

        for line in lint_lines(linted):
            print(line)
        print(lint_summary(linted), file=sys.stderr)
    failing = {Severity.ERROR, Severity.WARNING} if options.strict else {Severity.ERROR}
    found = any(d.severity in failing for s in linted for d in s.diagnostics)
    return 1 if found or not written else 0


def _say_empty(folders: list[Path], linted: list[AgentSpec]) -> None:
    """A folder with no agent file in it is named, so a wrong path is not taken for clean."""
    for folder in empty_folders(folders, linted):
        shown = printable(str(folder))
        if folder.is_dir():
            print(f"workbench: no agent files (*.md) in {shown}", file=sys.stderr)
        else:
            print(f"workbench: {shown} does not exist", file=sys.stderr)


def _fix(specs: list[AgentSpec], *, dry_run: bool, out: TextIO) -> tuple[bool, bool]:
    """Repair each file that has a fixable finding; (every repair written, any file changed).

    A repair is printed only once it is on disk (or, with `dry_run`, as what would be done),
    so the output never claims a change that a refusal stopped.
    """
    from workbench.agentfile import fixes
    from workbench.agentfile.report import fix_line

    written, changed = True, False
    for spec in specs:
        if not any(d.code in fixes.FIXABLE for d in spec.diagnostics):
            continue
        try:
            repair = fixes.plan(spec.path, spec.path.read_bytes())
            if repair.changes and not dry_run:
                fixes.write(repair)
        except (OSError, fixes.FixRefused) as error:
            reason = error.strerror if isinstance(error, OSError) else str(error)
            print(f"workbench lint: {spec.path}: not fixed: {reason}", file=sys.stderr)
            written = False
            continue
        for change in repair.changes:
            print(fix_line(spec.path, change, dry_run=dry_run), file=out)
        changed = changed or bool(repair.changes)
    return written, changed


def _run(args: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="workbench run",
        description="Run one agent on one task without the screen. Nothing can be asked "
        "here, so whatever would ask for permission is denied, and the denial names the "
        "flag or rule that would allow it: in the default mode the agent cannot edit files "
        "or run commands; use --permission-mode acceptEdits to let it edit, or "
        "--allowed-tools for specific tools and commands. Exit status: 0 when the run "
        "succeeded, 1 when it did not, 2 on a usage error.",
    )
    parser.add_argument("agent", metavar="AGENT", help="a roster name or an agent file's path")
    parser.add_argument("task", metavar="TASK", help="what the agent should do")
    _add_roster_options(parser, output=False)
    parser.add_argument(
        "--permission-mode",
        type=_permission_mode,
        metavar="MODE",
        help=f"one of {', '.join(PERMISSION_MODES)}",
    )
    parser.add_argument(
        "--allowed-tools",
        action="append",
        default=[],
        metavar="T,...",
        help="rules that allow without asking, e.g. 'Bash(npm test:*),Edit'",
    )
    parser.add_argument(
        "--disallowed-tools",
        action="append",
        default=[],
        metavar="T,...",
        help="rules that always deny",
    )
    parser.add_argument("--model", metavar="M", help="override the agent's model")
    parser.add_argument("--max-turns", type=_positive, metavar="N")
    parser.add_argument(
        "--add-dir",
        action="append",
        type=Path,
        default=[],
        metavar="DIR",
        help="another folder the tools may reach; repeatable",
    )
    parser.add_argument("--base-url", metavar="URL", help="a server that speaks the Messages API")
    parser.add_argument(
        "--allow-network", action="store_true", help="let sandboxed shell commands use the network"
    )
    parser.add_argument("--output-format", choices=("text", "json", "stream-json"), default="text")
    parser.add_argument(
        "--resume", metavar="SESSION_ID", help="continue an earlier conversation of this workspace"
    )
    options = parser.parse_args(args)
    workspace = _folder(options.workspace)
    agent_file = Path(options.agent)
    explicit = [_existing(path) for path in options.agents]
    if agent_file.is_file():
        explicit.insert(0, agent_file)
    settings = load_settings(workspace)
    roster = load_roster(sources(workspace, explicit, user=options.user), settings.models())
    spec = roster.for_paths([agent_file])[0] if agent_file.is_file() else roster.get(options.agent)
    if spec is None or not spec.is_agent:
        names = ", ".join(sorted({s.display_name for s in roster.agents if s.active}))
        raise UsageError(f"unknown agent {options.agent!r}; agents here: {names}")

    from workbench.engine.client import MissingCredentials, check_credentials

    try:
        check_credentials(options.base_url)
    except MissingCredentials as error:
        print(f"workbench run: {error}", file=sys.stderr)
        return 1
    return _run_agent(options, workspace, roster, spec, settings)


def _run_agent(
    options: argparse.Namespace,
    workspace: Path,
    roster: Roster,
    spec: AgentSpec,
    settings: Settings,
) -> int:
    import asyncio

    from workbench.engine.conversation import Conversation, RunConfig
    from workbench.engine.modes import parse_mode
    from workbench.headless import run_headless

    config = RunConfig(
        spec=spec,
        workspace=workspace,
        roster=roster,
        mode=parse_mode(options.permission_mode) if options.permission_mode else None,
        model=options.model,
        max_turns=options.max_turns,
        add_dirs=tuple(_folder(path) for path in options.add_dir),
        base_url=options.base_url,
        allowed_tools=_rules(options.allowed_tools),
        disallowed_tools=_rules(options.disallowed_tools),
        allow_network=options.allow_network,
        interactive=False,
        models=settings.models(),
    )
    if options.resume:
        try:
            conversation = Conversation.resume(config, options.resume)
        except FileNotFoundError as error:
            raise UsageError(str(error)) from None
    else:
        conversation = Conversation(config)
    return asyncio.run(run_headless(conversation, options.task, options.output_format))


def _rules(values: list[str]) -> tuple[str, ...]:
    return tuple(rule for value in values for rule in split_tool_list(value))


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number


def _diagnostics(spec: AgentSpec) -> dict[str, object]:
    return {"diagnostics": [d.to_json() for d in spec.diagnostics]}


def _add_agents_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--agents",
        action="append",
        type=Path,
        default=[],
        metavar="PATH",
        help="an agent file (any extension) or a folder scanned for *.md; repeatable",
    )


def _add_roster_options(
    parser: argparse.ArgumentParser, *, agents_option: bool = True, output: bool = True
) -> None:
    parser.add_argument(
        "--workspace", type=Path, default=Path.cwd(), metavar="DIR", help="default: ."
    )
    if agents_option:
        _add_agents_option(parser)
    parser.add_argument(
        "--user",
        action="store_true",
        help="include your own agents ($CLAUDE_CONFIG_DIR/agents or ~/.claude/agents)",
    )
    if output:
        parser.add_argument("--format", choices=("text", "json"), default="text")


def _roster(workspace: Path, explicit: Sequence[Path], *, user: bool) -> Roster:
    workspace = _folder(workspace)
    found: list[Source] = sources(workspace, [_existing(p) for p in explicit], user=user)
    return load_roster(found, load_settings(workspace).models())


def _print_table(roster: Roster) -> None:
    rows = [("NAME", "MODEL", "ORIGIN", "STATUS", "PATH")]
    for spec in roster.specs:
        rows.append(
            (
                printable(spec.display_name),
                printable(spec.model or "-"),
                spec.origin.value,
                _status(spec),
                printable(str(spec.path)),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        print("  ".join([*cells, row[4]]))


def _status(spec: AgentSpec) -> str:
    if not spec.is_agent:
        return "not an agent"
    counts = [
        counted(n, label)
        for label, severity in (("error", Severity.ERROR), ("warning", Severity.WARNING))
        if (n := sum(d.severity is severity for d in spec.diagnostics))
    ]
    if spec.has_errors:
        return ", ".join(["skipped by Claude Code", *counts])
    return ", ".join(["active" if spec.active else "shadowed", *counts])


def _permission_mode(value: str) -> str:
    if value == "auto":
        raise argparse.ArgumentTypeError(
            "auto mode needs Anthropic's safety classifier and is not offered here; "
            f"choose one of {', '.join(PERMISSION_MODES)}"
        )
    return value


def _folder(path: Path) -> Path:
    if not path.is_dir():
        raise UsageError(f"{path}: no such folder")
    return path.resolve()


def _existing(path: Path) -> Path:
    if not path.exists():
        raise UsageError(f"{path}: no such file or folder")
    return path
