"""Small helpers shared by the import/export tests."""

import io
import zipfile
from pathlib import Path

from django.db import connection
from django.test.utils import CaptureQueriesContext

WRITES = ("INSERT", "UPDATE", "DELETE")


def zip_bytes(entries: dict[str, str | bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip archive of these paths and contents (ZIP_STORED keeps the bytes as they are,
    for a test to damage them)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def write_files(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return root


def jekyll(title: str, date: str = "2020-01-02 10:00:00 +0000", **extra) -> str:
    lines = ["---", f"title: {title}", f"date: {date}"]
    lines += [f"{key}: {value}" for key, value in extra.items()]
    return "\n".join(lines) + "\n---\n\nBody of " + title + ".\n"


class WriteCounter(CaptureQueriesContext):
    """Counts the SQL statements that change data."""

    def __init__(self):
        super().__init__(connection)

    @property
    def writes(self) -> list[str]:
        return [
            q["sql"] for q in self.captured_queries if q["sql"].lstrip().upper().startswith(WRITES)
        ]
