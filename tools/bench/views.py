"""The bare baseline of the API benchmark: a plain Django view that parses the same JSON body and does ONE insert
(into ``bench_bare``, a table the bench creates), answering 201 — no DRF, no authentication, no rules. Served only
through ``tools.bench.urls`` (``tools.bench.settings``), never by the project's own URLs."""

import json

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

BARE_TABLE = """
CREATE TABLE IF NOT EXISTS bench_bare (
    id bigserial PRIMARY KEY, contract_no varchar(64) NOT NULL, body text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
)
"""


@csrf_exempt
@require_POST
def bare_insert(request):
    payload = json.loads(request.body)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_bare (contract_no, body) VALUES (%s, %s) RETURNING id",
            [payload["contract_no"], request.body.decode()],
        )
        row_id = cursor.fetchone()[0]
    return JsonResponse({"id": row_id, "contract_no": payload["contract_no"]}, status=201)
