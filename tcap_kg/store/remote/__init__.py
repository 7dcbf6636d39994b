"""A remote SPARQL 1.1 server as the store (`TCAP_STORE=sparql+http(s)://...`).

`store` is the `Store` itself; `transport` speaks HTTP to the server, `portable` and `rewrite`
make terms and text fit what the server holds, `answers` reads its answers, `spool` prepares
writes, and `probe` finds out what the server does with all of it.
"""

from .endpoints import Endpoints, is_remote
from .store import STORE_GRAPH, RemoteStore, open_remote

__all__ = ["STORE_GRAPH", "Endpoints", "RemoteStore", "is_remote", "open_remote"]
