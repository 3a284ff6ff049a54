"""The middle column: everything about one agent before anyone runs it."""

from __future__ import annotations

from pathlib import Path

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.theme import Theme
from textual.widgets import Static, TabbedContent, TabPane, TextArea

from workbench.agentfile import tool_names
from workbench.agentfile.roster import Roster
from workbench.agentfile.spec import AgentSpec, Example, Severity
from workbench.config.models import ModelTable
from workbench.config.paths import bundled_dir, real_path
from workbench.plurals import counted
from workbench.safe_text import printable
from workbench.ui.swatch import agent_color
from workbench.ui.widgets.roster import ERROR_STYLE, WARNING_STYLE

_MAIN_KEYS = {"name", "description", "tools", "disallowedTools", "model", "color", "permissionMode"}
PROMPT_PREVIEW_CHARS = 200_000
"""Longer prompts show only their beginning: highlighting megabytes would stall the screen."""
_SEVERITY = {
    Severity.ERROR: ("✖", ERROR_STYLE),
    Severity.WARNING: ("▲", WARNING_STYLE),
    Severity.INFO: ("●", Style(color="#4c8fe3")),
}


class AgentCard(Vertical):
    def __init__(self, workspace: Path, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._workspace = workspace
        self._shown: tuple[AgentSpec, Roster, ModelTable, str | None] | None = None
        self._prompt_of: AgentSpec | None = None
        """Whose prompt the Prompt tab holds: it is filled only when looked at."""

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)

    def _theme_changed(self, _theme: Theme) -> None:
        if self._shown is not None:
            self.show(*self._shown)

    def compose(self) -> ComposeResult:
        with TabbedContent(id="card-tabs"):
            with TabPane("Overview", id="card-overview"), VerticalScroll(id="card-scroll"):
                yield Static("No agent selected.", id="card-title")
                yield Static(id="card-meta")
                yield Static(id="card-summary")
                yield Static(id="card-examples")
                yield Static(id="card-diagnostics")
            yield TabPane("Prompt", id="card-prompt")

    @on(TabbedContent.TabActivated, "#card-tabs")
    def _tab_shown(self) -> None:
        self._show_prompt()

    def toggle_view(self) -> None:
        """Switch between the overview and the prompt text."""
        tabs = self.query_one(TabbedContent)
        tabs.active = "card-prompt" if tabs.active == "card-overview" else "card-overview"

    def show(
        self, spec: AgentSpec, roster: Roster, models: ModelTable, model_override: str | None
    ) -> None:
        self._shown = (spec, roster, models, model_override)
        theme = self.app.current_theme
        self.query_one("#card-title", Static).update(_title(spec, roster, self._workspace, theme))
        self.query_one("#card-meta", Static).update(
            _meta(spec, models, model_override, self._workspace, theme)
        )
        self.query_one("#card-summary", Static).update(_section("Description", spec.summary))
        examples = self.query_one("#card-examples", Static)
        examples.update(_examples(spec.examples))
        examples.display = bool(spec.examples)
        self.query_one("#card-diagnostics", Static).update(_diagnostics(spec))
        self.query_one("#card-scroll", VerticalScroll).scroll_home(animate=False)
        self._show_prompt()

    def _show_prompt(self) -> None:
        """Highlight the prompt only while its tab is open, not for every agent the roster's
        cursor passes; its text area is built the first time."""
        if self._shown is None or self.query_one(TabbedContent).active != "card-prompt":
            return
        spec = self._shown[0]
        if spec is self._prompt_of:
            return
        self._prompt_of = spec
        text = _prompt_preview(spec.body)
        for body in self.query("#card-body").results(TextArea):
            body.line_number_start = spec.body_line
            body.load_text(text)
            return
        self.query_one("#card-prompt", TabPane).mount(
            TextArea(
                text,
                read_only=True,
                language="markdown",
                soft_wrap=True,
                show_line_numbers=True,
                line_number_start=spec.body_line,
                id="card-body",
            )
        )


def short_path(path: Path, workspace: Path) -> str:
    """A path as a person recognises it: workspace-relative, `~/…`, or `bundled/…`."""
    for base, prefix in ((workspace, ""), (bundled_dir("agents"), "bundled/"), (Path.home(), "~/")):
        try:
            return prefix + str(real_path(path).relative_to(real_path(base)))
        except ValueError:
            continue
    return str(path)


def _title(spec: AgentSpec, roster: Roster, workspace: Path, theme: Theme) -> Text:
    title = Text()
    title.append(
        printable(spec.display_name),
        style=Style(bold=True, color=agent_color(spec.color, theme)),
    )
    title.append(f"  {spec.origin.value}", style="dim")
    if not spec.is_agent:
        title.append("\nnot an agent: Claude Code skips this file", style="italic")
    elif spec.has_errors:
        title.append("\nskipped: Claude Code does not load a file with errors", style="italic")
    elif not spec.active:
        winner = roster.namesakes(spec)[0]
        title.append(
            f"\nshadowed by {winner.origin.value} {short_path(winner.path, workspace)}",
            style="italic",
        )
    else:
        others = sum(1 for s in roster.namesakes(spec) if s is not spec and not s.has_errors)
        if others:
            title.append(
                f"\nactive; shadows {counted(others, 'other file')} of this name",
                style="italic",
            )
    return title


def _meta(
    spec: AgentSpec, models: ModelTable, override: str | None, workspace: Path, theme: Theme
) -> RenderableType:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    grid.add_row("Model", _model(spec, models, override))
    grid.add_row("Tools", _tools(spec.tools))
    if spec.disallowed_tools:
        grid.add_row("Disallowed", Text(printable(", ".join(spec.disallowed_tools))))
    grid.add_row("Color", _color(spec.color, theme))
    if spec.permission_mode:
        grid.add_row("Permission mode", Text(printable(spec.permission_mode)))
    for key, value in spec.fields:
        if key not in _MAIN_KEYS:
            grid.add_row(Text(printable(key)), Text(printable(_short(value))))
    grid.add_row("File", Text(printable(short_path(spec.path, workspace))))
    return grid


def _model(spec: AgentSpec, models: ModelTable, override: str | None) -> Text:
    if override:
        text = Text(f"{models.resolve(override)}  (--model {printable(override)})")
        if spec.model:
            text.append(f"; the file says {printable(spec.model)}", style="dim")
        return text
    written = spec.model or "inherit"
    resolved = models.resolve(spec.model)
    text = Text(printable(written))
    if resolved != written:
        text.append(f" → {printable(resolved)}", style="dim")
    return text


def _tools(tools: tuple[str, ...] | None) -> Text:
    if tools is None:
        return Text("all tools (no `tools` key)", style="italic")
    if not tools:
        return Text("none (empty list)", style=WARNING_STYLE)
    text = Text()
    for index, token in enumerate(tools):
        if index:
            text.append(", ")
        known = tool_names.is_known(token)
        text.append(printable(token), style="" if known else WARNING_STYLE)
    return text


def _color(color: str | None, theme: Theme) -> Text:
    if not color:
        return Text("none", style="dim")
    swatch = agent_color(color, theme)
    text = Text("██ ", style=Style(color=swatch)) if swatch else Text()
    return text.append(printable(color))


def _section(heading: str, text: str) -> Text:
    section = Text()
    section.append(heading + "\n", style="bold")
    section.append(printable(text) if text else "none", style="" if text else "dim")
    return section


def _examples(examples: tuple[Example, ...]) -> RenderableType:
    panels: list[RenderableType] = [Text("Examples", style="bold")] if examples else []
    for number, example in enumerate(examples, start=1):
        body = Text()
        if example.context:
            body.append(printable(example.context) + "\n", style="italic")
        for role, said in example.turns:
            body.append(f"{role} › ", style="bold")
            body.append(printable(said) + "\n")
        if example.commentary:
            body.append(printable(example.commentary), style="dim italic")
        body.rstrip()
        panels.append(Panel(body, title=f"Example {number}", title_align="left"))
    return Group(*panels)


def _diagnostics(spec: AgentSpec) -> RenderableType:
    heading = Text("Problems", style="bold")
    if not spec.diagnostics:
        return Group(heading, Text("none found", style="dim"))
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True, style="dim")
    table.add_column(no_wrap=True, style="bold")
    table.add_column()
    for d in spec.diagnostics:
        icon, style = _SEVERITY[d.severity]
        table.add_row(Text(icon, style=style), f"line {d.line}", d.code, Text(printable(d.message)))
    return Group(heading, table)


def _prompt_preview(body: str) -> str:
    """The prompt, or its first part when it is too long to highlight without stalling."""
    if len(body) <= PROMPT_PREVIEW_CHARS:
        return printable(body)
    cut = body.rfind("\n", 0, PROMPT_PREVIEW_CHARS) + 1 or PROMPT_PREVIEW_CHARS
    size = len(body.encode("utf-8", "replace")) / 1_048_576
    return printable(body[:cut]) + f"\n[the first {cut:,} characters of a {size:.1f} MB prompt]\n"


def _short(value: object) -> str:
    text = str(value)
    return text if len(text) <= 120 else text[:119] + "…"
