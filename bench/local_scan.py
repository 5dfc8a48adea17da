#!/usr/bin/env python3
"""Benchmark: `soc2 check` over the whole corpus of pipeline files.

Builds the release binary, then runs `soc2 check` with all rules over every repository in
../shared/corpus/gha (43 repositories, 921 files) and ../shared/corpus/gitlab (27 projects,
60 files, includes and child pipelines resolved) in one run, RUNS times, and reports the
median and best wall time and the peak resident memory of each output format, then the same
for the GitLab corpus alone. Targets (issue 2): < 1.0 s wall and < 100 MB peak memory on a
2-core machine.

Usage: python3 bench/local_scan.py [RUNS]
"""

import os
import resource
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "..", "shared", "corpus")
SETS = {"gha+gitlab": ["gha", "gitlab"], "gitlab": ["gitlab"]}
BIN = os.path.join(os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target"), "release", "soc2")


def repos(kinds: list[str]) -> list[str]:
    out = []
    for kind in kinds:
        base = os.path.join(CORPUS, kind)
        out += sorted(
            os.path.join(kind, d) for d in os.listdir(base) if os.path.isdir(os.path.join(base, d))
        )
    return out


def run_once(fmt: str, kinds: list[str]) -> tuple[float, int]:
    start = time.perf_counter()
    proc = subprocess.Popen(
        [BIN, "check", "--format", fmt, *repos(kinds)],
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
    for name, kinds in SETS.items():
        files = sum(
            len([f for f in fs if f.endswith((".yml", ".yaml"))])
            for k in kinds
            for _, _, fs in os.walk(os.path.join(CORPUS, k))
        )
        print(
            f"{name}: {len(repos(kinds))} repositories ({files} YAML files), "
            f"{os.cpu_count()} cores, {runs} runs per format"
        )
        for fmt in ["table", "json", "sarif", "junit"]:
            run_once(fmt, kinds)  # warm the page cache
            samples = [run_once(fmt, kinds) for _ in range(runs)]
            walls = [s[0] for s in samples]
            peak = max(s[1] for s in samples) / 1024
            print(
                f"  {fmt:6} median {statistics.median(walls):.3f} s  best {min(walls):.3f} s  "
                f"peak RSS {peak:.1f} MB"
            )


if __name__ == "__main__":
    main()
