"""Progress lines on stderr for the steps of an export, in the format of joinery's tools:
``step 2/4 trace the joint ... 1.2 s``. On when asked (``--progress``) or when stderr is a
terminal; off otherwise, so pipes and tests see nothing."""

from __future__ import annotations

import contextlib
import sys
import time


class Steps:
    """A fixed number of named steps, numbered as they run."""

    def __init__(self, total: int, asked: bool = False):
        self.on = asked or sys.stderr.isatty()
        self.total = total
        self.done = 0

    @classmethod
    def quiet(cls) -> Steps:
        """Steps that print nothing, terminal or not."""
        steps = cls(0)
        steps.on = False
        return steps

    @contextlib.contextmanager
    def step(self, name: str):
        """Runs the ``with`` body as the next step, named ``name``; when on, prints the step
        before it and its wall time after it on the same line."""
        self.done += 1
        if not self.on:
            yield
            return
        print(f"step {self.done}/{self.total} {name} ... ", end="", file=sys.stderr, flush=True)
        start = time.monotonic()
        try:
            yield
        finally:
            print(f"{time.monotonic() - start:.1f} s", file=sys.stderr, flush=True)
