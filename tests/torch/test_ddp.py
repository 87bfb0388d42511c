"""DistributedDataParallel around a model compiled with ``backend="joinery"``: two
processes (``torchrun``, gloo on loopback) train as eager DDP does (``ddp_train.py``)."""

import os
import subprocess
import sys
from pathlib import Path


def test_ddp_two_processes_match_eager(tmp_path):
    script = Path(__file__).with_name("ddp_train.py")
    env = dict(os.environ, JOINERY_CACHE_DIR=str(tmp_path / "cache"), OMP_NUM_THREADS="1",
               JOINERY_NUM_THREADS="1")
    p = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone",
                        "--nproc-per-node", "2", str(script)],
                       capture_output=True, text=True, env=env, timeout=600)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "max relative parameter difference" in p.stdout
