#!/usr/bin/env python3
"""Adds up cargo test's, lit's and pytest's results into one closing line for `make test`.

Prints per-runner totals, then `total: N passed, N failed, N skipped`, and exits
non-zero when either runner failed (including a build failure that ran no test).
"""

import argparse
import re
import sys

CARGO_RESULT = re.compile(
    r"^test result: \w+\. (\d+) passed; (\d+) failed; (\d+) ignored", re.M
)
LIT_LINE = re.compile(r"^\s+([A-Za-z ]+?)\s*:\s*(\d+)", re.M)
LIT_PASSED = {"Passed", "Expectedly Failed"}
LIT_SKIPPED = {"Unsupported", "Skipped", "Excluded"}


def cargo_counts(text):
    passed = failed = skipped = 0
    for m in CARGO_RESULT.finditer(text):
        passed += int(m.group(1))
        failed += int(m.group(2))
        skipped += int(m.group(3))
    return passed, failed, skipped


def lit_counts(text):
    passed = failed = skipped = 0
    summary = text[text.rfind("Total Discovered Tests") :] if "Total Discovered Tests" in text else ""
    for m in LIT_LINE.finditer(summary):
        kind, n = m.group(1).strip(), int(m.group(2))
        if kind in LIT_PASSED:
            passed += n
        elif kind in LIT_SKIPPED:
            skipped += n
        else:
            failed += n
    return passed, failed, skipped


PYTEST_COUNT = re.compile(r"(\d+) (passed|failed|skipped|errors?)")


def pytest_counts(text):
    passed = failed = skipped = 0
    lines = [line for line in text.splitlines() if re.search(r"\d+ (passed|failed|errors?)", line)]
    for n, kind in PYTEST_COUNT.findall(lines[-1] if lines else ""):
        if kind == "passed":
            passed += int(n)
        elif kind == "skipped":
            skipped += int(n)
        else:
            failed += int(n)
    return passed, failed, skipped


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--cargo", nargs=2, metavar=("LOG", "RC"), required=True)
    ap.add_argument("--lit", nargs=2, metavar=("LOG", "RC"), required=True)
    ap.add_argument("--pytest", nargs=2, metavar=("LOG", "RC"), required=True)
    args = ap.parse_args()
    total = [0, 0, 0]
    ok = True
    for name, (log, rc), count in (
        ("cargo", args.cargo, cargo_counts),
        ("lit", args.lit, lit_counts),
        ("pytest", args.pytest, pytest_counts),
    ):
        try:
            with open(log, encoding="utf-8", errors="replace") as f:
                text = f.read()
        except OSError:
            text = ""
        p, f_, s = count(text)
        if int(rc) != 0 and f_ == 0:
            # The runner failed without reporting a failed test: a build or setup error.
            f_ = 1
        ok &= int(rc) == 0 and f_ == 0
        print(f"{name}: {p} passed, {f_} failed, {s} skipped")
        total = [a + b for a, b in zip(total, (p, f_, s))]
    print(f"total: {total[0]} passed, {total[1]} failed, {total[2]} skipped")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
