"""The core never imports Textual, and nothing on the start-up path imports anthropic."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import workbench

PACKAGE = Path(workbench.__file__).parent
CORE = sorted(
    ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    for path in PACKAGE.rglob("*.py")
    if "ui" not in path.relative_to(PACKAGE).parts and path.name != "__main__.py"
)


def loaded_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys\nprint('\\n'.join(sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    return set(result.stdout.split())


def test_core_modules_import_without_textual() -> None:
    assert "workbench.cli" in CORE and "workbench.agentfile.lint" in CORE
    modules = loaded_after("\n".join(f"import {module}" for module in CORE))
    assert not {m for m in modules if m == "textual" or m.startswith("textual.")}


def test_the_app_starts_without_the_anthropic_sdk() -> None:
    modules = loaded_after("import workbench.cli, workbench.ui.app")
    assert "workbench.ui.app" in modules
    assert "anthropic" not in modules
