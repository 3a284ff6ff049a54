"""Every real agent file in the shared corpus loads: listed, no traceback."""

from __future__ import annotations

import json
from collections import Counter

import pytest
import yaml

from tests.support.shared import shared_path
from workbench.agentfile.frontmatter import split
from workbench.agentfile.parse import parse_agent
from workbench.agentfile.spec import Origin
from workbench.cli import main


def test_whole_corpus_loads_through_the_cli(capsys: pytest.CaptureFixture[str], tmp_path) -> None:
    corpus = shared_path("corpus", "agents")
    files = sorted(corpus.rglob("*.md"))
    assert len(files) == 1182
    status = main(
        ["agents", "--workspace", str(tmp_path), "--agents", str(corpus), "--format", "json"]
    )
    assert status == 0
    items = [i for i in json.loads(capsys.readouterr().out) if i["origin"] == "explicit"]
    assert sorted(item["path"] for item in items) == sorted(map(str, files))
    assert all(item["name"] for item in items)
    assert all(item["description"] for item in items)
    codes = Counter(d["code"] for item in items for d in item["diagnostics"])
    assert codes["yaml-invalid"] == 83
    for absent in (
        "unreadable",
        "missing-name",
        "missing-description",
        "not-a-mapping",
        "mojibake",
    ):
        assert codes[absent] == 0, absent


def test_lenient_files_keep_their_colors_and_examples(
    capsys: pytest.CaptureFixture[str], tmp_path
) -> None:
    corpus = shared_path("corpus", "agents")
    main(["agents", "--workspace", str(tmp_path), "--agents", str(corpus), "--format", "json"])
    items = [i for i in json.loads(capsys.readouterr().out) if i["origin"] == "explicit"]
    invalid = [item for item in items if not item["yaml_valid"]]
    assert sum(1 for item in items if item["color"]) == 92
    assert all(item["name"] and item["description"] for item in invalid)
    contains_studio = [i for i in invalid if "contains-studio" in i["path"]]
    assert len(contains_studio) == 32
    assert all(i["color"] for i in contains_studio)
    assert all(i["examples"] for i in contains_studio)


def test_every_corpus_example_has_its_turns(capsys: pytest.CaptureFixture[str], tmp_path) -> None:
    """Generated examples come multi-line, on one line (`Context: … user: "…" assistant:
    "…"`), or with `<user_request>` tags: each shows who said what."""
    corpus = shared_path("corpus", "agents")
    main(["agents", "--workspace", str(tmp_path), "--agents", str(corpus), "--format", "json"])
    items = [i for i in json.loads(capsys.readouterr().out) if i["origin"] == "explicit"]
    examples = [example for item in items for example in item["examples"]]
    assert len(examples) == 676
    assert all(example["turns"] for example in examples)
    for example in examples:
        for turn in example["turns"]:
            assert not turn["text"].lower().startswith(("user:", "assistant:")), turn


def test_every_valid_corpus_frontmatter_reads_as_yaml_reads_it() -> None:
    corpus = shared_path("corpus", "agents")
    for path in sorted(corpus.rglob("*.md")):
        spec = parse_agent(path.read_bytes(), path, Origin.EXPLICIT)
        if not spec.yaml_valid:
            continue
        front = split(path.read_bytes().decode("utf-8-sig")).text
        expected = yaml.safe_load(front) or {}
        assert dict(spec.fields) == {str(key): value for key, value in expected.items()}, path
