"""Themes as files: bundled and personal ones, switched, remembered, reloaded, and survived."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.color import Color
from textual.command import CommandList
from textual.theme import Theme

from tests.support.pilot import make_app, roster_shown, until
from workbench.ui.swatch import CLAUDE_COLORS, MIN_CONTRAST, _contrast, agent_color
from workbench.ui.themes import ThemeError, read_theme, theme_folders

BUNDLED = ("workbench-dark", "workbench-light", "workbench-high-contrast")


def user_themes(isolated_config: Path) -> Path:
    folder = isolated_config / "themes"
    folder.mkdir(exist_ok=True)
    return folder


def highlighted(app: object) -> object:
    commands = app.screen.query_one(CommandList)  # type: ignore[attr-defined]
    option = commands.highlighted_option
    return option.prompt if option is not None else ""


def notices(app: object) -> str:
    return "\n".join(str(n.message) for n in app._notifications)  # type: ignore[attr-defined]


def test_the_bundled_themes_are_valid_files() -> None:
    bundled = theme_folders()[0]
    names = {read_theme(path).name for path in bundled.glob("*.yaml")}
    assert set(BUNDLED) <= names
    dark = {read_theme(bundled / f"{name}.yaml").dark for name in BUNDLED}
    assert dark == {True, False}, "a light theme ships beside the dark ones"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name: x\nprimary: [unclosed\n", "not valid YAML at line 3"),
        ("- just\n- a list\n", "must be a mapping"),
        ("name: x\nprimary: '#fff'\nsparkle: true\n", "unknown field sparkle"),
        ("name: x\nprimary: '#zzzzzz'\n", "`primary`: '#zzzzzz' is not a color"),
        ("name: x\nprimary: '#fff'\nbackground: 12\n", "`background` must be a color"),
        ("primary: '#fff'\n", "`name` is required"),
        ("name: x\nprimary: '#fff'\ndark: maybe\n", "`dark` must be true or false"),
        ("name: x\nprimary: '#fff'\ntext_alpha: 3\n", "`text_alpha` must be a number from 0 to 1"),
    ],
)
def test_a_broken_theme_file_says_what_is_wrong(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(text)
    with pytest.raises(ThemeError, match=None) as raised:
        read_theme(path)
    assert message in str(raised.value)


@pytest.mark.parametrize("name", BUNDLED)
def test_agent_colors_are_readable_in_every_bundled_theme(name: str) -> None:
    theme = read_theme(theme_folders()[0] / f"{name}.yaml")
    assert theme.background is not None
    behind = Color.parse(theme.background)
    for color in [*CLAUDE_COLORS, "navy", "#ffff00", "white", "black"]:
        shown = agent_color(color, theme)
        assert shown is not None
        contrast = _contrast(shown.get_truecolor(), behind.get_truecolor())
        assert contrast >= MIN_CONTRAST - 0.05, f"{color} on {name}: {contrast:.2f}"


def test_a_theme_without_agent_colors_still_keeps_them_readable() -> None:
    light = Theme("plain-light", primary="#1f6feb", background="#ffffff", dark=False)
    yellow = agent_color("yellow", light)
    assert (
        yellow is not None
        and yellow.get_truecolor()
        != agent_color(
            "yellow", Theme("plain-dark", primary="#1f6feb", background="#000000")
        ).get_truecolor()
    )  # type: ignore[union-attr]
    assert agent_color("not a colour", light) is None


async def test_switching_from_the_palette_is_remembered(
    workspace: Path, isolated_config: Path
) -> None:
    config = isolated_config / "workbench.toml"
    config.write_text(
        '# my settings\nbell = false  # quiet please\n\n[models]\ndefault = "haiku"\n'
    )
    app = make_app(workspace)
    async with app.run_test(size=(160, 48)) as pilot:
        await roster_shown(pilot)
        assert app.theme == "workbench-dark"
        await pilot.press("ctrl+p")
        await pilot.press(*"theme")
        await until(pilot, lambda: app.screen.query_one(CommandList).option_count > 0)
        await pilot.press("enter")
        await pilot.press(*"workbench-light")
        await until(pilot, lambda: "workbench-light" in str(highlighted(app)))
        await pilot.press("enter")
        await until(pilot, lambda: app.theme == "workbench-light")
        await until(pilot, lambda: "workbench-light" in config.read_text())
    assert config.read_text() == (
        '# my settings\nbell = false  # quiet please\ntheme = "workbench-light"\n\n'
        '[models]\ndefault = "haiku"\n'
    )
    again = make_app(workspace, theme="workbench-light")
    async with again.run_test(size=(160, 48)) as pilot:
        assert again.theme == "workbench-light"


async def test_the_theme_option_applies_for_one_run_only(
    workspace: Path, isolated_config: Path
) -> None:
    app = make_app(workspace, theme="workbench-high-contrast")
    async with app.run_test(size=(160, 48)) as pilot:
        await roster_shown(pilot)
        assert app.theme == "workbench-high-contrast"
        assert app.current_theme.background == "#000000"
    assert not (isolated_config / "workbench.toml").exists()


async def test_an_unknown_theme_falls_back_and_says_so(workspace: Path) -> None:
    app = make_app(workspace, theme="solarized-neon")
    async with app.run_test(size=(160, 48)) as pilot:
        await roster_shown(pilot)
        assert app.theme == "workbench-dark"
        assert "No theme named 'solarized-neon'" in notices(app)


async def test_a_theme_file_edited_while_running_is_applied(
    workspace: Path, isolated_config: Path
) -> None:
    folder = user_themes(isolated_config)
    path = folder / "mine.yaml"
    path.write_text("name: mine\nprimary: '#112233'\nbackground: '#101010'\n")
    app = make_app(workspace, theme="mine")
    async with app.run_test(size=(160, 48)) as pilot:
        await roster_shown(pilot)
        assert app.theme == "mine"
        screen_background = app.screen.styles.background
        path.write_text("name: mine\nprimary: '#112233'\nbackground: '#203040'\n")
        await until(pilot, lambda: app.current_theme.background == "#203040", timeout=5)
        await until(pilot, lambda: app.screen.styles.background != screen_background)
        (folder / "new.yaml").write_text("name: brand-new\nprimary: '#ff8800'\n")
        await until(pilot, lambda: "brand-new" in app.available_themes, timeout=5)


async def test_a_theme_file_broken_while_running_is_reported_and_the_app_goes_on(
    workspace: Path, isolated_config: Path
) -> None:
    folder = user_themes(isolated_config)
    path = folder / "mine.yaml"
    path.write_text("name: mine\nprimary: '#112233'\nbackground: '#101010'\n")
    (folder / "bad.yaml").write_text("name: bad\nprimary: nonsense-colour\n")
    app = make_app(workspace, theme="mine")
    async with app.run_test(size=(160, 48)) as pilot:
        await roster_shown(pilot)
        assert "bad.yaml: `primary`: 'nonsense-colour' is not a color" in notices(app)
        assert "bad" not in app.available_themes
        path.write_text("name: mine\nprimary: '#112233\nbackground: [\n")
        await until(pilot, lambda: "mine.yaml: not valid YAML" in notices(app), timeout=5)
        assert app.theme == "mine" and app.current_theme.background == "#101010"
        await pilot.press("ctrl+f")
        assert app.is_running
