"""Reading a labelled catalogue, without touching the database.

Two layouts, in a folder or a zip:

- folder per individual: `<identity>/<image>.jpg` (a zip of one wrapping folder is fine);
- wildlife-datasets: a `metadata.csv` with `image_id,identity,path,split` (paths relative to
  the csv), plus optional `date`, `orientation` (or `side`) and `bbox` columns; other
  columns are ignored.

`read_entries` turns the catalogue into entries and problems. A problem names where it is
(`metadata.csv line 12`, or the file's path) so the person fixing the catalogue can find it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from django.conf import settings
from django.utils.dateparse import parse_date, parse_datetime

from ...models.sightings import Side
from ..ingest import ImageRejected, too_large_message

METADATA = "metadata.csv"
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp")
MAX_CODE_LENGTH = 100  # Individual.code
# wildlife-datasets orientation values; anything else (top, bottom, ...) is "unknown".
SIDES = {
    "left": Side.LEFT, "l": Side.LEFT, "right": Side.RIGHT, "r": Side.RIGHT,
    "front": Side.FRONT, "back": Side.BACK, "rear": Side.BACK,
}  # fmt: skip
LITTER = {"thumbs.db", "desktop.ini"}
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


class CatalogueUnreadable(Exception):
    """The catalogue as a whole cannot be read (not a zip, no such folder)."""


@dataclass
class Entry:
    """One image of the catalogue and what it says about it."""

    path: str  # relative to the catalogue root, "/"-separated
    identity: str
    line: int | None = None  # metadata.csv line; None for the folder layout
    split: str = ""
    side: str = Side.UNKNOWN
    bbox: tuple[float, float, float, float] | None = None  # x, y, width, height as given
    taken_at: dt.datetime | None = None  # naive: in the project's time zone
    sha256: str = ""  # set by validation

    @property
    def where(self) -> str:
        return f"{METADATA} line {self.line}" if self.line else self.path

    def problem(self, text: str) -> str:
        """A message naming the line (and file) the problem is on."""
        return f"{self.where}: file {self.path}: {text}" if self.line else f"{self.path}: {text}"


class Catalogue:
    """Files of a catalogue by their "/"-separated path below its root."""

    files: set[str]
    unsafe: list[str] | tuple[str, ...] = ()  # zip members climbing out of the archive

    def open(self, path: str) -> AbstractContextManager[IO[bytes]]:  # pragma: no cover - interface
        raise NotImplementedError

    def close(self) -> None:
        pass


class FolderCatalogue(Catalogue):
    def __init__(self, root: Path):
        self.root = root.resolve()
        self.files = set()
        for folder, dirs, names in os.walk(self.root):
            dirs[:] = sorted(d for d in dirs if not _hidden(d))
            for name in names:
                full = Path(folder, name)
                # A link out of the folder is not part of the catalogue.
                if not _hidden(name) and full.resolve().is_relative_to(self.root):
                    self.files.add(full.relative_to(self.root).as_posix())

    @contextmanager
    def open(self, path: str) -> Iterator[IO[bytes]]:
        with open(self.root / path, "rb") as handle:
            yield handle


class ZipCatalogue(Catalogue):
    def __init__(self, fileobj: IO[bytes] | Path):
        try:
            self.archive = zipfile.ZipFile(fileobj)
            members = [m for m in self.archive.infolist() if not m.is_dir()]
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise CatalogueUnreadable(f"The file is not a readable zip archive ({exc}).") from exc
        self.members: dict[str, zipfile.ZipInfo] = {}
        self.unsafe: list[str] = []
        for member in members:
            name = member.filename.replace("\\", "/")
            if _unsafe(name):
                self.unsafe.append(name)
            elif not any(_hidden(part) for part in name.split("/")):
                self.members[name] = member
        self.prefix = _root_prefix(list(self.members))
        self.files = {name[len(self.prefix) :] for name in self.members}

    @contextmanager
    def open(self, path: str) -> Iterator[IO[bytes]]:
        member = self.members[self.prefix + path]
        limit = settings.REIDSITE_MAX_IMAGE_BYTES
        if member.file_size > limit:
            raise ImageRejected("too_large", too_large_message(member.file_size))
        # Zip members are not seekable; the image checks need to seek.
        with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as spool:
            try:
                with self.archive.open(member) as stream:
                    while chunk := stream.read(1024 * 1024):
                        spool.write(chunk)
                        if spool.tell() > limit:
                            raise ImageRejected("too_large", too_large_message(spool.tell()))
            except (RuntimeError, NotImplementedError) as exc:  # encrypted, odd compression
                raise ImageRejected("unreadable", f"The zip entry cannot be read ({exc}).") from exc
            except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
                raise ImageRejected("corrupt", f"The zip entry is damaged ({exc}).") from exc
            spool.seek(0)
            yield spool

    def close(self) -> None:
        self.archive.close()


@contextmanager
def open_catalogue(source: str | Path | IO[bytes]) -> Iterator[Catalogue]:
    """A folder, a .zip path or an open zip file, as a Catalogue."""
    if isinstance(source, str | Path):
        path = Path(source)
        if path.is_dir():
            catalogue: Catalogue = FolderCatalogue(path)
        elif path.is_file():
            catalogue = ZipCatalogue(path)
        else:
            raise CatalogueUnreadable(f"{path} is neither a folder nor a zip file.")
    else:
        catalogue = ZipCatalogue(source)
    try:
        yield catalogue
    finally:
        catalogue.close()


def _hidden(part: str) -> bool:
    # macOS and Windows litter (resource forks, .DS_Store, Thumbs.db), never photos.
    return part.startswith(".") or part == "__MACOSX" or part.lower() in LITTER


def _unsafe(path: str) -> bool:
    """An absolute path or one climbing out with '..' (zip-slip)."""
    return (
        path.startswith("/")
        or (len(path) > 1 and path[1] == ":")
        or ".." in path.replace("\\", "/").split("/")
    )


def _root_prefix(names: list[str]) -> str:
    """Where the catalogue starts inside a zip: at its shallowest metadata.csv, or below one
    folder wrapping everything (what zipping a folder produces)."""
    csvs = [n for n in names if PurePosixPath(n).name == METADATA]
    if csvs:
        shallowest = min(csvs, key=lambda n: n.count("/"))
        return shallowest[: -len(METADATA)]
    tops = {n.split("/", 1)[0] for n in names}
    if len(tops) == 1 and all(n.count("/") >= 2 for n in names):
        return f"{tops.pop()}/"
    return ""


def read_entries(catalogue: Catalogue, split: str | None = None) -> tuple[list[Entry], list[str]]:
    """The catalogue's images (of `split` only, if given) and its problems, in file order."""
    problems = [f"{name}: a path outside the catalogue; not read" for name in catalogue.unsafe]
    if METADATA in catalogue.files:
        entries, more = _metadata_entries(catalogue, split)
    else:
        entries, more = _folder_entries(catalogue, split)
    problems += more
    if not entries and not problems:
        problems.append(
            "No images found: expected one folder per individual (<identity>/<image>.jpg) "
            f"or a {METADATA} with image_id,identity,path,split"
            + (f" (and rows of split {split!r})." if split else ".")
        )
    return entries, problems


def _folder_entries(catalogue: Catalogue, split: str | None) -> tuple[list[Entry], list[str]]:
    if split:
        return [], [f"A split ({split!r}) can only be chosen with a {METADATA}."]
    entries, problems = [], []
    for path in sorted(catalogue.files):
        if not path.lower().endswith(IMAGE_SUFFIXES):
            continue  # read-me files, sidecars: not part of the gallery
        identity, _, rest = path.partition("/")
        if not rest:
            problems.append(f"{path}: not inside an individual's folder (<identity>/<image>)")
        elif len(identity) > MAX_CODE_LENGTH:
            problems.append(f"{path}: the folder name is over {MAX_CODE_LENGTH} characters")
        else:
            entries.append(Entry(path=path, identity=identity))
    return entries, problems


def _metadata_entries(catalogue: Catalogue, split: str | None) -> tuple[list[Entry], list[str]]:
    with catalogue.open(METADATA) as handle:
        raw = handle.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [f"{METADATA}: not UTF-8 text; save it as UTF-8 CSV."]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [column.strip().lower() for column in next(reader, [])]
    except csv.Error as exc:
        return [], [f"{METADATA} line 1: {exc}"]
    missing = [c for c in ("identity", "path") if c not in header]
    if split and "split" not in header:
        missing.append("split")
    if missing:
        names = ", ".join(missing)
        return [], [f"{METADATA} line 1: no column {names} (expected image_id,identity,path,split)"]
    entries: list[Entry] = []
    problems: list[str] = []
    first_line: dict[str, int] = {}
    try:
        for row in reader:
            if not any(value.strip() for value in row):
                continue
            values = {c: v.strip() for c, v in zip(header, row, strict=False)}
            if split and values.get("split", "") != split:
                continue
            line = reader.line_num
            entry, row_problems = _row_entry(line, values, catalogue, first_line)
            problems += row_problems
            if entry is not None:
                entries.append(entry)
    except csv.Error as exc:
        problems.append(f"{METADATA} line {reader.line_num}: {exc}")
    return entries, problems


def _row_entry(
    line: int, values: dict[str, str], catalogue: Catalogue, first_line: dict[str, int]
) -> tuple[Entry | None, list[str]]:
    where = f"{METADATA} line {line}"
    identity, path = values.get("identity", ""), values.get("path", "").replace("\\", "/")
    problems = []
    if not identity:
        problems.append(f"{where}: empty identity")
    elif len(identity) > MAX_CODE_LENGTH:
        problems.append(f"{where}: identity is over {MAX_CODE_LENGTH} characters")
    if not path:
        return None, [*problems, f"{where}: empty path"]
    if _unsafe(path):
        return None, [*problems, f"{where}: path {path} leads outside the catalogue folder"]
    path = PurePosixPath(path).as_posix()  # "./a//b.jpg" -> "a/b.jpg"
    if path in first_line:
        problems.append(f"{where}: file {path} is listed on line {first_line[path]} already")
    else:
        first_line[path] = line
    if path not in catalogue.files:
        problems.append(f"{where}: file {path} not found")
    side = SIDES.get((values.get("orientation") or values.get("side") or "").lower(), Side.UNKNOWN)
    bbox, taken_at = None, None
    try:
        bbox = _bbox(values.get("bbox", ""))
    except ValueError as exc:
        problems.append(f"{where}: bbox {values['bbox']!r} {exc}")
    try:
        taken_at = _date(values.get("date", ""))
    except ValueError:
        problems.append(f"{where}: date {values['date']!r} is not a date (YYYY-MM-DD [HH:MM:SS])")
    entry = Entry(
        path=path, identity=identity, line=line, split=values.get("split", ""), side=side,
        bbox=bbox, taken_at=taken_at,
    )  # fmt: skip
    return (None if problems else entry), problems


def _bbox(text: str) -> tuple[float, float, float, float] | None:
    """`[x, y, width, height]`, in pixels or relative (0..1); empty or NaN means none."""
    if text.lower() in {"", "nan", "none", "[]"}:
        return None
    numbers = [float(n) for n in _NUMBER.findall(text)]
    if len(numbers) != 4:
        raise ValueError("is not [x, y, width, height]")
    x, y, width, height = numbers
    if x < 0 or y < 0 or width <= 0 or height <= 0:
        raise ValueError("needs x, y >= 0 and a positive width and height")
    return x, y, width, height


def _date(text: str) -> dt.datetime | None:
    if text.lower() in {"", "nan", "none"}:
        return None
    value = parse_datetime(text)
    if value is None:
        day = parse_date(text)
        if day is None:
            raise ValueError(text)
        value = dt.datetime.combine(day, dt.time())
    return value
