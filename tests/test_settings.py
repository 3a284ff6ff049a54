"""Settings: what the user's and the workspace's config files may set, and what they may not."""

from __future__ import annotations

from pathlib import Path

from workbench.config.settings import load_settings


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_the_watch_table_adds_globs_from_both_configs(
    workspace: Path, isolated_config: Path
) -> None:
    write(isolated_config / "workbench.toml", '[watch]\npaths = ["notes/**"]\n')
    write(
        workspace / ".workbench" / "config.toml",
        '[watch]\npaths = ["/design/", "./adr/*.md"]\ndefaults = false\nforce_polling = true\n',
    )
    watch = load_settings(workspace).watch
    assert watch.paths == ("notes/**", "design", "adr/*.md")
    assert watch.defaults is False and watch.force_polling is True


def test_the_watch_table_reports_what_it_cannot_use(workspace: Path) -> None:
    write(
        workspace / ".workbench" / "config.toml",
        '[watch]\npaths = ["../secrets/**", "~/.ssh/*", "ok/**"]\n'
        'force_polling = "yes"\ninterval = 3\n',
    )
    settings = load_settings(workspace)
    assert settings.watch.paths == ("ok/**",)
    assert settings.watch.force_polling is False
    problems = "\n".join(settings.problems)
    assert "'../secrets/**' is not a path inside the workspace" in problems
    assert "'~/.ssh/*' is not a path inside the workspace" in problems
    assert "`force_polling` must be true or false" in problems
    assert "[watch] has no setting `interval`" in problems


def test_a_watch_table_of_the_wrong_shape_is_ignored(workspace: Path) -> None:
    write(workspace / ".workbench" / "config.toml", 'watch = "everything"\n')
    settings = load_settings(workspace)
    assert settings.watch.paths == () and settings.watch.defaults is True
    assert any("[watch] must be a table" in problem for problem in settings.problems)
