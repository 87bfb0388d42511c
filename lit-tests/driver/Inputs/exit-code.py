"""Runs a command and prints `exit code: N` (or `killed by signal N`), so a RUN line can
check an exact exit status and that the tool did not crash."""

import subprocess
import sys

proc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
sys.stdout.write(proc.stderr.decode("utf-8", errors="replace")[:4000])
if proc.returncode < 0:
    print(f"killed by signal {-proc.returncode}")
else:
    print(f"exit code: {proc.returncode}")
