"""File bytes -> text: which encoding, how sure, or why the bytes are not text.

A byte-order mark names the encoding; else UTF-8; else UTF-16 without a BOM when its zero
bytes leave no doubt; else one of :data:`LEGACY_ENCODINGS` as charset-normalizer ranks them.
Binary data (NUL bytes, mostly control characters) is refused with a one-line reason.
"""

from __future__ import annotations

import codecs
import re

from kg.types import Decoded

__all__ = ["LEGACY_ENCODINGS", "check_not_binary", "decode", "decode_text", "media_type"]

#: Single-byte encodings tried, through charset-normalizer, for bytes that are not UTF-8;
#: when the detector cannot tell them apart the first one listed wins (Windows-1252, as
#: browsers read "ISO-8859-1").
LEGACY_ENCODINGS = (
    "cp1252", "latin_1", "iso8859_15", "cp1250", "iso8859_2", "cp1251", "koi8_r",
    "cp1253", "iso8859_7", "cp1254",
)

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_IANA = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "utf-16": "UTF-16", "utf-16-le": "UTF-16LE",
         "utf-16-be": "UTF-16BE", "utf-32": "UTF-32", "latin_1": "ISO-8859-1",
         "koi8_r": "KOI8-R"}
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")  # Unicode Cc but tab, LF, VT, FF, CR
_MAX_CONTROL_SHARE = 0.1  # more control characters than this and the file is not text
_MAX_CHAOS = 0.2  # charset-normalizer's mess ratio above which no guess is taken
_COHERENCE_MARGIN = 0.1  # language-coherence gap under which the preferred encoding wins


def decode(data: bytes) -> str:
    """The text of file bytes (see :func:`decode_text`).

    >>> decode("Zoë".encode("utf-16")), decode("Hun Manet’s “fine”".encode("cp1252"))
    ('Zoë', 'Hun Manet’s “fine”')

    Raises
    ------
    ValueError
        With a one-line reason when the bytes are binary or no encoding fits them.
    """
    return decode_text(data).text


def decode_text(data: bytes) -> Decoded:
    """Decode file bytes and say which encoding was used.

    In order: a byte-order mark names the encoding (UTF-8, UTF-16, UTF-32); bytes that are
    valid UTF-8 are UTF-8; UTF-16 without a BOM is taken only when its zero bytes leave no
    doubt (Latin-script text: every other byte zero, on one side); other bytes with a zero
    byte are binary; anything else goes to charset-normalizer, limited to
    :data:`LEGACY_ENCODINGS`. Text that is more than a tenth control characters is binary.

    Parameters
    ----------
    data
        The bytes of a file.

    Returns
    -------
    Decoded
        The text, the codec name and the confidence of the choice.

    Raises
    ------
    ValueError
        With a one-line reason when the bytes are binary or no encoding fits them.
    """
    decoded = _decode(data)
    check_not_binary(decoded.text)
    return decoded


def media_type(decoded: Decoded, suffix: str) -> str:
    """The media type of a decoded file with its charset: ``text/plain; charset=windows-1252``.

    >>> media_type(Decoded("x", "cp1252", 0.9), ".txt")
    'text/plain; charset=windows-1252'
    """
    kind = {".html": "text/html", ".htm": "text/html", ".md": "text/markdown",
            ".jsonl": "application/jsonl"}.get(suffix.lower(), "text/plain")
    name = decoded.encoding
    charset = _IANA.get(name) or name.replace("cp125", "windows-125").replace("iso8859_", "ISO-8859-")
    return f"{kind}; charset={charset}"


def _decode(data: bytes) -> Decoded:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(data.decode(encoding), encoding)
            except UnicodeDecodeError as err:
                raise ValueError(f"starts with a {_IANA[encoding]} byte-order mark but is not "
                                 f"{_IANA[encoding]} (at byte {err.start})") from None
    if b"\x00" in data:
        utf16 = _bomless_utf16(data)
        if utf16 is not None:
            return utf16
        raise ValueError(f"binary file (NUL byte at offset {data.index(0)}, and not UTF-16 "
                         "without a byte-order mark), expected text")
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as err:
        invalid = f"byte 0x{data[err.start]:02x} at offset {err.start}"
    guess = _legacy(data)
    if guess is None:
        raise ValueError(f"not valid UTF-8 ({invalid}) and no single-byte encoding fits; "
                         "re-encode the file as UTF-8")
    return guess


def _bomless_utf16(data: bytes) -> Decoded | None:
    """UTF-16 without a BOM, when at least 60% of one side's bytes are zero and almost none
    of the other's, and at least half the characters are printable ASCII (as in text mostly
    in Latin script)."""
    pairs = len(data) // 2
    if len(data) % 2 or pairs < 4:
        return None
    zero_even = data[0::2].count(0) / pairs
    zero_odd = data[1::2].count(0) / pairs
    for encoding, zeros, others in (("utf-16-le", zero_odd, zero_even),
                                    ("utf-16-be", zero_even, zero_odd)):
        if zeros >= 0.6 and others <= 0.01:
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                return None
            if sum(ch.isascii() and (ch.isprintable() or ch.isspace()) for ch in text) < len(text) / 2:
                return None  # "\x00\xff\x00\xff" is "ÿÿ" in UTF-16BE, but not text
            return Decoded(text, encoding, round(zeros, 2))
    return None


def _legacy(data: bytes) -> Decoded | None:
    """The best of :data:`LEGACY_ENCODINGS` for ``data`` by charset-normalizer, or None."""
    from charset_normalizer import from_bytes  # imported here: only legacy files need it

    ranked: dict[str, tuple[float, float]] = {}
    for match in from_bytes(data, cp_isolation=list(LEGACY_ENCODINGS), threshold=_MAX_CHAOS):
        for name in match.could_be_from_charset:
            if name in LEGACY_ENCODINGS:
                ranked.setdefault(name, (match.chaos, match.coherence))
    if not ranked:
        return None
    least = min(chaos for chaos, _ in ranked.values())
    calm = {n: c for n, (chaos, c) in ranked.items() if chaos <= least + 0.01}
    best = max(calm.values())
    name = min((n for n, c in calm.items() if c >= best - _COHERENCE_MARGIN),
               key=LEGACY_ENCODINGS.index)
    try:
        text = data.decode(name)
    except UnicodeDecodeError:  # the detector's answer must decode every byte
        return None
    return Decoded(text, name, round(1.0 - ranked[name][0], 2))


def check_not_binary(text: str) -> None:
    """Refuse text that is more than a tenth control characters (tab, line feed, vertical
    tab, form feed and carriage return aside).

    Raises
    ------
    ValueError
        With a one-line reason naming how many characters are control characters.
    """
    controls = sum(1 for _ in _CONTROL.finditer(text))
    if text and controls > _MAX_CONTROL_SHARE * len(text):
        raise ValueError(f"binary file ({controls} of {len(text)} characters are control "
                         "characters), expected text")
