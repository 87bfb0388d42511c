"""Prints the README's model x stage table of the real-model zoo as Markdown, from a run of
``test_stages.py`` (pytest's output goes to stderr; extra arguments are passed to pytest):

    JOINERY_TOOLS_DIR=target/debug .venv/bin/python tests/torch/zoo_table.py > table.md

Each cell is the outcome with ``--decompositions none`` / ``core``: ✓ passed, a footnote
number for a known gap (the reason of its strict xfail in ``test_stages.GAPS``), ``FAIL``
and a footnote with the error for anything else (a new failure, or a gap that no longer
fails as its entry says). The exit status is pytest's.
"""

from __future__ import annotations

import contextlib
import re
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import test_stages  # noqa: E402


class Outcomes:
    """A pytest plugin recording the outcome of every (model, mode, stage) cell."""

    def __init__(self):
        self.cells: dict[tuple[str, str, str], str | None] = {}
        """``None`` for a pass, the xfail reason for a known gap, ``FAIL: <error>`` otherwise."""

    def pytest_runtest_logreport(self, report):
        m = re.search(r"\[(\w+)-(\w+)-([\w.-]+)\]$", report.nodeid)
        if m is None or (report.when != "call" and report.passed):
            return
        key = (m.group(1), m.group(2), m.group(3))
        if hasattr(report, "wasxfail"):
            self.cells[key] = report.wasxfail
        elif report.passed:
            self.cells[key] = None
        else:
            self.cells[key] = "FAIL: " + failure_line(report.longreprtext)


def failure_line(text: str) -> str:
    """The first line of pytest's report of a failure that says what went wrong."""
    lines = text.splitlines()
    first = next((ln[1:].strip() for ln in lines if ln.startswith("E ")), None)
    return first or next((ln.strip() for ln in lines if ln.strip()), "no report")


def table(cells: dict) -> str:
    """The Markdown table with numbered footnotes for the reasons, and a summary line."""
    notes: list[str] = []

    def mark(name: str, mode: str, stage: str) -> str:
        if (name, mode, stage) not in cells:
            return "?"
        outcome = cells[name, mode, stage]
        if outcome is None:
            return "✓"
        if outcome not in notes:
            notes.append(outcome)
        n = notes.index(outcome) + 1
        return f"FAIL[{n}]" if outcome.startswith("FAIL: ") else f"[{n}]"

    stages = test_stages.STAGES
    lines = ["| model | " + " | ".join(s.replace("partition-", "partition ") for s in stages)
             + " |", "|---|" + "---|" * len(stages)]
    complete = 0
    for name in test_stages.NAMES:
        row = [" / ".join(mark(name, mode, s) for mode in test_stages.MODES) for s in stages]
        complete += all(cells.get((name, mode, s), "?") is None
                        for mode in test_stages.MODES for s in stages)
        lines.append(f"| {name} | " + " | ".join(row) + " |")
    passed = sum(v is None for v in cells.values())
    lines.append("")
    lines.append(f"{complete} of {len(test_stages.NAMES)} models pass every stage in both modes; "
                 f"{passed} of {len(cells)} cells pass.")
    lines.append("")
    lines += [f"[{i + 1}] {n}  " for i, n in enumerate(notes)]
    if lines[-1].endswith("  "):
        lines[-1] = lines[-1].rstrip()
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    outcomes = Outcomes()
    with contextlib.redirect_stdout(sys.stderr):
        status = pytest.main([str(HERE / "test_stages.py"), "-q", "-p", "no:cacheprovider",
                              *argv], plugins=[outcomes])
    print(table(outcomes.cells))
    return int(status)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
