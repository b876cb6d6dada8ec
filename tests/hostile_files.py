"""Hostile workbooks for the import tests, built small and in memory.

Each one reproduces a file that made today's reader abort, stall or eat gigabytes: a cell at
XFD1048576, a zip bomb, a zip whose member lies about its size, a million styled empty rows,
a shared string copied into thousands of cells, an .xls whose sheet spans 65,536 × 256.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

from desktop.services.roster.template import HEADERS

_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_NS}" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="花名册" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)


def _column(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _text_cell(ref: str, text: str) -> str:
    escaped = text.replace("&", "&amp;").replace("<", "&lt;")
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escaped}</t></is></c>'


def header_row() -> str:
    """Return the roster's header row as sheet XML (row 1)."""
    cells = "".join(_text_cell(f"{_column(c)}1", h) for c, h in enumerate(HEADERS))
    return f'<row r="1">{cells}</row>'


def sheet_xml(rows: str, dimension: str | None = None) -> str:
    """Return a worksheet part around rows of sheet XML."""
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_NS}">{dim}'
        f"<sheetData>{rows}</sheetData></worksheet>"
    )


def write_parts(path: Path, sheet: str | bytes, shared: str | None = None) -> Path:
    """Write an .xlsx of one sheet part (and a shared-strings part) with zipfile."""
    sst = shared or f'<sst xmlns="{_NS}" count="0" uniqueCount="0"></sst>'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        z.writestr("xl/sharedStrings.xml", sst)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
    return path


def far_cell(path: Path, *, dimension: str | None = None, ref: str = "XFD1048576") -> Path:
    """A 1 KB file: the header row and one cell at XFD1048576 (calamine: 512 GiB, SIGABRT)."""
    row = ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    rows = header_row() + f'<row r="{row}">{_text_cell(ref, "x")}</row>'
    return write_parts(path, sheet_xml(rows, dimension))


def far_cell_out_of_order(path: Path) -> Path:
    """The far cell hidden inside row 2, attributes reordered, under a modest dimension."""
    rows = (
        header_row()
        + '<row r="2"><c t="inlineStr" r="A2"><is><t>x</t></is></c>'
        + '<c s="0" r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
        + f'<row r="3">{_text_cell("A3", "y")}</row>'
    )
    return write_parts(path, sheet_xml(rows, "A1:U3"))


def styled_empty_rows(path: Path, rows: int = 1_000_000) -> Path:
    """10 real-looking rows, then `rows` rows of one styled empty cell each."""
    head = header_row() + "".join(
        f'<row r="{r}">{_text_cell(f"A{r}", "桃江县")}{_text_cell(f"U{r}", "1")}</row>'
        for r in range(2, 12)
    )
    body = "".join(f'<row r="{r}"><c r="A{r}" s="1"/></row>' for r in range(12, rows + 12))
    return write_parts(path, sheet_xml(head + body))


def space_rows(path: Path, rows: int, columns: int = len(HEADERS)) -> Path:
    """The header, then `rows` rows whose first `columns` cells hold spaces."""
    cells = "".join(_text_cell(f"{_column(c)}{{r}}", " ") for c in range(columns))
    body = "".join(f'<row r="{r}">{cells.format(r=r)}</row>' for r in range(2, rows + 2))
    return write_parts(path, sheet_xml(header_row() + body))


def zip_bomb(path: Path, unzipped: int = 300 * 1024 * 1024) -> Path:
    """A sheet part of `unzipped` bytes of repeated XML that zips 1000×; built in pieces."""
    piece = ('<row r="2"><c r="A2"><v>0</v></c></row>' * 4096).encode()
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    body = io.BytesIO()
    crc = 0
    head = sheet_xml("").split("</sheetData>")[0].encode()
    tail = b"</sheetData></worksheet>"
    size = 0
    for part in (head, *([piece] * (unzipped // len(piece))), tail):
        body.write(deflate.compress(part))
        crc = zlib.crc32(part, crc)
        size += len(part)
    body.write(deflate.flush())
    return _write_raw_member(path, body.getvalue(), crc, size, size)


def lying_size(path: Path, real: int = 64 * 1024 * 1024, declared: int = 4096) -> Path:
    """A sheet part whose zip headers declare 4 KB while it inflates to 64 MB."""
    rows = '<row r="2"><c r="A2"><v>1</v></c></row>' * (real // 40)
    data = sheet_xml(rows).encode()
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed = deflate.compress(data) + deflate.flush()
    return _write_raw_member(path, packed, zlib.crc32(data), len(data), declared)


def _write_raw_member(path: Path, packed: bytes, crc: int, real: int, declared: int) -> Path:
    """Write the workbook with a ready-deflated sheet part, its header saying `declared`."""
    write_parts(path, "<placeholder/>")
    with zipfile.ZipFile(path) as z:
        others = {i.filename: z.read(i) for i in z.infolist()}
    out = io.BytesIO()
    central = []
    for name, data in others.items():
        if name == "xl/worksheets/sheet1.xml":
            body, crc32, size, method = packed, crc, declared, 8
        else:
            deflate = zlib.compressobj(6, zlib.DEFLATED, -15)
            body = deflate.compress(data) + deflate.flush()
            crc32, size, method = zlib.crc32(data), len(data), 8
        offset = out.tell()
        encoded = name.encode()
        out.write(
            struct.pack(
                "<4sHHHHHIIIHH",
                b"PK\x03\x04",
                20,
                0,
                method,
                0,
                0,
                crc32,
                len(body),
                size,
                len(encoded),
                0,
            )
        )
        out.write(encoded)
        out.write(body)
        central.append((encoded, crc32, len(body), size, method, offset))
    start = out.tell()
    for encoded, crc32, packed_size, size, method, offset in central:
        out.write(
            struct.pack(
                "<4sHHHHHHIIIHHHHHII",
                b"PK\x01\x02",
                20,
                20,
                0,
                method,
                0,
                0,
                crc32,
                packed_size,
                size,
                len(encoded),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
        )
        out.write(encoded)
    end = out.tell()
    out.write(
        struct.pack(
            "<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(central), len(central), end - start, start, 0
        )
    )
    path.write_bytes(out.getvalue())
    return path


def shared_string_bomb(path: Path, length: int = 30_000, cells: int = 40_000) -> Path:
    """One 30,000-character shared string (within Excel's limit) copied into 40,000 cells."""
    sst = (
        f'<sst xmlns="{_NS}" count="{cells}" uniqueCount="1"><si><t>{"贫" * length}</t></si></sst>'
    )
    rows = "".join(
        f'<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>' for r in range(2, cells + 2)
    )
    return write_parts(path, sheet_xml(header_row() + rows), sst)


def huge_cell(path: Path, length: int = 200_000) -> Path:
    """A shared string of 200,000 characters, far over Excel's 32,767."""
    sst = f'<sst xmlns="{_NS}" count="1" uniqueCount="1"><si><t>{"x" * length}</t></si></sst>'
    rows = header_row() + '<row r="2"><c r="A2" t="s"><v>0</v></c></row>'
    return write_parts(path, sheet_xml(rows), sst)


def wide_xls(path: Path) -> Path:
    """An .xls whose sheet spans 65,536 rows × 256 columns (one cell in each far corner)."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("花名册")
    for c, header in enumerate(HEADERS):
        ws.write(0, c, header)
    ws.write(65535, 255, "x")
    book.save(str(path))
    return path


def write_bytes(path: Path, data: bytes) -> Path:
    """Write `data` as the file (an empty one, a copy under another name)."""
    path.write_bytes(data)
    return path


def not_a_workbook(path: Path) -> Path:
    """Bytes that are no Excel file at all, named .xlsx."""
    path.write_bytes(b"This is not a workbook.\n" * 100)
    return path


def truncated_zip(path: Path, source: Path) -> Path:
    """The first half of a real workbook."""
    data = source.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def encrypted_xlsx(path: Path) -> Path:
    """What Excel writes for a password-protected .xlsx: a compound file with EncryptionInfo."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    path.write_bytes(header + "EncryptionInfo".encode("utf-16-le") + bytes(1024))
    return path


# --- .ods: one content.xml holds every sheet; rows and cells may stand for many ---------------

_ODS_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
    '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
    '<manifest:file-entry manifest:full-path="/" '
    'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)


def ods_cell(text: str, repeat: int = 1) -> str:
    """Return an .ods text cell, repeated across `repeat` columns."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;")
    times = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    return (
        f'<table:table-cell office:value-type="string"{times}>'
        f"<text:p>{escaped}</text:p></table:table-cell>"
    )


def ods_rows(rows: list[list[str]]) -> str:
    """Return rows of text cells as .ods table rows."""
    return "".join(
        "<table:table-row>" + "".join(ods_cell(str(v)) for v in row) + "</table:table-row>"
        for row in rows
    )


def write_ods(path: Path, table_xml: str, name: str = "花名册") -> Path:
    """Write an .ods of one sheet (`table_xml`: its rows) laid out as LibreOffice does."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="{name}">'
        '<table:table-column table:number-columns-repeated="1024"/>'
        f"{table_xml}</table:table></office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("META-INF/manifest.xml", _ODS_MANIFEST)
        z.writestr("content.xml", content)
    return path


def _ods_head() -> str:
    """The roster's header row and ten real-looking rows (first and last column filled)."""
    rows = [list(HEADERS)] + [["桃江县"] + [""] * (len(HEADERS) - 2) + ["1"]] * 10
    return ods_rows(rows)


def ods_styled_empty_rows(path: Path, rows: int = 1_000_000) -> Path:
    """10 rows, a million styled empty rows written as one repeated row, then one more value:
    calamine allocates every row up to that value."""
    empty = (
        f'<table:table-row table:style-name="ro1" table:number-rows-repeated="{rows}">'
        f'<table:table-cell table:number-columns-repeated="{len(HEADERS)}"/></table:table-row>'
    )
    return write_ods(path, _ods_head() + empty + ods_rows([["x"]]))


def ods_repeated_rows(path: Path, rows: int = 1_000_000) -> Path:
    """The header, then one row of spaces standing for a million rows (a 1 KB file)."""
    row = (
        f'<table:table-row table:number-rows-repeated="{rows}">{ods_cell(" ", 2)}</table:table-row>'
    )
    return write_ods(path, _ods_head() + row)


def ods_repeated_columns(path: Path, columns: int = 16_384) -> Path:
    """The header, then a row whose one value is repeated across every column of a sheet."""
    row = f"<table:table-row>{ods_cell('x', columns)}</table:table-row>"
    return write_ods(path, _ods_head() + row)


def ods_trailing_styled_run(path: Path, rows: list[list[str]]) -> Path:
    """A real roster as LibreOffice saves it with styled columns: an empty run of rows and
    columns to the sheet's end, which calamine skips."""
    run = (
        '<table:table-row table:style-name="ro1" table:number-rows-repeated="1048000">'
        '<table:table-cell table:number-columns-repeated="16384"/></table:table-row>'
    )
    rest = 16384 - len(HEADERS)
    wide = f'<table:table-cell table:style-name="ce1" table:number-columns-repeated="{rest}"/>'
    body = "".join(
        "<table:table-row>"
        + "".join(ods_cell(str(v)) if v != "" else "<table:table-cell/>" for v in row)
        + wide
        + "</table:table-row>"
        for row in rows
    )
    return write_ods(path, body + run)
