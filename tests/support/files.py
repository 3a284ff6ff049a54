"""Writing agent files for tests."""

from __future__ import annotations

from pathlib import Path


def write_agent(folder: Path, name: str, text: str | bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", newline="")
    return path


def agent_text(
    name: str = "helper", description: str = "Helps.", body: str = "Do it.\n", **keys: str
) -> str:
    lines = ["---", f"name: {name}", f"description: {description}"]
    lines += [f"{key}: {value}" for key, value in keys.items()]
    return "\n".join([*lines, "---", "", body])
