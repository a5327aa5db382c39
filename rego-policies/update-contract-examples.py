#!/usr/bin/env python3
"""Refresh the JSON blocks in docs/contract.md from the files they show.

Between the markers
    <!-- include: PATH -->
    <!-- /include -->
the block is replaced by PATH's content (PATH relative to the repository root) in a ```json fence.
DocumentedExamplesTest checks that the doc and the files agree.
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "contract.md"
PATTERN = re.compile(r"(<!-- include: (?P<path>[^ ]+) -->\n)(?P<body>.*?)(<!-- /include -->)", re.S)


def render(match: re.Match) -> str:
    path = ROOT / match.group("path")
    if not path.is_file():
        sys.exit(f"docs/contract.md includes {match.group('path')}, which does not exist")
    content = path.read_text(encoding="utf-8").strip()
    return f"{match.group(1)}```json\n{content}\n```\n{match.group(4)}"


def main() -> None:
    text = DOC.read_text(encoding="utf-8")
    updated, n = PATTERN.subn(render, text)
    DOC.write_text(updated, encoding="utf-8")
    print(f"refreshed {n} blocks in {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
