"""Files, folders, HTML and JSONL -> :class:`~kg.types.Document` (text exactly as analysed).

Every input that cannot be read becomes an :class:`~kg.types.IngestError` naming it, and the
other inputs go on: one bad file costs one file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import AnyStr

from kg.decoding import LEGACY_ENCODINGS, check_not_binary, decode, decode_text, media_type
from kg.types import Document, IngestError

__all__ = [
    "LEGACY_ENCODINGS",
    "MAX_DOCUMENT_CHARS",
    "SUFFIXES",
    "MissingInputError",
    "decode",
    "decode_text",
    "find_inputs",
    "media_type",
    "read_documents",
]

#: Characters one document may have (about 2M tokens, minutes of parsing); longer ones are
#: refused by :func:`read_documents` with a one-line reason.
MAX_DOCUMENT_CHARS = 10_000_000

#: File endings read by :func:`read_documents`; other files in a folder are passed over.
SUFFIXES = frozenset({".txt", ".md", ".html", ".htm", ".jsonl"})


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
                # not only regular files: a pipe or a dangling link named *.txt is reported
                if child.suffix.lower() in SUFFIXES and not child.is_dir():
                    yield child
        else:
            yield path


def read_documents(
    paths: Iterable[str | os.PathLike[str]], *, max_document_chars: int = MAX_DOCUMENT_CHARS
) -> Iterator[Document | IngestError]:
    """Yield one :class:`Document` per article found in ``paths``, or an :class:`IngestError`.

    ``.txt`` and ``.md`` files are one article each, their decoded text unchanged; ``.html``
    and ``.htm`` go through trafilatura's main-text extraction (title, date, URL kept as
    metadata); ``.jsonl`` holds one article per line with a ``text`` field and optional
    ``title``, ``url``, ``date``. A text already read (same characters, another file or line)
    is not read again: it is an :class:`IngestError` naming the first source.

    Each document's :attr:`~Document.metadata` holds the ``encoding`` its file was decoded
    from, the ``confidence`` of that choice and its media type (``format``). A document of
    more than ``max_document_chars`` characters is an :class:`IngestError`: no news article
    is that long, and it would hold the build for the better part of an hour.

    Raises
    ------
    MissingInputError
        If one of ``paths`` does not exist (nothing is read then).
    """
    seen: dict[str, str] = {}  # text digest -> the first source that had it
    for path in find_inputs(paths):
        source = _printable_path(path)
        for item in _guarded(_read_file(path, source), source):
            if isinstance(item, Document) and len(item.text) > max_document_chars:
                item = IngestError(item.source, f"{len(item.text):,} characters, over the limit "
                                                f"of {max_document_chars:,} for one document; "
                                                "split it into articles or raise the limit")
            if isinstance(item, Document):
                first = seen.setdefault(item.digest, item.source)
                if first != item.source:
                    item = IngestError(item.source, f"same text as {first}, already read; skipped")
            yield item


def _guarded(items: Iterator[Document | IngestError], source: str
             ) -> Iterator[Document | IngestError]:
    """``items`` one at a time (a JSON Lines file of 10,000 articles is not held as a list
    of them), ended by an :class:`IngestError` for ``source`` if reading it breaks: one bad
    file costs that file's articles from there on, whatever breaks."""
    try:
        yield from items
    except Exception as err:  # noqa: BLE001
        yield IngestError(source, f"could not be read ({type(err).__name__}: {err})")


def _printable_path(path: Path) -> str:
    """The path as given, with bytes that are not UTF-8 (Linux allows them in names) as
    ``\\xff`` escapes, so the source can be written into the graph."""
    name = str(path)
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        name = os.fsencode(name).decode("utf-8", "backslashreplace")
    return name


def _read_file(path: Path, source: str) -> Iterator[Document | IngestError]:
    if not path.is_file():
        yield IngestError(source, "not a regular file (a device, pipe or socket), expected text")
        return
    try:
        data = path.read_bytes()
        decoded = decode_text(data)
    except (OSError, ValueError) as err:
        yield IngestError(source, _reason(err))
        return
    suffix = path.suffix.lower()
    metadata = {"encoding": decoded.encoding, "confidence": f"{decoded.confidence:.2f}",
                "format": media_type(decoded, suffix)}
    if suffix == ".jsonl" and decoded.encoding == "utf-8":
        # read line by line from the bytes (a UTF-8 line break is one byte, never inside
        # a character): a corpus file's text is not kept whole, in Python's wider string
        # form, for the whole build (95 MB of JSON Lines held 185 MB as one str)
        del decoded
        yield from _jsonl_documents(source, (line.decode("utf-8") for line in _lines(data)),
                                    metadata)
    elif suffix == ".jsonl":
        del data
        yield from _jsonl_documents(source, _lines(decoded.text), metadata)
    elif suffix in {".html", ".htm"}:
        yield _html_document(source, decoded.text, metadata)
    else:
        yield _checked(Document(source=source, text=decoded.text, metadata=metadata))


def _reason(err: Exception) -> str:
    if isinstance(err, OSError):
        return err.strerror or str(err)
    return str(err)


def _checked(document: Document) -> Document | IngestError:
    """The document, or why it cannot be analysed (no text, text that is not Unicode text)."""
    if not document.text.strip():
        return IngestError(document.source, "no text to analyse (empty or whitespace only)")
    for name in ("text", "title", "url", "date"):
        value = getattr(document, name)
        if value is None:
            continue
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as err:  # a lone surrogate, from JSON's "\\ud800"
            return IngestError(document.source, f"{name} is not valid Unicode (lone surrogate "
                                                 f"U+{ord(value[err.start]):04X} at {err.start})")
        if "\x00" in value:
            return IngestError(document.source, f"{name} holds a NUL character (at "
                                                 f"{value.index(chr(0))}), expected text")
    try:
        check_not_binary(document.text)
    except ValueError as err:
        return IngestError(document.source, str(err))
    return document


def _jsonl_documents(
    source: str, lines: Iterable[str], metadata: dict[str, str]
) -> Iterator[Document | IngestError]:
    # JSON Lines end at "\n" only: U+2028 and friends may stand inside a JSON string
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{source}#line={number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            yield IngestError(where, f"not valid JSON ({err.msg} at column {err.colno})")
            continue
        except RecursionError:
            yield IngestError(where, "not read: JSON nested too deeply")
            continue
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            yield IngestError(where, 'expected a JSON object with a string "text" field')
            continue
        fields = {k: str(record[k]) for k in ("title", "url", "date") if record.get(k)}
        yield _checked(Document(source=where, text=record["text"], metadata=dict(metadata),
                                **fields))


def _lines(text: AnyStr) -> Iterator[AnyStr]:
    """``text.split("\\n")`` one piece at a time, not as a list of them all (str or bytes).

    >>> list(_lines("a\\nb\\n")), list(_lines(b""))
    (['a', 'b', ''], [b''])
    """
    newline = "\n" if isinstance(text, str) else b"\n"
    start = 0
    while start <= len(text):
        end = text.find(newline, start)  # type: ignore[arg-type]
        end = len(text) if end < 0 else end
        yield text[start:end]
        start = end + 1


def _html_document(source: str, html: str, metadata: dict[str, str]) -> Document | IngestError:
    import trafilatura  # imported here: it is slow to import and only HTML needs it

    extracted = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)

    def field(name: str) -> str | None:  # a trafilatura Document, or a dict in old versions
        value = extracted.get(name) if isinstance(extracted, dict) else getattr(extracted, name, None)
        return str(value) if value else None

    text = field("text") or ""
    if not text.strip():
        return IngestError(source, "no article text found in the HTML")
    return _checked(
        Document(source=source, text=text, title=field("title"), url=field("url"),
                 date=field("date"), metadata=dict(metadata))
    )
