"""Ports and processes of the servers the tests start on 127.0.0.1 (plain module, importable from
every test folder, unlike a conftest)."""

from __future__ import annotations

import signal
import socket
import subprocess
from pathlib import Path


def free_port() -> int:
    """A TCP port nobody listens on right now, for servers started by tests."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def stop(
    process: subprocess.Popen[bytes], *, timeout: float, how: signal.Signals = signal.SIGTERM
) -> None:
    """Ask a server to stop (`how`), and kill it if it has not within `timeout` seconds."""
    process.send_signal(how)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def descendants(pid: int) -> list[int]:
    """A process and everything below it (a server's workers, its query service, executors)."""
    found = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            children = task.read_text().split()
        except OSError:
            continue
        for child in children:
            found += descendants(int(child))
    return found


def pss_bytes(pid: int) -> int:
    """Proportional set size of a process tree: shared pages counted once across it."""
    total = 0
    for member in descendants(pid):
        try:
            rollup = Path(f"/proc/{member}/smaps_rollup").read_text()
        except OSError:
            continue
        for line in rollup.splitlines():
            if line.startswith("Pss:"):
                total += int(line.split()[1]) * 1024
    return total
