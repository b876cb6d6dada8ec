"""The quarterly archive (seed 004, 四: 每个季度的最后一个工作日移交市扶贫办业务科).

One .zip per quarter: every round's sample, visit sheets, 整改函 with 问题清单 and the round's
问题清单 as PDFs, the ledger .xlsx of those problems, their evidence files, and an index
(档案目录, .xlsx and PDF) with every file's size and SHA-256. The PDFs are drawn by renderers
the caller passes in (the printing layer), so this module needs no reportlab.

An archive is checked read-only: the zip is opened for reading and never extracted, and every
file is compared with the index's size and checksum.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from desktop.errors import CancelledError
from desktop.services.inspections.data import (
    ArchiveIndex,
    IndexRow,
    RoundNotice,
    SampleSheet,
    VisitSheet,
)
from desktop.services.inspections.rules import (
    InspectionError,
    last_working_day,
    quarter_bounds,
)
from desktop.services.problems.report import LedgerTable, build_ledger_table, write_ledger_xlsx
from desktop.services.workbooks.sanitise import safe_row

INDEX_XLSX = "档案目录.xlsx"
INDEX_PDF = "档案目录.pdf"
LEDGER_XLSX = "整改台账.xlsx"
EVIDENCE_DIR = "佐证材料"
INDEX_HEADERS = ("序号", "文件", "类别", "督查编号", "说明", "字节", "SHA-256")

STATE_OK = "一致"
STATE_MISSING = "文件缺失"
STATE_CHANGED = "校验值不符"
STATE_EXTRA = "目录中没有"


class ArchiveRenderers(Protocol):
    """What draws the archive's PDFs (desktop.printing.inspection.ArchiveRenderers)."""

    def visit_sheets(self, sheets: Sequence[VisitSheet]) -> bytes: ...
    def sample(self, sheet: SampleSheet) -> bytes: ...
    def notice(self, notice: RoundNotice) -> bytes: ...
    def ledger(self, table: LedgerTable) -> bytes: ...
    def index(self, index: ArchiveIndex) -> bytes: ...


@dataclass
class ArchiveResult:
    """What went into an archive, and what could not (missing evidence, in Chinese)."""

    path: Path
    quarter: str
    rounds: list[str]
    files: int
    problems: int
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FileCheck:
    """One file of an archive against its index."""

    path: str
    state: str
    expected: str = ""
    actual: str = ""


@dataclass
class ArchiveCheck:
    """An archive opened read-only: its index's header, and every file checked."""

    path: Path
    title: str
    quarter: str
    rows: list[IndexRow]
    checks: list[FileCheck]

    @property
    def ok(self) -> bool:
        """True when every file is present, unchanged, and listed."""
        return all(c.state == STATE_OK for c in self.checks)

    @property
    def problems(self) -> list[FileCheck]:
        """The files that do not match."""
        return [c for c in self.checks if c.state != STATE_OK]

    def summary(self) -> str:
        """“档案目录列出 24 个文件，全部一致” or what is wrong."""
        bad = self.problems
        if not bad:
            return f"档案目录列出 {len(self.rows)} 个文件，全部一致"
        return f"档案目录列出 {len(self.rows)} 个文件，{len(bad)} 处不一致：" + "；".join(
            f"{c.path}（{c.state}）" for c in bad[:10]
        )


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def safe_name(text: str) -> str:
    """A file name Windows accepts, from a unit's or a file's name."""
    cleaned = _UNSAFE.sub("_", text).strip(" .")
    return cleaned[:80] or "_"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def build_archive(
    service,
    quarter: str,
    out: Path | str,
    renderers: ArchiveRenderers,
    *,
    today: datetime.date | None = None,
    now: Callable[[], datetime.datetime] = datetime.datetime.now,
    progress: Callable[[int, str], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ArchiveResult:
    """Write the quarter's archive of every round that started in it; return what it holds.

    `service` is an InspectionService. The zip is written to a temporary name next to `out`
    and renamed at the end, so a failed build leaves no half archive under the final name.
    `progress(percent, text)` hears of each round; `cancelled()` returning True stops the build
    (CancelledError) before anything is written.
    """
    start, end = quarter_bounds(quarter)
    quarter = quarter.strip().upper()
    today = today or datetime.date.today()
    rounds = sorted(service.rounds(today, start, end), key=lambda r: (r.start_date, r.number))
    rounds = [r for r in rounds if start <= r.start_date <= end]
    if not rounds:
        raise InspectionError(f"{quarter}（{start:%Y-%m-%d} 至 {end:%Y-%m-%d}）没有督查记录")
    files: list[tuple[str, bytes, str, str, str]] = []  # path, data, kind, round, description
    warnings: list[str] = []

    def add(path: str, data: bytes, kind: str, number: str, description: str) -> None:
        files.append((path, data, kind, number, description))

    for n, r in enumerate(rounds, 1):
        if cancelled is not None and cancelled():
            raise CancelledError()
        if progress is not None:
            progress(int(90 * (n - 1) / len(rounds)), f"正在整理 {r.number}……")
        folder = f"{n:02d}_{safe_name(r.number)}"
        add(f"{folder}/抽查名单.pdf", renderers.sample(service.sample_sheet(r.id, today)),
            "抽查名单", r.number, f"{r.group_name}，种子 {r.sample_seed}")  # fmt: skip
        villages, households = service.visit_sheets(r.id, with_findings=True)
        if villages:
            add(f"{folder}/走访记录表（村）.pdf", renderers.visit_sheets(villages),
                "走访记录表", r.number, f"{len(villages)} 个村")  # fmt: skip
        if households:
            add(f"{folder}/走访记录表（户）.pdf", renderers.visit_sheets(households),
                "走访记录表", r.number, f"{len(households)} 户")  # fmt: skip
        for notice in service.notices(r.id):
            described = f"{notice.unit_name}，{len(notice.problems)} 个问题，抄送" + "、".join(
                notice.copy_to
            )
            add(f"{folder}/整改函_{safe_name(notice.unit_name)}.pdf", renderers.notice(notice),
                "整改函及问题清单", r.number, described)  # fmt: skip
        rows = service.finding_problem_rows([r.id])
        if rows:
            table = build_ledger_table(
                rows, title=f"{r.group_name}督查问题清单（{r.number}）",
                period=r.dates_text, as_of=min(today, end),
            )  # fmt: skip
            add(f"{folder}/问题清单.pdf", renderers.ledger(table), "问题清单", r.number,
                f"{len(rows)} 个问题")  # fmt: skip
    all_rows = service.finding_problem_rows([r.id for r in rounds])
    ledger = build_ledger_table(
        sorted(all_rows, key=lambda p: (p.found_date, p.number)),
        title=f"{quarter}督查发现问题整改台账", period=f"{start:%Y-%m-%d} 至 {end:%Y-%m-%d}",
        as_of=today,
    )  # fmt: skip
    buffer = io.BytesIO()
    _write_xlsx_bytes(ledger, buffer)
    add(
        LEDGER_XLSX,
        buffer.getvalue(),
        "整改台账",
        "",
        f"{len(all_rows)} 个问题，截至 {today:%Y-%m-%d}",
    )
    number_of = {p.id: p.number for p in all_rows}
    for problem_id, number in number_of.items():
        for a in service.problems.get(problem_id).attachments:
            source = service.problems.attachment_file(a.path)
            try:
                data = source.read_bytes()
            except OSError:
                warnings.append(f"问题 {number} 的佐证材料“{a.original_name}”文件缺失，未归档")
                continue
            note = a.original_name
            if _sha256(data) != a.sha256:
                note += "（与登记时的校验值不符）"
                warnings.append(f"问题 {number} 的佐证材料“{a.original_name}”登记后被改动过")
            add(f"{EVIDENCE_DIR}/{safe_name(number)}/{a.sha256[:8]}-{safe_name(a.original_name)}",
                data, "佐证材料", _round_of(service, rounds, problem_id), note)  # fmt: skip
    index_rows = tuple(
        IndexRow(seq, path, kind, number, description, len(data), _sha256(data))
        for seq, (path, data, kind, number, description) in enumerate(files, 1)
    )
    index = ArchiveIndex(
        title=f"{quarter}脱贫攻坚督查档案目录",
        quarter=quarter,
        made_at=now().replace(microsecond=0),
        handover_day=last_working_day(start, end),
        rounds=tuple(r.number for r in rounds),
        rows=index_rows,
    )
    out = Path(out)
    partial = out.with_name(out.name + ".part")
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as z:
            for path, data, *_ in files:
                z.writestr(path, data)
            z.writestr(INDEX_XLSX, index_xlsx(index))
            z.writestr(INDEX_PDF, renderers.index(index))
        partial.replace(out)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise InspectionError(f"无法写入 {out}：{exc.strerror or exc}") from exc
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return ArchiveResult(out, quarter, list(index.rounds), len(files) + 2, len(all_rows), warnings)


def _round_of(service, rounds, problem_id: int) -> str:
    for r in rounds:
        if problem_id in {f.problem_id for f in service.findings(r.id)}:
            return r.number
    return ""


def _write_xlsx_bytes(table: LedgerTable, buffer: io.BytesIO) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = write_ledger_xlsx(table, Path(folder) / LEDGER_XLSX)
        buffer.write(path.read_bytes())


def index_xlsx(index: ArchiveIndex) -> bytes:
    """The index as .xlsx: a title, the quarter, then one row per file with its SHA-256."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = "档案目录"
    ws.append(safe_row(ws, [index.title]))
    ws["A1"].font = Font(name="黑体", size=14)
    ws.append(["季度", index.quarter, "移交日", f"{index.handover_day:%Y-%m-%d}", "制作时间",
               f"{index.made_at:%Y-%m-%d %H:%M}"])  # fmt: skip
    ws.append(safe_row(ws, ["督查轮次", "、".join(index.rounds)]))
    ws.append(list(INDEX_HEADERS))
    for cell in ws[4]:
        cell.font = Font(bold=True)
    for r in index.rows:
        # An attachment's own name, a unit or group as typed: text, never a live formula.
        ws.append(
            safe_row(ws, [r.seq, r.path, r.kind, r.round_number, r.description, r.size, r.sha256])
        )
    for letter, width in zip("ABCDEFG", (6, 60, 16, 20, 40, 10, 66), strict=True):
        ws.column_dimensions[letter].width = width
    for row in ws.iter_rows(min_row=5):
        for cell in row:
            cell.alignment = Alignment(vertical="top", wrap_text=cell.column_letter in "BE")
    ws.freeze_panes = "A5"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def read_index(data: bytes, source: str = INDEX_XLSX) -> tuple[str, str, list[IndexRow]]:
    """Read an index .xlsx back: (title, quarter, rows); a damaged one is refused in Chinese."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise InspectionError(f"{source} 无法读取：{exc}") from exc
    ws = wb.worksheets[0]
    lines = [tuple(row) for row in ws.iter_rows(values_only=True)]
    wb.close()
    header_at = next(
        (i for i, row in enumerate(lines) if tuple(row[: len(INDEX_HEADERS)]) == INDEX_HEADERS),
        None,
    )
    if header_at is None:
        raise InspectionError(f"{source} 中找不到表头（{'、'.join(INDEX_HEADERS)}）")
    title = str(lines[0][0] or "") if lines else ""
    quarter = str(lines[1][1] or "") if len(lines) > 1 else ""
    rows = []
    for n, row in enumerate(lines[header_at + 1 :], header_at + 2):
        if not any(row):
            continue
        seq, path, kind, number, description, size, digest = row[:7]
        if not path or not digest or not isinstance(size, int):
            raise InspectionError(f"{source} 第 {n} 行不完整（文件、字节数或 SHA-256 为空）")
        rows.append(
            IndexRow(int(seq or 0), str(path), str(kind or ""), str(number or ""),
                     str(description or ""), size, str(digest))
        )  # fmt: skip
    return title, quarter, rows


def check_archive(path: Path | str) -> ArchiveCheck:
    """Open an archive read-only and check every file against its index (size and SHA-256)."""
    path = Path(path)
    try:
        z = zipfile.ZipFile(path, "r")
    except FileNotFoundError as exc:
        raise InspectionError(f"找不到档案文件：{path}") from exc
    except (zipfile.BadZipFile, OSError) as exc:
        raise InspectionError(f"{path} 不是有效的档案压缩包：{exc}") from exc
    with z:
        names = [i.filename for i in z.infolist() if not i.is_dir()]
        if INDEX_XLSX not in names:
            raise InspectionError(f"{path} 中没有 {INDEX_XLSX}，无法核对")
        title, quarter, rows = read_index(z.read(INDEX_XLSX), f"{path.name}/{INDEX_XLSX}")
        checks = []
        listed = set()
        for row in rows:
            listed.add(row.path)
            if row.path not in names:
                checks.append(FileCheck(row.path, STATE_MISSING, row.sha256))
                continue
            try:
                actual = _sha256(z.read(row.path))
            except (zipfile.BadZipFile, OSError) as exc:  # a damaged member fails its CRC
                checks.append(FileCheck(row.path, STATE_CHANGED, row.sha256, str(exc)))
                continue
            state = STATE_OK if actual == row.sha256 else STATE_CHANGED
            checks.append(FileCheck(row.path, state, row.sha256, actual))
        for name in names:
            if name not in listed and name not in (INDEX_XLSX, INDEX_PDF):
                checks.append(FileCheck(name, STATE_EXTRA))
    return ArchiveCheck(path, title, quarter, rows, checks)
