"""A workbook as an HTTP download: written to a temporary file (flat memory) and streamed as an attachment."""

import tempfile
from collections.abc import Iterable

from django.http import FileResponse

from .xlsx import Sheet, write_workbook

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook_response(sheets: Iterable[Sheet], filename: str) -> FileResponse:
    handle = tempfile.TemporaryFile(prefix="riskfund-xlsx-")  # noqa: SIM115 — closed by FileResponse
    try:
        write_workbook(sheets, handle)
        handle.seek(0)
    except BaseException:
        handle.close()
        raise
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)
