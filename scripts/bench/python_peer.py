"""The Python side of the peer benchmarks in BENCHMARKS.md: LangChain's own Control Plane client.

`langgraph_cli.host_backend.HostBackendClient` (from the `langgraph-cli` package on PyPI) is the
client behind `langgraph deploy`. It wraps one synchronous `httpx.Client`. Prints one JSON line in
the same shape as `client/examples/bench_peers.rs`.

    python_peer.py get-revision URL DEPLOYMENT REVISION CALLS CONCURRENCY [KEEPALIVE]
    python_peer.py list URL DEPLOYMENT [MAX_ITEMS]

`get-revision` calls `HostBackendClient.get_revision` CALLS times, split over CONCURRENCY threads
that share one client (the client is synchronous; httpx's pool is thread-safe). KEEPALIVE, when
given, replaces the client's transport with one keeping that many idle connections (httpx keeps
20 by default), the transport otherwise as the client builds it (`retries=3`).

`list` with MAX_ITEMS calls the public `list_revisions(deployment, limit=MAX_ITEMS)`, which reads
one page only. Without it, it pages through every revision with the client's own paging helper
`_every_page` (what its `list_deployments` and `list_listeners` use; the public `list_revisions`
does not page).
"""

import json
import statistics
import sys
import threading
import time

import httpx
from langgraph_cli.host_backend import HostBackendClient

KEY = "lsv2_sk_bench_key"


def client(url, keepalive=None):
    transport = None
    if keepalive is not None:
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=keepalive)
        transport = httpx.HTTPTransport(retries=3, limits=limits)
    return HostBackendClient(url, KEY, transport=transport)


def run_calls(api, deployment, revision, calls, concurrency):
    """Returns the latencies of the calls that succeeded, and the errors of the others."""
    latencies, errors = [], []
    lock = threading.Lock()

    def worker(share):
        mine, failed = [], []
        for _ in range(share):
            start = time.perf_counter()
            try:
                api.get_revision(deployment, revision)
            except Exception as err:  # counted, not fatal: the other calls go on
                failed.append(f"{type(err).__name__}: {err}")
                continue
            mine.append(time.perf_counter() - start)
        with lock:
            latencies.extend(mine)
            errors.extend(failed)

    shares = [calls // concurrency + (1 if i < calls % concurrency else 0) for i in range(concurrency)]
    if concurrency == 1:
        worker(calls)
    else:
        threads = [threading.Thread(target=worker, args=(s,)) for s in shares]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    return latencies, errors


def get_revision(url, deployment, revision, calls, concurrency, keepalive=None):
    api = client(url, keepalive)
    run_calls(api, deployment, revision, concurrency * 20, concurrency)  # warm-up, not counted
    start = time.perf_counter()
    latencies, errors = run_calls(api, deployment, revision, calls, concurrency)
    wall = time.perf_counter() - start
    latencies.sort()
    n = len(latencies)
    print(json.dumps({
        "calls": n,
        "errors": len(errors),
        "first_error": errors[0] if errors else None,
        "concurrency": concurrency,
        "seconds": round(wall, 4),
        "rps": round(n / wall, 1),
        "mean_us": round(statistics.fmean(latencies) * 1e6, 1),
        "p50_us": round(latencies[n // 2] * 1e6, 1),
        "p99_us": round(latencies[-(-n * 99 // 100) - 1] * 1e6, 1),
    }))


def list_revisions(url, deployment, max_items=None):
    api = client(url)
    start = time.perf_counter()
    if max_items is not None:
        revisions = api.list_revisions(deployment, limit=max_items)
    else:
        revisions = api._every_page(f"/v2/deployments/{deployment}/revisions", {})
    wall = time.perf_counter() - start
    print(json.dumps({"items": len(revisions), "seconds": round(wall, 4)}))


def main(argv):
    if len(argv) >= 6 and argv[0] == "get-revision":
        keepalive = int(argv[6]) if len(argv) > 6 else None
        get_revision(argv[1], argv[2], argv[3], int(argv[4]), int(argv[5]), keepalive)
    elif len(argv) >= 3 and argv[0] == "list":
        list_revisions(argv[1], argv[2], int(argv[3]) if len(argv) > 3 else None)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
