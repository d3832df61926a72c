"""Opening an uploaded .xlsx safely (riskfund/exports/upload.py reads its tables): the archive, its limits and
its XML.

What is accepted
    Only an Office Open XML workbook (.xlsx): a zip (signature ``PK\\x03\\x04``) whose
    ``[Content_Types].xml`` names a main part of type
    ``application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml``. A macro-enabled
    workbook (.xlsm, or any part of type ``vnd.ms-office.vbaProject``), a template, a legacy .xls (OLE,
    also what an encrypted .xlsx is), a csv or anything else renamed .xlsx is refused.

Limits (read from settings at every call, so tests can override them)
    ``RISKFUND_UPLOAD_MAX_BYTES`` (5 MiB) for the file; ``RISKFUND_UPLOAD_MAX_ROWS`` (50,000) data rows;
    ``RISKFUND_UPLOAD_MAX_UNCOMPRESSED_BYTES`` (100 MiB) for all parts unpacked together and
    ``RISKFUND_UPLOAD_MAX_RATIO`` (100) for the compression ratio of any part over 1 MiB: a zip bomb is
    refused from the zip directory before anything is inflated, and every part is also counted while it
    is read, so a directory that lies is caught too (zipfile also stops at the declared size and checks
    the CRC).

XML
    Every part is parsed here with ``defusedxml`` (``forbid_dtd=True``, so no DOCTYPE at all: no entity
    expansion, no external entities), streaming with ``iterparse`` and clearing rows as they are read.
    openpyxl is not used for reading: it does use defusedxml when installed (``openpyxl.DEFUSEDXML``), but
    that can be switched off by the ``OPENPYXL_DEFUSEDXML`` environment variable, and it turns every
    number into a float. Formulas are never evaluated: a cell with a formula is refused, whatever value
    it has cached.
"""

from __future__ import annotations

import os
import posixpath
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO
from typing import IO, Any

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring, iterparse
from django.conf import settings
from openpyxl.utils import get_column_letter

from riskfund.errors import RuleViolation

from .upload_values import local_name, rich_text

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_ROWS = 50_000
DEFAULT_MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
DEFAULT_MAX_RATIO = 100
RATIO_CHECKED_FROM = 1024 * 1024
MAX_PARTS = 10_000
MAX_METADATA_BYTES = 10 * 1024 * 1024
STATUS = 400

WORKBOOK_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
MACRO_TYPES = (
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
    "application/vnd.ms-office.vbaProject",
    "application/vnd.ms-excel.addin.macroEnabled.main+xml",
)
TEMPLATE_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml"
ZIP_SIGNATURE = b"PK\x03\x04"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_rows: int
    max_uncompressed_bytes: int
    max_ratio: int


def upload_limits() -> Limits:
    return Limits(
        max_bytes=getattr(settings, "RISKFUND_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES),
        max_rows=getattr(settings, "RISKFUND_UPLOAD_MAX_ROWS", DEFAULT_MAX_ROWS),
        max_uncompressed_bytes=getattr(
            settings, "RISKFUND_UPLOAD_MAX_UNCOMPRESSED_BYTES", DEFAULT_MAX_UNCOMPRESSED_BYTES
        ),
        max_ratio=getattr(settings, "RISKFUND_UPLOAD_MAX_RATIO", DEFAULT_MAX_RATIO),
    )


class UploadRejected(RuleViolation):
    """A refused upload; ``sheet``, ``row`` (1-based), ``column`` (letter) and ``header`` when known;
    ``detail_zh``/``detail_en`` say what is wrong with a cell, without its place."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        sheet: str = "",
        row: int | None = None,
        column: str = "",
        header: str = "",
        detail_zh: str = "",
        detail_en: str = "",
    ) -> None:
        super().__init__(code, "", message, status=STATUS)
        self.sheet, self.row, self.column, self.header = sheet, row, column, header
        self.detail_zh, self.detail_en = detail_zh or message, detail_en or message


def rejected_all(problems: Sequence[UploadRejected]) -> UploadRejected:
    """One refusal that names every problem: the first one's code, all messages joined, and ``errors`` by
    cell (``{"贷款余额!B3": [message, …]}``, the API's problem+json ``errors`` member)."""
    first = problems[0]
    errors: dict[str, list[str]] = {}
    for problem in problems:
        place = (
            f"{problem.sheet}!{problem.column}{problem.row or ''}"
            if problem.sheet
            else f"{problem.column}{problem.row or ''}"
        )
        errors.setdefault(place or "file", []).append(problem.message)
    summary = f"{len(problems)} 处错误 / {len(problems)} problems: " + "; ".join(p.message for p in problems[:20])
    combined = UploadRejected(first.code, summary, sheet=first.sheet, row=first.row, column=first.column)
    combined.errors = errors
    return combined


# --- the archive --------------------------------------------------------------------------------------


class Workbook:
    """A checked .xlsx archive: its worksheets by name, shared strings and date system."""

    def __init__(self, archive: zipfile.ZipFile, limits: Limits) -> None:
        self.archive = archive
        self.limits = limits
        self.sheets: dict[str, str] = {}  # name → part path, in workbook order
        self.date1904 = False
        self._shared_strings: list[str] | None = None
        self._shared_strings_part: str | None = None

    def part(self, name: str) -> CountingReader:
        try:
            info = self.archive.getinfo(name)
        except KeyError:
            raise not_xlsx(f"缺少部件 {name} / part {name} is missing") from None
        return CountingReader(self.archive.open(info), info.file_size, name)

    def xml(self, name: str):
        """A small part (content types, workbook, relationships) parsed whole; sheets are streamed instead."""
        info = next((i for i in self.archive.infolist() if i.filename == name), None)
        if info is not None and info.file_size > MAX_METADATA_BYTES:
            raise not_xlsx(f"{name} 过大 / {name} is too large")
        with self.part(name) as stream:
            return xml_parse(stream.read(), name)

    @property
    def shared_strings(self) -> list[str]:
        if self._shared_strings is None:
            self._shared_strings = []
            if self._shared_strings_part:
                with self.part(self._shared_strings_part) as stream:
                    for _, el in xml_iterparse(stream, ("end",), self._shared_strings_part):
                        if local_name(el.tag) == "si":
                            self._shared_strings.append(rich_text(el))
                            el.clear()
        return self._shared_strings


def open_workbook(file: Any, *, limits: Limits | None = None) -> Workbook:
    """Check the upload (size, signature, zip, bomb, content types) and read the workbook's sheet list;
    ``limits`` replace the settings' upload limits (a caller with larger files, still bounded)."""
    limits = limits or upload_limits()
    data = _load(file, limits.max_bytes)
    if data[:8] == OLE_SIGNATURE:
        raise not_xlsx("旧版 .xls 或加密的工作簿，请另存为 .xlsx / a legacy .xls or encrypted workbook: save as .xlsx")
    if data[:4] != ZIP_SIGNATURE:
        raise not_xlsx("不是 .xlsx 文件 / not an .xlsx file")
    try:
        archive = zipfile.ZipFile(BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise not_xlsx("损坏的 .xlsx 文件 / a broken .xlsx file") from exc
    _check_zip(infos, limits)
    book = Workbook(archive, limits)
    main = _main_part(book, {i.filename for i in infos})
    _read_workbook(book, main)
    return book


def _load(file: Any, max_bytes: int) -> bytes:
    too_large = UploadRejected(
        "upload_too_large", f"文件超过 {max_bytes} 字节 / the file is larger than {max_bytes} bytes"
    )
    if isinstance(file, bytes | bytearray | memoryview):
        data = bytes(file)
    elif isinstance(file, str | os.PathLike):
        if os.path.getsize(file) > max_bytes:
            raise too_large
        with open(file, "rb") as f:
            data = f.read(max_bytes + 1)
    else:
        size = getattr(file, "size", None)
        if isinstance(size, int) and size > max_bytes:
            raise too_large
        if hasattr(file, "seek"):
            file.seek(0)
        data = file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise too_large
    return data


def _check_zip(infos: list[zipfile.ZipInfo], limits: Limits) -> None:
    if len(infos) > MAX_PARTS:
        raise not_xlsx(f"部件过多（{len(infos)}）/ too many parts ({len(infos)})")
    names = [i.filename for i in infos]
    if len(set(names)) != len(names):
        raise not_xlsx("重复的部件名 / duplicate part names")
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise not_xlsx("加密的部件 / an encrypted part")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise not_xlsx(f"不支持的压缩方式 / unsupported compression in {info.filename}")
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_CHECKED_FROM and ratio > limits.max_ratio:
            raise _bomb(f"{info.filename} 压缩比 {ratio:.0f}:1 / compression ratio {ratio:.0f}:1")
    if total > limits.max_uncompressed_bytes:
        raise _bomb(f"解压后 {total} 字节 / {total} bytes unpacked")


def _main_part(book: Workbook, names: set[str]) -> str:
    if "[Content_Types].xml" not in names:
        raise not_xlsx("缺少 [Content_Types].xml / no [Content_Types].xml: not an Office Open XML file")
    types = book.xml("[Content_Types].xml")
    overrides: dict[str, str] = {}
    defaults: dict[str, str] = {}
    for el in types:
        name = local_name(el.tag)
        if name == "Override":
            overrides[el.get("PartName", "").lstrip("/")] = el.get("ContentType", "")
        elif name == "Default":
            defaults[el.get("Extension", "").lower()] = el.get("ContentType", "")
    content_types = set(overrides.values()) | set(defaults.values())
    if content_types & set(MACRO_TYPES) or any(n.lower().endswith("vbaproject.bin") for n in names):
        raise not_xlsx("含有宏的工作簿（.xlsm）不被接受 / a macro-enabled workbook (.xlsm) is not accepted")
    if TEMPLATE_MAIN in content_types:
        raise not_xlsx("模板文件（.xltx）不被接受 / a template (.xltx) is not accepted")
    mains = [part for part, ctype in overrides.items() if ctype == WORKBOOK_MAIN]
    if len(mains) != 1 or mains[0] not in names:
        raise not_xlsx("不是 Excel 工作簿 / not an Excel workbook")
    return mains[0]


def _read_workbook(book: Workbook, main: str) -> None:
    base = posixpath.dirname(main)
    rels_name = posixpath.join(base, "_rels", posixpath.basename(main) + ".rels")
    targets: dict[str, tuple[str, str]] = {}
    for el in book.xml(rels_name):
        if local_name(el.tag) == "Relationship" and el.get("TargetMode") != "External":
            target = el.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(base, target))
            targets[el.get("Id", "")] = (el.get("Type", "").rsplit("/", 1)[-1], path)
            if targets[el.get("Id", "")][0] == "sharedStrings":
                book._shared_strings_part = path
    workbook = book.xml(main)
    for el in workbook.iter():
        name = local_name(el.tag)
        if name == "workbookPr":
            book.date1904 = el.get("date1904", "0").lower() in ("1", "true")
        elif name == "sheet":
            rid = next((v for k, v in el.attrib.items() if local_name(k) == "id"), "")
            kind, path = targets.get(rid, ("", ""))
            if kind == "worksheet":
                book.sheets[el.get("name", "")] = path
    if not book.sheets:
        raise not_xlsx("工作簿中没有工作表 / the workbook has no worksheet")


# --- XML and errors -----------------------------------------------------------------------------------


class CountingReader:
    """A zip member stream that refuses to give more bytes than its directory entry declared."""

    def __init__(self, stream: IO[bytes], declared: int, name: str) -> None:
        self.stream, self.declared, self.name, self.count = stream, declared, name, 0

    def read(self, size: int = -1) -> bytes:
        try:
            data = self.stream.read(size)
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise not_xlsx(f"{self.name} 已损坏 / {self.name} is corrupt") from exc
        self.count += len(data)
        if self.count > self.declared:
            raise _bomb(f"{self.name} 比声明的更大 / {self.name} is larger than declared")
        return data

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.stream.close()


def xml_parse(data: bytes, name: str):
    try:
        return fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise _unsafe(name) from exc
    except Exception as exc:  # xml.etree.ElementTree.ParseError and friends
        raise not_xlsx(f"{name} 不是有效的 XML / {name} is not well-formed XML") from exc


def xml_iterparse(stream, events, name: str):
    try:
        yield from iterparse(stream, events=events, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise _unsafe(name) from exc
    except SyntaxError as exc:  # ParseError is a SyntaxError
        raise not_xlsx(f"{name} 不是有效的 XML / {name} is not well-formed XML") from exc


def not_xlsx(detail: str) -> UploadRejected:
    return UploadRejected(
        "upload_not_xlsx", f"只接受 .xlsx 工作簿：{detail} / only .xlsx workbooks are accepted: {detail}"
    )


def _bomb(detail: str) -> UploadRejected:
    return UploadRejected(
        "upload_too_large", f"解压后过大（疑似压缩炸弹）：{detail} / too large unpacked (zip bomb?): {detail}"
    )


def _unsafe(name: str) -> UploadRejected:
    return UploadRejected(
        "upload_unsafe_xml",
        f"{name} 含有 DTD 或实体声明，已拒绝 / {name} contains a DTD or entity declarations and is refused",
    )


def cell_error(sheet: str, row: int, column: int, header: str, zh: str, en: str) -> UploadRejected:
    letter = get_column_letter(column)
    named_zh = f"（{header}）" if header else ""
    named_en = f" ({header})" if header else ""
    return UploadRejected(
        "upload_bad_cell",
        f"工作表「{sheet}」第 {row} 行 {letter} 列{named_zh}：{zh}"
        f" / sheet {sheet}, row {row}, column {letter}{named_en}: {en}",
        sheet=sheet,
        row=row,
        column=letter,
        header=header,
        detail_zh=zh,
        detail_en=en,
    )
