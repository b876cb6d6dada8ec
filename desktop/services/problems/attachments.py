"""ProblemAttachments: evidence files of problems, kept in the data folder with a checksum."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from sqlalchemy import func, select

from desktop.models.problem import Attachment, ProblemEvent
from desktop.services.problems.data import AttachmentData
from desktop.services.problems.ledger import load_problem
from desktop.services.problems.rules import ProblemError
from desktop.services.stored_files import read_source, stored_copy
from desktop.services.unit_of_work import Database, get_or_raise

ATTACHMENTS_DIR = "attachments"
ATTACHMENT_OK = "正常"
ATTACHMENT_MISSING = "文件缺失"
ATTACHMENT_CHANGED = "文件已改动"


def sha256_hex(data: bytes) -> str:
    """Return the SHA-256 checksum of a file's bytes, as hex."""
    return hashlib.sha256(data).hexdigest()


class ProblemAttachments:
    """Evidence files: copied into the data folder, recorded with size and checksum, checked."""

    db: Database
    data_dir: Path

    def _attachment_data(self, a: Attachment) -> AttachmentData:
        return AttachmentData(
            a.id,
            a.original_name,
            a.path,
            a.sha256,
            a.size,
            a.added_by,
            a.added_at,
            self.attachment_state(a.path, a.sha256, a.size),
        )

    def attachment_file(self, relative: str) -> Path:
        """Return where an attachment lives on disk (it may be missing).

        Raises ProblemError for a stored path that leaves the attachments folder (a tampered
        or restored file), so that nothing outside it is ever read or deleted.
        """
        from desktop.services.safety.backup import attachment_path_ok

        root = (self.data_dir / ATTACHMENTS_DIR).resolve()
        path = (self.data_dir / Path(*relative.split("/"))).resolve()
        if not attachment_path_ok(relative) or not path.is_relative_to(root):
            raise ProblemError(f"附件路径“{relative[:60]}”不在附件文件夹内，已拒绝使用")
        return path

    def attachment_state(self, relative: str, sha256: str, size: int) -> str:
        """Check an attachment on disk: 正常, 文件缺失 or 文件已改动; never raises."""
        try:
            path = self.attachment_file(relative)
        except ProblemError:
            return ATTACHMENT_MISSING
        try:
            if not path.is_file():
                return ATTACHMENT_MISSING
            if path.stat().st_size != size:
                return ATTACHMENT_CHANGED
            return ATTACHMENT_OK if sha256_hex(path.read_bytes()) == sha256 else ATTACHMENT_CHANGED
        except OSError:
            return ATTACHMENT_MISSING

    def add_attachment(self, problem_id: int, source: Path | str, user: str) -> int:
        """Copy an evidence file into the data folder and record it with its checksum."""
        try:
            file = read_source(source)
        except OSError as exc:
            reason = exc.strerror or exc.__class__.__name__
            raise ProblemError(f"无法读取附件“{source}”：{reason}", "attachment") from exc
        with self.db.unit_of_work() as s:
            p = load_problem(s, problem_id)
            relative = file.relative_path(f"{ATTACHMENTS_DIR}/{p.number}")
            try:
                with stored_copy(self.attachment_file(relative), file):
                    a = Attachment(problem_id=p.id, **file.fields(relative, user))
                    s.add(a)
                    s.add(
                        ProblemEvent(
                            problem_id=p.id, who=user, action="附件", detail=f"添加 {file.name}"
                        )
                    )
                    s.flush()
            except OSError as exc:
                raise ProblemError(f"无法保存附件“{file.name}”：{exc.strerror}") from exc
            return a.id

    def remove_attachment(self, attachment_id: int, user: str) -> None:
        """Remove an attachment from its problem and its file from the data folder."""
        with self.db.unit_of_work() as s:
            a = s.get(Attachment, attachment_id)
            if a is None:
                return
            relative, name = a.path, a.original_name
            s.add(
                ProblemEvent(
                    problem_id=a.problem_id, who=user, action="附件", detail=f"删除 {name}"
                )
            )
            s.delete(a)
            s.flush()
            still_used = s.scalar(
                select(func.count(Attachment.id)).where(Attachment.path == relative)
            )
        if not still_used:
            self.attachment_file(relative).unlink(missing_ok=True)

    def copy_attachment_out(self, attachment_id: int, target: Path) -> Path:
        """Copy an attachment's file to a place the user chose (refused when it is missing)."""
        with self.db.session() as s:
            a = get_or_raise(s, Attachment, attachment_id, ProblemError("附件已不存在"))
            path = self.attachment_file(a.path)
        if not path.is_file():
            raise ProblemError(f"附件文件缺失：{path}")
        shutil.copyfile(path, target)
        return target
