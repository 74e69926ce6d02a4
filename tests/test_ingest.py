import codecs
import json

import pytest

from kg.ingest import MissingInputError, decode, find_inputs, read_documents
from kg.types import Document, IngestError


def test_txt_text_is_the_file_unchanged(tmp_path):
    text = "Hun Manet spoke.\r\n\n  Tabs\there.  \n"
    (tmp_path / "a.txt").write_bytes(text.encode("utf-8"))
    [doc] = read_documents([tmp_path / "a.txt"])
    assert isinstance(doc, Document)
    assert doc.text == text
    assert doc.source == str(tmp_path / "a.txt")


def test_folder_is_read_recursively_and_other_files_passed_over(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.md").write_text("# B\nBody.", encoding="utf-8")
    (tmp_path / "a.txt").write_text("A.", encoding="utf-8")
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    assert [p.name for p in find_inputs([tmp_path])] == ["a.txt", "b.md"]


def test_missing_path_raises_before_reading_anything(tmp_path):
    (tmp_path / "a.txt").write_text("A.", encoding="utf-8")
    with pytest.raises(MissingInputError, match="nope.txt"):
        list(read_documents([tmp_path / "a.txt", tmp_path / "nope.txt"]))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_jsonl_read_line_by_line_in_any_encoding(tmp_path, encoding):
    """UTF-8 JSON Lines are read from the bytes line by line, others from their decoded text:
    the same articles, numbers and line ends either way."""
    lines = [json.dumps({"text": "Hun Manet’s order, “at once”: €30k."}, ensure_ascii=False),
             "", json.dumps({"text": "Café crème.\u2028Same line."}), "{bad"]
    (tmp_path / "n.jsonl").write_bytes("\r\n".join(lines).encode(encoding))
    items = list(read_documents([tmp_path / "n.jsonl"]))
    assert [(i.source.rsplit("#", 1)[1], getattr(i, "text", None)) for i in items] == [
        ("line=1", "Hun Manet’s order, “at once”: €30k."),
        ("line=3", "Café crème.\u2028Same line."), ("line=4", None)]


def test_jsonl_lines_become_documents_and_bad_lines_errors(tmp_path):
    lines = [
        json.dumps({"text": "First story.", "title": "One", "url": "https://example.org/1",
                    "date": "2025-07-16"}),
        "{not json",
        json.dumps({"title": "no text"}),
        "",
        json.dumps({"text": "Second story."}),
    ]
    (tmp_path / "news.jsonl").write_text("\n".join(lines), encoding="utf-8")
    items = list(read_documents([tmp_path / "news.jsonl"]))
    docs = [i for i in items if isinstance(i, Document)]
    errors = [i for i in items if isinstance(i, IngestError)]
    assert [d.text for d in docs] == ["First story.", "Second story."]
    assert docs[0].title == "One" and docs[0].date == "2025-07-16"
    assert docs[0].source.endswith("news.jsonl#line=1")
    assert [e.source.rsplit("#", 1)[1] for e in errors] == ["line=2", "line=3"]


def test_html_goes_through_main_text_extraction(tmp_path):
    html = """<html><head><title>Crackdown</title></head><body>
    <nav><a href="/">Home</a> <a href="/app">Download the app</a></nav>
    <article><h1>Crackdown in Cambodia</h1>
    <p>Prime Minister Hun Manet ordered government bodies to act against scam compounds,
    officials in Phnom Penh said on Wednesday in a statement to reporters.</p></article>
    <script>alert(1)</script></body></html>"""
    (tmp_path / "page.html").write_text(html, encoding="utf-8")
    [doc] = read_documents([tmp_path / "page.html"])
    assert isinstance(doc, Document)
    assert "Hun Manet ordered" in doc.text
    assert "alert" not in doc.text and "Download the app" not in doc.text


@pytest.mark.parametrize(
    "data, reason",
    [
        (bytes(range(128, 256)) * 4, "not valid UTF-8"),
        (b"\x00\x01\x02binary", "binary"),
        (b"   \n\t ", "empty"),
    ],
)
def test_unreadable_files_are_errors_naming_them(tmp_path, data, reason):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(data)
    (tmp_path / "good.txt").write_text("Good text.", encoding="utf-8")
    items = list(read_documents([tmp_path]))
    errors = [i for i in items if isinstance(i, IngestError)]
    assert [e.source for e in errors] == [str(bad)]
    assert reason in errors[0].reason
    assert "\n" not in str(errors[0])
    assert [i.text for i in items if isinstance(i, Document)] == ["Good text."]


def test_boms_name_the_encoding():
    assert decode(codecs.BOM_UTF8 + "Zoë".encode()) == "Zoë"
    assert decode("Zoë".encode("utf-16")) == "Zoë"
