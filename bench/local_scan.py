#!/usr/bin/env python3
"""Benchmark: `soc2 check` over the whole GitHub Actions corpus.

Builds the release binary, then runs `soc2 check` with all rules over every repository in
../shared/corpus/gha (43 repositories, 921 files) RUNS times, and reports the median and best
wall time and the peak resident memory of each output format. Targets (issue 2): < 1.0 s wall
and < 100 MB peak memory on a 2-core machine.

Usage: python3 bench/local_scan.py [RUNS]
"""

import os
import resource
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "..", "shared", "corpus", "gha")
BIN = os.path.join(ROOT, "target", "release", "soc2")


def run_once(fmt: str) -> tuple[float, int]:
    repos = sorted(d for d in os.listdir(CORPUS) if os.path.isdir(os.path.join(CORPUS, d)))
    start = time.perf_counter()
    proc = subprocess.Popen(
        [BIN, "check", "--format", fmt, *repos],
        cwd=CORPUS,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        sys.exit(f"soc2 check exited with {code}")
    return elapsed, usage.ru_maxrss  # KiB on Linux


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    files = sum(len(f) for _, _, f in os.walk(CORPUS))
    print(f"corpus: {CORPUS} ({files} files), {os.cpu_count()} cores, {runs} runs per format")
    for fmt in ["table", "json", "sarif", "junit"]:
        run_once(fmt)  # warm the page cache
        samples = [run_once(fmt) for _ in range(runs)]
        walls = [s[0] for s in samples]
        peak = max(s[1] for s in samples) / 1024
        print(
            f"{fmt:6} median {statistics.median(walls):.3f} s  best {min(walls):.3f} s  "
            f"peak RSS {peak:.1f} MB"
        )


if __name__ == "__main__":
    main()
