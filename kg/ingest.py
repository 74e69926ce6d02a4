"""Files, folders, HTML and JSONL -> :class:`~kg.types.Document` (text exactly as analysed).

Every input that cannot be read becomes an :class:`~kg.types.IngestError` naming it, and the
other inputs go on: one bad file costs one file.
"""

from __future__ import annotations

import codecs
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from kg.types import Document, IngestError

__all__ = ["SUFFIXES", "MissingInputError", "find_inputs", "read_documents", "decode"]

#: File endings read by :func:`read_documents`; other files in a folder are passed over.
SUFFIXES = frozenset({".txt", ".md", ".html", ".htm", ".jsonl"})

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class MissingInputError(FileNotFoundError):
    """A path given on the command line does not exist (a usage error, exit status 2)."""


def find_inputs(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path]:
    """Yield the input files below ``paths``, folders recursively in sorted order.

    Raises
    ------
    MissingInputError
        Before yielding anything, if one of ``paths`` does not exist.
    """
    given = [Path(p) for p in paths]
    for path in given:
        if not path.exists():
            raise MissingInputError(f"{path}: no such file or directory")
    for path in given:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and child.suffix.lower() in SUFFIXES:
                    yield child
        else:
            yield path


def decode(data: bytes) -> str:
    """Decode file bytes: a BOM names the encoding, else the text must be UTF-8.

    Raises
    ------
    ValueError
        With a one-line reason when the bytes are binary or not valid UTF-8.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding)
    if b"\x00" in data:
        raise ValueError("binary file (contains NUL bytes), expected text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ValueError(
            f"not valid UTF-8 (byte 0x{data[err.start]:02x} at offset {err.start}); "
            "re-encode the file as UTF-8"
        ) from None


def read_documents(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Document | IngestError]:
    """Yield one :class:`Document` per article found in ``paths``, or an :class:`IngestError`.

    ``.txt`` and ``.md`` files are one article each, their decoded text unchanged; ``.html``
    and ``.htm`` go through trafilatura's main-text extraction (title, date, URL kept as
    metadata); ``.jsonl`` holds one article per line with a ``text`` field and optional
    ``title``, ``url``, ``date``.

    Raises
    ------
    MissingInputError
        If one of ``paths`` does not exist (nothing is read then).
    """
    for path in find_inputs(paths):
        source = str(path)
        try:
            text = decode(path.read_bytes())
        except (OSError, ValueError) as err:
            yield IngestError(source, _reason(err))
            continue
        suffix = path.suffix.lower()
        if suffix == ".jsonl":
            yield from _jsonl_documents(source, text)
        elif suffix in {".html", ".htm"}:
            yield _html_document(source, text)
        else:
            yield _checked(Document(source=source, text=text))


def _reason(err: Exception) -> str:
    if isinstance(err, OSError):
        return err.strerror or str(err)
    return str(err)


def _checked(document: Document) -> Document | IngestError:
    if not document.text.strip():
        return IngestError(document.source, "no text to analyse (empty or whitespace only)")
    return document


def _jsonl_documents(source: str, text: str) -> Iterator[Document | IngestError]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{source}#line={number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            yield IngestError(where, f"not valid JSON ({err.msg} at column {err.colno})")
            continue
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            yield IngestError(where, 'expected a JSON object with a string "text" field')
            continue
        fields = {k: str(record[k]) for k in ("title", "url", "date") if record.get(k)}
        yield _checked(Document(source=where, text=record["text"], **fields))


def _html_document(source: str, html: str) -> Document | IngestError:
    import trafilatura  # imported here: it is slow to import and only HTML needs it

    extracted = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)
    if extracted is None or not (extracted.text or "").strip():
        return IngestError(source, "no article text found in the HTML")
    return _checked(
        Document(
            source=source,
            text=extracted.text,
            title=extracted.title or None,
            url=extracted.url or None,
            date=extracted.date or None,
        )
    )
