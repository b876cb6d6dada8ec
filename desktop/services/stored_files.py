"""Files copied into the data folder (a problem's 整改 evidence, a case's 核实 evidence).

One way for both: read the source whole, name the copy by its checksum under the record's
folder, write it for the length of the caller's unit of work, and remove a copy this call
wrote when the record that names it fails (an identical copy already there is left alone).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SourceFile:
    """A file read to be stored: its name, bytes and SHA-256."""

    name: str
    payload: bytes
    sha256: str

    @classmethod
    def of(cls, name: str, payload: bytes) -> SourceFile:
        """A file given by its name and bytes (read from disk, or made, as the demo's photos)."""
        return cls(name, payload, hashlib.sha256(payload).hexdigest())

    def relative_path(self, folder: str) -> str:
        """Where its copy goes under the data folder: “folder/<checksum>-<name>”."""
        return f"{folder}/{self.sha256[:12]}-{self.name}"

    def fields(self, relative: str, added_by: str) -> dict:
        """The StoredFileMixin columns of its record."""
        return {
            "path": relative,
            "original_name": self.name,
            "sha256": self.sha256,
            "size": len(self.payload),
            "added_by": added_by,
        }


def read_source(source: Path | str) -> SourceFile:
    """Read a file to be stored; OSError goes to the caller, who says it in Chinese."""
    source = Path(source)
    return SourceFile.of(source.name, source.read_bytes())


@contextmanager
def stored_copy(target: Path, source: SourceFile) -> Iterator[None]:
    """Write the copy to `target` for the block; if the block fails, remove what was written."""
    created = not target.exists()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if created:
            target.write_bytes(source.payload)
        yield
    except BaseException:
        if created:
            target.unlink(missing_ok=True)
        raise
