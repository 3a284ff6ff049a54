"""The app's stylesheet reuses parsed CSS, within a launch and from one launch to the next;
what it styles with must be what Textual parses."""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import Any

import pytest
import textual.css.stylesheet
from textual.color import Color
from textual.css.parse import parse as textual_parse
from textual.css.stylesheet import Stylesheet

from tests.support.pilot import make_app, roster_shown, until
from workbench.ui.app import WorkbenchApp
from workbench.ui.markdown.flow import MarkdownFlow
from workbench.ui.screens.editor import EditorScreen
from workbench.ui.stylesheet import CachedStylesheet


def rules(stylesheet: Stylesheet) -> list[tuple[object, ...]]:
    """Each rule's selectors, declarations and precedence, in order (values by repr: some,
    such as layouts, compare by identity)."""
    return [
        (
            rule.selectors,
            sorted((name, repr(value)) for name, value in rule.styles.get_rules().items()),
            rule.is_default_rules,
            rule.tie_breaker,
        )
        for rule in stylesheet.rules
    ]


def textuals_own_rules(app: WorkbenchApp) -> list[tuple[object, ...]]:
    """The same sources and theme, parsed from nothing by Textual's own stylesheet."""
    fresh = Stylesheet()
    fresh.source = app.stylesheet.source.copy()
    fresh.set_variables(app.get_css_variables())
    fresh.parse()
    return rules(fresh)


async def test_rules_match_a_fresh_parse_across_screens_and_themes(workspace: Path) -> None:
    app = make_app(workspace)
    async with app.run_test(size=(160, 48)) as pilot:
        await roster_shown(pilot)
        assert rules(app.stylesheet) == textuals_own_rules(app)
        # A screen with its own CSS file re-parses everything.
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, EditorScreen))
        assert rules(app.stylesheet) == textuals_own_rules(app)
        # A new theme changes the variables every rule was parsed with.
        dark_background = app.screen.styles.background
        app.theme = "workbench-light"
        await until(pilot, lambda: app.screen.styles.background != dark_background)
        assert rules(app.stylesheet) == textuals_own_rules(app)
        light = app.current_theme.background
        assert light is not None
        assert app.screen.styles.background == Color.parse(light)


def component_rules(app: WorkbenchApp) -> dict[tuple[int, str], list[tuple[str, str]]]:
    """Every component's rules for each widget of the screen that has components."""
    return {
        (id(node), name): sorted((key, repr(value)) for key, value in styles.get_rules().items())
        for node in app.screen.walk_children(with_self=True)
        for name, styles in node._component_styles.items()
    }


def textuals_own_component_rules(app: WorkbenchApp) -> dict[tuple[int, str], list[tuple[str, str]]]:
    """The same, as Textual's own stylesheet matches each component against every rule."""
    for node in app.screen.walk_children(with_self=True):
        Stylesheet._process_component_classes(app.stylesheet, node)
    return component_rules(app)


async def test_component_styles_match_textuals_own_across_places_and_themes(
    workspace: Path,
) -> None:
    app = make_app(workspace)
    async with app.run_test(size=(160, 48)) as pilot:
        await roster_shown(pilot)
        # A rule for a component in one place only: the same widget elsewhere lacks it.
        app.stylesheet.add_source(
            "#roster-list > MarkdownFlow > .markdown-flow--em { color: red; }",
            read_from=("test", "em"),
        )
        app.stylesheet.reparse()
        flows = [MarkdownFlow(), MarkdownFlow(classes="chat-reply"), MarkdownFlow()]
        await app.screen.mount_all(flows)
        in_roster = MarkdownFlow()
        await app.query_one("#roster-list").mount(in_roster)
        assert in_roster.get_component_styles("markdown-flow--em").color == Color.parse("red")
        assert flows[0].get_component_styles("markdown-flow--em").color != Color.parse("red")
        ours = component_rules(app)
        assert ours == textuals_own_component_rules(app)
        # The light theme has rules of its own for some components.
        dark_inline = flows[0].get_component_styles("markdown-flow--code-inline").background
        app.theme = "workbench-light"
        await until(
            pilot,
            lambda: (
                flows[0].get_component_styles("markdown-flow--code-inline").background
                != dark_inline
            ),
        )
        ours = component_rules(app)
        assert ours == textuals_own_component_rules(app)


DARK = {"primary": "#0178d4"}
LIGHT = {"primary": "#ffa62b"}
APP_CSS = "Static { color: $primary; }"
WHERE = ("app.tcss", "")


def launch(folder: Path, css: str = APP_CSS, variables: dict[str, str] = DARK) -> CachedStylesheet:
    """The stylesheet of one launch: the app's CSS parsed with the theme's variables."""
    stylesheet = CachedStylesheet(variables=variables, parses=folder)
    stylesheet.add_source(css, read_from=WHERE)
    stylesheet.parse()
    return stylesheet


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The CSS texts Textual's parser is given from now on."""
    given: list[str] = []

    def counted(scope: str, css: str, *args: Any, **kwargs: Any) -> Any:
        given.append(css)
        return textual_parse(scope, css, *args, **kwargs)

    monkeypatch.setattr(textual.css.stylesheet, "parse", counted)
    return given


def static_color(stylesheet: Stylesheet) -> Color:
    (rule,) = stylesheet.rules
    color = rule.styles.color
    assert color is not None
    return color


def test_the_next_launch_reads_the_rules_instead_of_parsing(
    tmp_path: Path, parses: list[str]
) -> None:
    first = launch(tmp_path)
    first.save_parses()
    assert parses == [APP_CSS]
    second = launch(tmp_path)
    assert parses == [APP_CSS]
    assert rules(second) == rules(first)
    assert static_color(second) == Color.parse(DARK["primary"])


def test_css_that_changed_is_parsed_again_and_replaces_the_old(
    tmp_path: Path, parses: list[str]
) -> None:
    launch(tmp_path).save_parses()
    changed = "Static { color: $primary; text-style: bold; }"
    upgraded = launch(tmp_path, changed)
    assert parses == [APP_CSS, changed]
    assert upgraded.rules[0].styles.text_style == "bold"
    upgraded.save_parses()
    launch(tmp_path, changed)
    launch(tmp_path)
    assert parses == [APP_CSS, changed, APP_CSS]


def test_another_theme_parses_with_its_own_colours(tmp_path: Path, parses: list[str]) -> None:
    launch(tmp_path).save_parses()
    light = launch(tmp_path, variables=LIGHT)
    assert static_color(light) == Color.parse(LIGHT["primary"])
    light.set_variables(DARK)
    light.parse()
    assert static_color(light) == Color.parse(DARK["primary"])
    assert parses == [APP_CSS, APP_CSS]


def test_a_damaged_or_unwritable_folder_only_means_parsing(
    tmp_path: Path, parses: list[str]
) -> None:
    launch(tmp_path).save_parses()
    (stored,) = tmp_path.iterdir()
    stored.write_bytes(b"\x80\x05 not what was written")
    assert static_color(launch(tmp_path)) == Color.parse(DARK["primary"])
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("")
    in_blocked = launch(blocked / "css")
    in_blocked.save_parses()
    assert static_color(in_blocked) == Color.parse(DARK["primary"])
    assert parses == [APP_CSS, APP_CSS, APP_CSS]


def test_rules_pickle_cannot_write_are_parsed_next_time(
    tmp_path: Path, parses: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> bytes:
        raise TypeError("cannot pickle this object")

    first = launch(tmp_path)
    monkeypatch.setattr(pickle, "dumps", refuse)
    first.save_parses()
    assert not list(tmp_path.iterdir())
    launch(tmp_path)
    assert parses == [APP_CSS, APP_CSS]


def test_a_file_others_may_change_is_not_read(tmp_path: Path, parses: list[str]) -> None:
    """Reading the cache runs what it holds, so only a file no one else can write counts."""
    launch(tmp_path).save_parses()
    (stored,) = tmp_path.iterdir()
    stored.chmod(0o666)
    launch(tmp_path)
    stored.chmod(0o600)
    launch(tmp_path)
    assert parses == [APP_CSS, APP_CSS]


def test_the_file_is_written_for_this_user_alone_whatever_the_umask(
    tmp_path: Path, parses: list[str]
) -> None:
    previous = os.umask(0o002)
    try:
        launch(tmp_path).save_parses()
    finally:
        os.umask(previous)
    launch(tmp_path)
    assert parses == [APP_CSS]
