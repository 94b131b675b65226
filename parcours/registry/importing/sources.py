"""Find out what each given path is and open it as a stream of fiche records.

Accepted (docs/formats.md part 1): the daily CSV zip, its members one by one (grouped by the
date in their names), the XML V4.1 files plain or zipped. Anything else is refused here,
before the database is touched.
"""

import os
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from .csv_export import MEMBER_NAME_RE, CsvExport, CsvMember, part_of_header, read_csv_export, read_header
from .parsing import nfc
from .records import ExportError, FicheRecord
from .xml_export import _PROLOGUE_BYTES, check_prologue, read_xml_export


class CountingReader:
    """Wraps a binary stream to report how many bytes were read (progress bars)."""

    def __init__(self, stream: IO[bytes], on_read: Callable[[int], None]):
        self._stream = stream
        self._on_read = on_read

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self._on_read(len(data))
        return data

    def close(self) -> None:
        self._stream.close()


Reader = Callable[[Callable[[int], None], dict[str, str]], Iterator[FicheRecord]]


@dataclass
class Source:
    name: str
    size: int  # bytes to read, for the progress bar
    reader: Reader

    def records(
        self, on_read: Callable[[int], None] = lambda n: None, known: dict[str, str] | None = None
    ) -> Iterator[FicheRecord]:
        return self.reader(on_read, known or {})


def open_sources(paths: list[str | os.PathLike[str]]) -> list[Source]:
    sources: list[Source] = []
    loose_members: dict[str, CsvExport] = {}
    for raw in paths:
        path = Path(raw)
        name = path.name
        if not path.is_file():
            raise ExportError(str(path), "fichier introuvable.")
        with path.open("rb") as stream:
            head = stream.read(_PROLOGUE_BYTES)
        if head.startswith(b"PK"):
            sources.extend(_zip_sources(path))
        elif path.suffix.lower() == ".zip":
            raise ExportError(name, "ce fichier n'est pas une archive zip valide.")
        elif path.suffix.lower() == ".csv":
            _add_loose_member(loose_members, path)
        elif head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
            check_prologue(head, name)
            sources.append(_xml_source(name, path.stat().st_size, _binary_opener(path)))
        else:
            raise ExportError(name, "format non reconnu : attendu un export France compétences (zip, XML ou CSV).")
    for export in loose_members.values():
        sources.append(_csv_source(export, sum(m.size for m in export.members.values())))
    return sources


def _binary_opener(path: Path) -> Callable[[], IO[bytes]]:
    def opener() -> IO[bytes]:
        return path.open("rb")

    return opener


def _xml_source(name: str, size: int, opener: Callable[[], IO[bytes]]) -> Source:
    def reader(on_read: Callable[[int], None], known: dict[str, str]) -> Iterator[FicheRecord]:
        with opener() as raw:
            yield from read_xml_export(CountingReader(raw, on_read), name, known)  # type: ignore[arg-type]

    return Source(name=name, size=size, reader=reader)


def _csv_source(export: CsvExport, size: int) -> Source:
    def reader(on_read: Callable[[int], None], known: dict[str, str]) -> Iterator[FicheRecord]:
        yield from read_csv_export(export)

    return Source(name=export.name, size=size, reader=reader)


def _zip_sources(path: Path) -> list[Source]:
    try:
        archive = zipfile.ZipFile(path)
        infos = archive.infolist()
    except zipfile.BadZipFile:
        raise ExportError(path.name, "archive zip illisible ou tronquée.") from None
    xml_infos = [info for info in infos if info.filename.lower().endswith(".xml")]
    csv_infos = [info for info in infos if info.filename.lower().endswith(".csv")]
    if csv_infos and not xml_infos:
        export = CsvExport(name=path.name)
        for info in csv_infos:
            member_name = f"{path.name}:{nfc(info.filename)}"

            def opener(info: zipfile.ZipInfo = info) -> IO[bytes]:
                return zipfile.ZipFile(path).open(info)

            with opener() as stream:
                part = part_of_header(read_header(stream, member_name), member_name)
            if part in export.members:
                raise ExportError(member_name, f"membre {part} présent deux fois dans l'archive.")
            member = CsvMember(part=part, name=member_name, open=opener, size=info.file_size)
            export.members[part] = member
        return [_csv_source(export, sum(info.file_size for info in csv_infos))]
    if xml_infos and not csv_infos:
        sources = []
        for info in xml_infos:
            member_name = f"{path.name}:{nfc(info.filename)}"

            def opener(info: zipfile.ZipInfo = info) -> IO[bytes]:
                return zipfile.ZipFile(path).open(info)

            with opener() as stream:
                check_prologue(stream.read(_PROLOGUE_BYTES), member_name)
            sources.append(_xml_source(member_name, info.file_size, opener))
        return sources
    raise ExportError(path.name, "l'archive ne contient pas un export France compétences (CSV ou XML).")


def _add_loose_member(groups: dict[str, CsvExport], path: Path) -> None:
    with path.open("rb") as stream:
        part = part_of_header(read_header(stream, path.name), path.name)
    match = MEMBER_NAME_RE.search(nfc(path.name))
    group_key = match.group("date") if match else path.parent.as_posix()
    export = groups.setdefault(group_key, CsvExport(name=f"export CSV {group_key}"))
    if part in export.members:
        raise ExportError(path.name, f"membre {part} donné deux fois pour le même export.")
    member = CsvMember(part=part, name=path.name, open=_binary_opener(path), size=path.stat().st_size)
    export.members[part] = member
