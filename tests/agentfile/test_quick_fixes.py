"""Quick fixes: the lines a fix replaces, found without writing anything."""

from __future__ import annotations

from pathlib import Path

from workbench.agentfile.lint import check
from workbench.agentfile.parse import parse_agent
from workbench.agentfile.quick_fixes import QuickFix, quick_fixes
from workbench.agentfile.spec import Origin


def fixes_for(text: str, path: Path) -> list[tuple[str, QuickFix | None]]:
    spec = check(parse_agent(text.encode(), path, Origin.EXPLICIT, named=True))
    return list(zip((d.code for d in spec.diagnostics), quick_fixes(spec, text), strict=True))


def test_a_tool_in_a_flow_list_is_replaced_alone(tmp_path: Path) -> None:
    text = "---\nname: a\ndescription: x\ntools: [Read, Grpe]  # Grpe\n---\nBody\n"
    [(code, fix)] = fixes_for(text, tmp_path / "a.md")
    assert code == "unknown-tool" and fix is not None
    assert fix.label == "Grpe → Grep"
    [change] = fix.changes
    assert (change.line, change.after) == (4, "tools: [Read, Grep]  # Grpe")


def test_a_description_with_mojibake_and_a_colon_is_quoted_after_the_repair(
    tmp_path: Path,
) -> None:
    text = "---\nname: a\ndescription: Use it when: nÂ² rows\n---\nBody\r\n"
    found = dict(fixes_for(text, tmp_path / "a.md"))
    mojibake = found["mojibake"]
    assert mojibake is not None
    assert mojibake.changes[0].after == "description: Use it when: n² rows"
    assert found["yaml-invalid"] is None, "offered once the mojibake repair is made"
    repaired = text.replace("Â²", "²")
    quoted = dict(fixes_for(repaired, tmp_path / "a.md"))["yaml-invalid"]
    assert quoted is not None
    assert quoted.changes[0].after == "description: 'Use it when: n² rows'"
