"""A small HTTP load driver: threads over ``http.client``, loopback only, one connection per request (gunicorn's
sync workers close the connection after each response). Each thread takes the next prepared request until none is
left (or, given ``until``, until that ``time.perf_counter()`` instant), so the concurrency is the number of requests
in flight."""

import http.client
import math
import threading
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict
    body: bytes = b""


@dataclass
class Result:
    seconds: float = 0.0
    statuses: Counter = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    first_error: str = ""

    def record(self, status: int, elapsed: float, body: bytes) -> None:
        self.latencies.append(elapsed)
        self.statuses[status] += 1
        if status not in (200, 201) and not self.first_error:
            self.first_error = f"{status} {body[:300]!r}"

    @property
    def count(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return 0.0
        rank = max(1, math.ceil(p / 100 * len(ordered)))  # nearest-rank percentile
        return ordered[rank - 1]


def run_load(
    host: str, port: int, requests: Iterable[Request], *, concurrency: int, until: float | None = None
) -> Result:
    pending = iter(list(requests))
    lock = threading.Lock()
    result = Result()

    def worker() -> None:
        while True:
            with lock:
                request = next(pending, None)
            if request is None or (until is not None and time.perf_counter() >= until):
                return
            began = time.perf_counter()
            connection = http.client.HTTPConnection(host, port, timeout=60)
            try:
                connection.request(request.method, request.path, body=request.body, headers=request.headers)
                response = connection.getresponse()
                body = response.read()
                status = response.status
            except OSError as exc:
                status, body = 0, str(exc).encode()
            finally:
                connection.close()
            elapsed = time.perf_counter() - began
            with lock:
                result.record(status, elapsed, body)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - began
    return result
