"""Soak: `tcap serve --update` under mixed load for minutes (issue 19, items 6 and the numbers).

Run by hand (10 minutes by default):

    python benchmarks/soak.py --work /tmp/ops-bench [--minutes 10] [--cities 1000] \
        [--tcap-env TCAP_CACHE_BYTES=8388608]

On a fresh copy of a store with the shipped graphs and `--cities` synthetic cities, at once:

- `--readers` clients (each its own address, through 127.0.0.1 as a trusted proxy) send the
  endpoint benchmark's query mix in turn, one query after the other;
- a writer sends a one-triple `INSERT DATA` with a new subject every `--update-every` seconds
  and remembers each one the server acknowledged (200);
- every `--load-every` seconds `tcap load --no-validate` replaces a graph of about 20,000
  synthetic triples in the same store;
- `--slow` connections trickle their headers (opened again whenever the server cuts one);
- every `--kill-every` seconds one executor of the query service gets SIGKILL.

Prints, minute by minute, the reads' answers, errors by status and problem type, p50/p99, the
updates' outcomes and the memory (PSS) of all server processes by role; then the memory at
1 minute and at the end (goal: end <= 1.2x the first minute), the executors (back to their
number?) and the acknowledged writes lost (goal 0), checked with one query after the load stops.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "ops"))
sys.path.insert(0, str(Path(__file__).resolve().parent / "endpoint"))

from bench import add_tcap_env_option, tcap_env
from common import (
    MIB,
    MIX,
    Sample,
    Sampler,
    SlowClients,
    Tcap,
    describe,
    post_update,
    prepared_store,
    problem_kind,
    serve,
    sparql_path,
    synth_file,
)

SOAK_GRAPH = "https://w3id.org/tcap-kg/graph/dataset/soak"
LOADED = "https://w3id.org/tcap-kg/graph/external/soak-load"
SUBJECT = "http://example.org/soak/"
LOAD_TRIPLES = 20_000


class Writer(threading.Thread):
    """One-triple updates with a new subject each, every `every` seconds."""

    def __init__(self, server: Tcap, token: str, every: float) -> None:
        super().__init__(daemon=True)
        self.server, self.token, self.every = server, token, every
        self.samples: list[Sample] = []
        self.acknowledged: list[int] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        number = 0
        while not self.stopping.is_set():
            number += 1
            update = (
                f"INSERT DATA {{ GRAPH <{SOAK_GRAPH}> {{ <{SUBJECT}{number}> "
                f'<http://example.org/soak/p> "{number}" }} }}'
            )
            started = time.monotonic()
            connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=600)
            kind = ""
            try:
                status, body = post_update(connection, update, self.token)
                if status == 200:
                    self.acknowledged.append(number)
                else:
                    kind = problem_kind(body)
            except (OSError, http.client.HTTPException) as exc:
                status, kind = 0, type(exc).__name__
            finally:
                connection.close()
            finished = time.monotonic()
            self.samples.append(Sample(started, finished - started, status, kind))
            self.stopping.wait(max(0.0, self.every - (finished - started)))


class Chaos(threading.Thread):
    """Loads into the store and kill -9 of an executor, on their schedules."""

    def __init__(self, server: Tcap, data: Path, load_every: float, kill_every: float) -> None:
        super().__init__(daemon=True)
        self.server, self.data = server, data
        self.load_every, self.kill_every = load_every, kill_every
        self.loads: list[tuple[float, float, int]] = []
        self.kills: list[tuple[float, int]] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        started = time.monotonic()
        next_load, next_kill = started + self.load_every, started + self.kill_every
        while not self.stopping.wait(0.5):
            now = time.monotonic()
            if now >= next_kill:
                next_kill += self.kill_every
                executors = self.server.executors()
                if executors:
                    os.kill(executors[0], signal.SIGKILL)
                    self.kills.append((now, executors[0]))
            if now >= next_load:
                next_load += self.load_every
                command = ["load", "--no-validate", "--graph", LOADED, str(self.data)]
                loading = subprocess.run(
                    [sys.executable, "-m", "tcap_kg", *command],
                    env=self.server.env,
                    capture_output=True,
                    check=False,
                )
                self.loads.append((now, time.monotonic() - now, loading.returncode))


def create_token(server: Tcap) -> str:
    made = subprocess.run(
        [sys.executable, "-m", "tcap_kg", "token", "create", "--name", "soak"],
        env=server.env,
        capture_output=True,
        text=True,
        check=True,
    )
    return made.stdout.strip().splitlines()[-1]


def stored_subjects(server: Tcap) -> set[int]:
    """The numbers of the soak subjects the server holds now."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    query = f"SELECT ?s WHERE {{ GRAPH <{SOAK_GRAPH}> {{ ?s ?p ?o }} }}"
    connection.request(
        "GET", sparql_path(query), headers={"Accept": "application/sparql-results+json"}
    )
    response = connection.getresponse()
    rows = json.loads(response.read())["results"]["bindings"]
    connection.close()
    return {int(row["s"]["value"].removeprefix(SUBJECT)) for row in rows}


def memory_line(server: Tcap) -> tuple[int, str]:
    roles = server.pss_by_role()
    total = sum(roles.values())
    shown = ", ".join(f"{role} {value / MIB:.0f}" for role, value in roles.items())
    return total, f"PSS {total / MIB:.0f} MiB ({shown})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "tcap-ops-bench")
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--cities", type=int, default=1000)
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument("--update-every", type=float, default=5.0)
    parser.add_argument("--load-every", type=float, default=120.0)
    parser.add_argument("--slow", type=int, default=100)
    parser.add_argument("--kill-every", type=float, default=60.0)
    add_tcap_env_option(parser)
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    data = synth_file(args.work, triples=LOAD_TRIPLES)
    store = prepared_store(args.work, args.cities, scratch=True)
    server = serve(
        args.work,
        store,
        {
            "TCAP_UPDATE": "on",
            "TCAP_TRUSTED_PROXIES": "127.0.0.1",
            "TCAP_QUERY_TIMEOUT": "25",
            **tcap_env(args),
        },
    )
    try:
        token = create_token(server)
        executors = len(server.executors())
        paths = [sparql_path(query) for query in MIX.values()]
        started = time.monotonic()
        readers = [
            Sampler(
                server.port,
                paths[number:] + paths[:number],
                interval=0,
                timeout=60,
                headers={"X-Forwarded-For": f"10.0.2.{number}"},
            ).start()
            for number in range(args.readers)
        ]
        writer = Writer(server, token, args.update_every)
        writer.start()
        chaos = Chaos(server, data, args.load_every, args.kill_every)
        chaos.start()
        slow = SlowClients(server.port, args.slow, reconnect=True).start()
        print(
            f"soak of {args.minutes:g} min: {args.readers} readers of the mix, an update every "
            f"{args.update_every:g} s, a {LOAD_TRIPLES}-triple load every {args.load_every:g} s, "
            f"{args.slow} slow connections, kill -9 of an executor every {args.kill_every:g} s",
            flush=True,
        )
        memory: list[int] = []
        for minute in range(1, int(args.minutes) + 1):
            time.sleep(max(0.0, started + 60 * minute - time.monotonic()))
            left = started + 60 * (minute - 1)
            reads = [s for r in readers for s in list(r.samples) if left <= s.at]
            reads = [s for s in reads if s.at < left + 60]
            updates = [s for s in list(writer.samples) if left <= s.at < left + 60]
            total, line = memory_line(server)
            memory.append(total)
            print(f"minute {minute:>3}: reads  {describe(reads)}", flush=True)
            print(f"            updates {describe(updates)}", flush=True)
            print(f"            {line}; slow connections cut so far {slow.cut}", flush=True)
        slow.stop()
        chaos.stopping.set()
        writer.stopping.set()
        for reader in readers:
            reader.stop()
        chaos.join()
        writer.join()
        time.sleep(2.0)
        every_read = [s for r in readers for s in r.samples]
        print(f"all reads:   {describe(every_read)}")
        print(f"all updates: {describe(writer.samples)}")
        print(
            "loads: "
            + ", ".join(f"exit {code} in {seconds:.1f} s" for _, seconds, code in chaos.loads)
        )
        print(
            f"executors killed: {len(chaos.kills)}; executors now {len(server.executors())} "
            f"(started with {executors})"
        )
        lost = sorted(set(writer.acknowledged) - stored_subjects(server))
        print(
            f"acknowledged writes: {len(writer.acknowledged)}, lost: {len(lost)} (goal 0)"
            + (f": {lost[:20]}" if lost else "")
        )
        if memory:
            growth = memory[-1] / memory[0]
            print(
                f"memory: {memory[0] / MIB:.0f} MiB at 1 min, {memory[-1] / MIB:.0f} MiB at "
                f"{len(memory)} min -> {growth:.2f}x (goal <= 1.2x) "
                f"{'met' if growth <= 1.2 else 'MISSED'}"
            )
    finally:
        server.stop()


if __name__ == "__main__":
    main()
