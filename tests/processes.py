"""Ports and processes of the servers the tests start on 127.0.0.1 (plain module, importable from
every test folder, unlike a conftest)."""

from __future__ import annotations

import signal
import socket
import subprocess


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
