import collections
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@pytest.fixture
def make_bank(db):
    """A bank, optionally with an agreement in the given status (rows only: no deposit is posted)."""
    from riskfund.parties.models import Agreement, Bank, Guarantor

    def make(code: str, agreement: str | None = "active"):
        bank = Bank.objects.create(code=code, name=f"{code} 银行")
        if agreement is not None:
            guarantor, _ = Guarantor.objects.get_or_create(code="G1", defaults={"name": "包头担保"})
            Agreement.objects.create(bank=bank, guarantor=guarantor, signed_on=date(2024, 1, 2), status=agreement)
        return bank

    return make


@pytest.fixture
def loopback_allowed(settings):
    """The test setting that lets webhooks go to loopback (``RISKFUND_WEBHOOK_ALLOW_HTTP_LOOPBACK``)."""
    settings.RISKFUND_WEBHOOK_ALLOW_HTTP_LOOPBACK = True
    return settings


class Receiver:
    """A bank's webhook receiver on 127.0.0.1 (ephemeral port): records each POST, answers the queued statuses."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.statuses: collections.deque[int] = collections.deque()
        self.url = ""

    def next_status(self) -> int:
        return self.statuses.popleft() if self.statuses else 200


@pytest.fixture
def receiver():
    rec = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            rec.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
            status = rec.next_status()
            answer = b"received" if status < 300 else b"not today"
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", "http://127.0.0.1:9/elsewhere")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    rec.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/riskfund"
    yield rec
    server.shutdown()
    server.server_close()
    thread.join()
