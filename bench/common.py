"""What the benchmark scripts share: the CPU model printed with every table, medians, and
scratch directories."""
import atexit
import platform
import shutil
import tempfile
import time


def cpu_model():
    """The CPU's model name from /proc/cpuinfo (or what the platform reports)."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def scratch_dir(prefix):
    """A fresh temporary directory, removed with its contents when the script exits."""
    path = tempfile.mkdtemp(prefix=prefix)
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def median(xs):
    """The median of `xs` (the upper one for an even count)."""
    xs = sorted(xs)
    return xs[len(xs) // 2]


def median_ms(f, iters):
    """Median wall time of `iters` calls of `f`, in milliseconds, after one warm-up call."""
    f()
    ts = []
    for _ in range(iters):
        t = time.perf_counter()
        f()
        ts.append(time.perf_counter() - t)
    return median(ts) * 1e3


def write_table(lines, out):
    """Prints the Markdown table `lines` and, when `out` is given, writes it there too."""
    table = "\n".join(lines)
    print(table)
    if out:
        with open(out, "w") as f:
            f.write(table + "\n")
