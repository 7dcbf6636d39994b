"""Query executors without a network: defence in depth below the guard.

The guard decides on a parse whether a query may call SERVICE or LOAD; if it ever got that
wrong, the executor must still be unable to connect anywhere. On Linux each executor moves into
a fresh network namespace right after it is forked (with a new user namespace where the process
is not privileged), where only a loopback that is down exists, so a socket cannot reach any host,
this machine included. The executors talk to the service over inherited socket pairs, which keep
working. Where the kernel refuses (another OS, a container that forbids namespaces), the service
says so in its log at start, and the guard is the only line.

Executors keep the network when they need it: a remote store is reached over HTTP, and an
operator's SERVICE allow-list needs outgoing connections.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import signal
import sys

from ..settings import Settings
from ..store import store_kind

log = logging.getLogger(__name__)

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
PR_SET_PDEATHSIG = 1


def wanted(settings: Settings) -> str | None:
    """None if executors should lose the network, else why they keep it."""
    if store_kind(settings.store_location) == "remote":
        return "the store is a remote SPARQL server, which executors reach over the network"
    if settings.service_allow:
        return "TCAP_SERVICE_ALLOW lists endpoints that SERVICE may call"
    return None


def isolate() -> str | None:
    """Take this process off the network; None on success, else the reason it could not."""
    if not sys.platform.startswith("linux"):
        return f"network namespaces need Linux (this is {sys.platform})"
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    flags = [CLONE_NEWNET] if os.geteuid() == 0 else []
    flags.append(CLONE_NEWUSER | CLONE_NEWNET)
    reasons = []
    for flag in flags:
        if libc.unshare(flag) == 0:
            return None
        reasons.append(os.strerror(ctypes.get_errno()))
    return "unshare() refused: " + "; ".join(reasons)


def probe() -> str | None:
    """Whether a forked child can isolate itself, asked once at start (None: it can)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(read_end)
            reason = isolate()
            os.write(write_end, (reason or "").encode()[:500])
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as answer:
        reason = answer.read().decode()
    os.waitpid(pid, 0)
    return reason or None


def announce(settings: Settings) -> bool:
    """Log at start whether executors run without a network; True if they will be isolated."""
    keep = wanted(settings)
    if keep is not None:
        log.warning(
            "query executors keep network access: %s; the guard alone stops SERVICE "
            "and LOAD to other endpoints",
            keep,
        )
        return False
    reason = probe()
    if reason is not None:
        log.warning(
            "query executors cannot be taken off the network here (%s); the guard "
            "alone stops SERVICE and LOAD",
            reason,
        )
        return False
    log.info("query executors run in their own network namespace: they cannot connect anywhere")
    return True


def die_with_parent() -> None:
    """Ask the kernel to kill this process when its parent dies (Linux; elsewhere a no-op), so
    a killed server or test leaves no service, executor or web worker behind."""
    name = ctypes.util.find_library("c")
    if name is None or not sys.platform.startswith("linux"):
        return
    ctypes.CDLL(name, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
