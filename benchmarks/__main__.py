"""`python -m benchmarks [--quick] [--json PATH] [names...]`, run from the repository root."""

from __future__ import annotations

import argparse
import sys

from benchmarks import (
    chat_app,
    chat_history,
    chat_stream,
    editor_typing,
    engine_stream,
    first_frame,
    lint_corpus,
    open_markdown,
    prompt_paste,
    roster_load,
    tool_glob,
    tool_grep,
    tool_read,
    watch_files,
)
from benchmarks.runner import Status, print_table, run_all, write_json

BENCHMARKS = {
    b.name: b
    for b in (
        first_frame.BENCHMARK,
        roster_load.BENCHMARK,
        lint_corpus.BENCHMARK,
        engine_stream.BENCHMARK,
        tool_read.BENCHMARK,
        tool_grep.BENCHMARK,
        tool_glob.BENCHMARK,
        chat_stream.BENCHMARK,
        chat_app.BENCHMARK,
        chat_history.BENCHMARK,
        prompt_paste.BENCHMARK,
        open_markdown.BENCHMARK,
        editor_typing.BENCHMARK,
        watch_files.BENCHMARK,
    )
}


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Measure the workbench against baselines run alongside it. Exit status: "
        "0 whether goals are met or not, 1 if a benchmark crashed.",
    )
    parser.add_argument("--quick", action="store_true", help="fewer rounds and sizes")
    parser.add_argument("--json", metavar="PATH", help="also write results as JSON; - for stdout")
    parser.add_argument(
        "names", nargs="*", metavar="NAME", help=f"default: all of {', '.join(BENCHMARKS)}"
    )
    options = parser.parse_args()
    unknown = [name for name in options.names if name not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
    chosen = [BENCHMARKS[name] for name in options.names or BENCHMARKS]
    results = run_all(chosen, quick=options.quick)
    print_table(results)
    if options.json:
        write_json(results, options.json, quick=options.quick)
    return 1 if any(result.status is Status.CRASHED for result in results) else 0


if __name__ == "__main__":
    sys.exit(main())
