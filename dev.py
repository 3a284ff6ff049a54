"""Run the workbench or its tests from a fresh checkout: `python3 dev.py open|test|screenshot`.

Creates `.venv/` on first use and installs the project with the exact versions pinned in
`constraints.txt`, so snapshots and behaviour do not drift between machines. Reinstalls
only when `pyproject.toml` or `constraints.txt` changed.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / "installed.sha256"
SAMPLE = ROOT / "examples" / "sample-workspace"
USAGE = """usage:
  python3 dev.py open [workbench args...]   open the workbench on the sample workspace
  python3 dev.py test [pytest args...]      run the whole test suite
  python3 dev.py screenshot                 regenerate docs/screenshot.svg for the README"""


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("open", "test", "screenshot"):
        print(USAGE, file=sys.stderr)
        return 2
    ensure_environment()
    command, rest = argv[0], argv[1:]
    if command == "open":
        return run([str(BIN / "workbench"), str(SAMPLE), *rest])
    if command == "screenshot":
        return run([str(BIN / "python"), str(ROOT / "docs" / "screenshot.py")])
    if "--snapshot-update" not in rest and not any(arg.startswith("-n") for arg in rest):
        # One worker per core. Updating snapshots stays in one process, so that "unused"
        # is judged over the whole suite and no worker deletes another's pictures.
        rest = ["-n", "auto", *rest]
    return run([str(BIN / "python"), "-m", "pytest", *rest])


def ensure_environment() -> None:
    wanted = hashlib.sha256(
        (ROOT / "pyproject.toml").read_bytes() + (ROOT / "constraints.txt").read_bytes()
    ).hexdigest()
    if STAMP.exists() and STAMP.read_text().strip() == wanted:
        return
    if not (BIN / "python").exists() and not (BIN / "python.exe").exists():
        print("Creating .venv …", file=sys.stderr)
        venv.create(VENV, with_pip=True)
    print("Installing agent-workbench and its pinned dependencies …", file=sys.stderr)
    pip = [str(BIN / "python"), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "-c", str(ROOT / "constraints.txt"), "-e", f"{ROOT}[dev]"], check=True)
    STAMP.write_text(wanted)


def run(command: list[str]) -> int:
    try:
        return subprocess.run(command, cwd=ROOT).returncode
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
