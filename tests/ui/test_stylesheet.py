"""The app's stylesheet reuses parsed CSS; what it styles with must be what Textual parses."""

from __future__ import annotations

from pathlib import Path

from textual.color import Color
from textual.css.stylesheet import Stylesheet

from tests.support.pilot import make_app, roster_shown, until
from workbench.ui.app import WorkbenchApp
from workbench.ui.screens.editor import EditorScreen


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
