"""How long a populated store takes to start serving, beside `oxigraph serve` on the same data.

Run by hand: `python benchmarks/startup.py [--triples N] [--runs R]`. It builds a store with the
shipped graphs plus N synthetic triples, then times `tcap serve` from launch to the first 200 on
/healthz (goal: under 2 s), and `oxigraph serve` from launch to its first answer.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(url: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.01)
    raise TimeoutError(url)


def time_server(command: list[str], url: str, env: dict[str, str]) -> float:
    start = time.monotonic()
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_for(url, start + 60)
        return time.monotonic() - start
    finally:
        process.terminate()
        process.wait(timeout=30)


def oxigraph_binary() -> str:
    """The `oxigraph` server from the PyPI package, next to this Python or on PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    return str(beside) if beside.exists() else shutil.which("oxigraph") or "oxigraph"


def synthetic(path: Path, triples: int) -> None:
    with path.open("w") as out:
        for i in range(triples):
            out.write(f'<http://example.org/s{i // 10}> <http://example.org/p{i % 10}> "{i}" .\n')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="tcap-startup-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("TCAP_")}
    env["TCAP_STORE"] = str(work / "store")
    tcap = [sys.executable, "-m", "tcap_kg"]
    try:
        data = work / "synthetic.nt"
        synthetic(data, args.triples)
        subprocess.run([*tcap, "init"], env=env, check=True, capture_output=True)
        subprocess.run(
            [*tcap, "load", str(data), "--graph", "http://example.org/synthetic"],
            env=env,
            check=True,
            capture_output=True,
        )
        oxigraph_dir = work / "oxigraph-peer"
        subprocess.run(
            [oxigraph_binary(), "load", "--location", str(oxigraph_dir), "--file", str(data)],
            check=True,
            capture_output=True,
        )
        ours, peer = [], []
        for _ in range(args.runs):
            port = free_port()
            ours.append(
                time_server(
                    [*tcap, "serve", "--port", str(port), "--workers", "2"],
                    f"http://127.0.0.1:{port}/healthz",
                    env,
                )
            )
            port = free_port()
            peer.append(
                time_server(
                    [
                        oxigraph_binary(),
                        "serve",
                        "--location",
                        str(oxigraph_dir),
                        "--bind",
                        f"127.0.0.1:{port}",
                    ],
                    f"http://127.0.0.1:{port}/",
                    env,
                )
            )
        ours_median, peer_median = statistics.median(ours), statistics.median(peer)
        print(f"populated store: shipped graphs + {args.triples:,} triples, {args.runs} runs")
        print(f"{'server':<16}{'median start (s)':>18}{'runs':>30}")
        print(f"{'tcap serve':<16}{ours_median:>18.2f}{' '.join(f'{t:.2f}' for t in ours):>30}")
        print(f"{'oxigraph serve':<16}{peer_median:>18.2f}{' '.join(f'{t:.2f}' for t in peer):>30}")
        print(
            f"ratio tcap/oxigraph: {ours_median / peer_median:.1f}x; goal under 2 s: "
            f"{'met' if ours_median < 2 else 'NOT met'}"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
