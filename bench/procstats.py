"""What the benchmarks read about processes: CPU, process trees, memory (Linux /proc), and the
commit being measured."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path

CLK_TCK = os.sysconf("SC_CLK_TCK")
ROOT = Path(__file__).resolve().parent.parent


def all_stats() -> dict[int, tuple[int, str, float]]:
    """pid -> (parent pid, command name, CPU seconds) of every process."""
    stats = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            raw = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        name = raw[raw.index("(") + 1 : raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2 :].split()
        cpu = (int(fields[11]) + int(fields[12])) / CLK_TCK
        stats[int(entry)] = (int(fields[1]), name, cpu)
    return stats


def process_tree(root: int, stats: dict[int, tuple[int, str, float]] | None = None) -> list[int]:
    """`root` and every process below it."""
    stats = stats if stats is not None else all_stats()
    found, frontier = [root], [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, (ppid, _, _) in stats.items() if ppid == parent]
        found += children
        frontier += children
    return found


def rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total / 1024


def code_revision() -> str:
    """The commit measured, and whether src/ or migrations/ had uncommitted changes."""
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "src", "migrations"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return f"{head}+uncommitted" if dirty else head


def py_spy_record(pid: int, seconds: float, output: Path) -> subprocess.Popen[bytes]:
    """py-spy on one process (non-blocking sampling, 100 Hz), collapsed stacks to `output`."""
    spy = str(Path(sys.executable).with_name("py-spy"))
    sampling = ["--duration", str(int(seconds)), "--rate", "100", "--nonblocking"]
    return subprocess.Popen(
        [spy, "record", "--pid", str(pid), *sampling, "--format", "raw", "--output", str(output)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
