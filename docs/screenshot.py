"""Regenerate docs/screenshot.svg, the picture atop the README: `python3 dev.py screenshot`.

The app runs headless on a private copy of the sample workspace, with an empty user
config, so the picture shows the product as a new user sees it, whatever this machine has.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "docs" / "screenshot.svg"
SIZE = (160, 44)


async def main() -> None:
    with tempfile.TemporaryDirectory(prefix="workbench-shot-") as folder:
        home = Path(folder)
        os.environ["CLAUDE_CONFIG_DIR"] = str(home / "claude")
        os.environ["WORKBENCH_CONFIG"] = str(home / "config.toml")
        workspace = home / "sample-workspace"
        shutil.copytree(
            ROOT / "examples" / "sample-workspace",
            workspace,
            ignore=shutil.ignore_patterns(".workbench"),
        )
        from workbench.agentfile.discover import sources
        from workbench.ui.app import WorkbenchApp, WorkbenchOptions

        options = WorkbenchOptions(
            workspace=workspace,
            sources=tuple(sources(workspace)),
            open_path="docs/tasks/context.md",
        )
        app = WorkbenchApp(options)
        async with app.run_test(size=SIZE) as pilot:
            for _ in range(100):
                if app.roster is not None and "file-" in str(app.screen.focused):
                    break
                await pilot.pause(0.05)
            await pilot.pause(0.5)
            app.save_screenshot(str(OUTPUT))
    print(f"wrote {OUTPUT.relative_to(ROOT)}")


if __name__ == "__main__":
    asyncio.run(main())
