"""Ports and processes of the servers the tests start on 127.0.0.1 (plain module, importable from
every test folder, unlike a conftest)."""

from __future__ import annotations

import signal
import socket
import subprocess
import threading
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


class Listener:
    """A TCP server on 127.0.0.1 that counts every connection made to it (and closes it): what
    tests point hostile input at, to prove that nothing connects out."""

    def __init__(self) -> None:
        self.connections = 0
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self.port = int(self._socket.getsockname()[1])
        self._socket.listen(16)
        self._socket.settimeout(0.2)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._socket.accept()
            except TimeoutError:
                continue
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self._socket.close()
