"""How long `codegen generate` takes on the real spec: cold, with nothing to do, after an edit.

Issue 9's targets on 2 cores: a cold generation (empty layout cache) within 15 s, a run that
changes nothing within 2 s, and a run after a one-file spec edit (a description in usage.yaml)
within 5 s. Each case runs `python -m codegen generate` on a copy of spec/ in a scratch folder;
the CPU time of the run and its worker processes and the load average are printed beside the
wall time, since other work on the machine slows the parallel part down.

    python -m tests.generation_times [--rounds N]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"cold": 15.0, "no-op": 2.0, "edit usage.yaml": 5.0}


def timed_generate(spec: Path, out: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process and its children) of one generation."""
    env = {k: v for k, v in os.environ.items() if k != "CODEGEN_CACHE"}
    env["PYTHONPATH"] = str(ROOT)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "codegen", "generate", "--spec", str(spec), "--out", str(out)],
        cwd=spec.parent,
        env=env,
        check=True,
        capture_output=True,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def one_round(scratch: Path) -> dict[str, tuple[float, float]]:
    spec, out = scratch / "spec", scratch / "out"
    shutil.copytree(ROOT / "spec", spec)
    times = {"cold": timed_generate(spec, out), "no-op": timed_generate(spec, out)}
    usage = spec / "usage.yaml"
    text = usage.read_text(encoding="utf-8")
    usage.write_text(text.replace("description: ", "description: Edited. ", 1), encoding="utf-8")
    times["edit usage.yaml"] = timed_generate(spec, out)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.generation_times", description=__doc__)
    parser.add_argument("--rounds", type=int, default=1, help="rounds; the median is shown")
    args = parser.parse_args(argv)
    rounds = []
    for _ in range(args.rounds):
        with tempfile.TemporaryDirectory(prefix="codegen-times-") as scratch:
            rounds.append(one_round(Path(scratch)))
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} after the runs")
    for case, target in TARGETS.items():
        wall = statistics.median(r[case][0] for r in rounds)
        cpu = statistics.median(r[case][1] for r in rounds)
        met = "met" if wall <= target else "NOT met"
        print(f"{case:16} {wall:6.2f} s wall, {cpu:6.2f} s CPU  (target {target:.0f} s: {met})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
