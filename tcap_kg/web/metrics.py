"""Prometheus metrics at `/metrics`: requests, latency, timeouts, errors by kind, cache hits.

Under `tcap serve` the web workers are separate processes, so the counters use prometheus_client's
multiprocess mode (`PROMETHEUS_MULTIPROC_DIR`, set by `tcap serve` before any worker starts) and a
scrape sums all workers. prometheus_client picks its storage when first imported, which is why it is
imported here only when an app is built: by then `tcap serve` has set the directory. Without that
variable (tests, `granian server:app` without it) each process reports its own counters.
"""

from __future__ import annotations

import os
import time
from functools import cache

from flask import Blueprint, Flask, Response, g, request

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)

metrics_blueprint = Blueprint("metrics", __name__)


class Metrics:
    """The app's instruments, registered once per process."""

    def __init__(self) -> None:
        from prometheus_client import Counter, Histogram  # noqa: PLC0415 (see module docstring)

        self.requests = Counter(
            "tcap_http_requests",
            "HTTP requests answered, by route, method and status.",
            ["route", "method", "status"],
        )
        self.latency = Histogram(
            "tcap_http_request_duration_seconds",
            "Time to answer a request, by route.",
            ["route"],
            buckets=LATENCY_BUCKETS,
        )
        self.errors = Counter("tcap_errors", "Error answers, by kind of problem.", ["kind"])
        self.timeouts = Counter(
            "tcap_query_timeouts", "Queries stopped at the timeout (their worker was killed)."
        )
        self.cache_hits = Counter(
            "tcap_cache_hits", "Query answers served from the result cache or as 304."
        )

    def install(self, app: Flask) -> None:
        """Time and count every request of the app."""

        @app.before_request
        def _start() -> None:
            g.tcap_started = time.perf_counter()

        @app.after_request
        def _count(response: Response) -> Response:
            started = g.get("tcap_started")
            route = request.url_rule.rule if request.url_rule is not None else "unmatched"
            if started is not None:
                self.latency.labels(route).observe(time.perf_counter() - started)
            self.requests.labels(route, request.method, str(response.status_code)).inc()
            if response.status_code >= 400 and response.mimetype == "application/problem+json":
                kind = (response.get_json(silent=True) or {}).get("type", "error")
                self.errors.labels(str(kind).rsplit("/", 1)[-1]).inc()
            return response


@cache
def instruments() -> Metrics:
    """The process's one set of instruments (every app built in a process shares them)."""
    return Metrics()


@metrics_blueprint.get("/metrics")
def metrics() -> Response:
    """The Prometheus text exposition of this server's metrics."""
    from prometheus_client import (  # noqa: PLC0415 (see module docstring)
        CONTENT_TYPE_LATEST,
        REGISTRY,
        CollectorRegistry,
        generate_latest,
    )
    from prometheus_client.multiprocess import MultiProcessCollector  # noqa: PLC0415

    if os.environ.get(MULTIPROC_ENV):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        body = generate_latest(registry)
    else:
        body = generate_latest(REGISTRY)
    return Response(
        body, mimetype=CONTENT_TYPE_LATEST.split(";")[0], headers={"Cache-Control": "no-store"}
    )
