"""A blank line ends a sentence: kg.components.parser_text and the kg_paragraphs component."""

import spacy

from kg.build import parse
from kg.components import ParagraphStarts, parser_text
from kg.mentions import mentions, sentences
from kg.spans import text_of
from kg.types import Document

HEADLINE = "Ruritania\u2019s new flood plan draws 300 complaints"
BODY = ("Ruritania on Monday said that a plan by Prime Minister Anna Weber to rebuild the "
        "river banks had drawn more than 300 complaints this week.")
# a news page: the headline, its repeat (page furniture, masked with spaces, newlines kept),
# then the story
PAGE = f"{HEADLINE}\n\n{HEADLINE}\n\n   {BODY}\nShe spoke to reporters in the capital, Vienna.\n"


def test_parser_text_turns_blank_line_runs_into_newlines_offsets_unchanged():
    read = parser_text(PAGE)
    assert len(read) == len(PAGE)
    start, end = len(HEADLINE), len(HEADLINE) + 2
    assert read[start:end] == "\n\n" and read[end:end + len(HEADLINE)] == HEADLINE.replace("\u2019", "'")
    masked = PAGE[:end] + " " * len(HEADLINE) + PAGE[end + len(HEADLINE):]  # as kg.segment.mask
    read = parser_text(masked)
    assert read[start:masked.index(BODY)] == "\n" * (masked.index(BODY) - start)
    assert read.split() == masked.replace("\u2019", "'").split()  # only white space changed
    # one line break and spaces between words are left alone; Windows line ends count too,
    # and spaces before the blank line stay the whitespace of the word before it
    assert parser_text("a line\nwrapped  here") == "a line\nwrapped  here"
    assert parser_text("Title \r\n\r\n Body") == "Title \r\n\n\n\nBody"


def test_paragraph_starts_mark_the_token_after_a_blank_line():
    doc = ParagraphStarts()(spacy.blank("en")("Big news\n\nHun Manet spoke.\nHe left."))
    assert [t.text for t in doc if t.is_sent_start] == ["Big", "Hun"]
    assert [t.text for t in doc if t.is_sent_start is False] == ["\n\n"]


def test_a_quote_closing_a_paragraph_stays_with_its_sentence(nlp):
    text = ('Force protection is my number one priority here, he said. "Force protection is '
            'my number one priority here."\n\nCJTF-OIR has five building partner capacity sites.')
    [(doc, _, _)] = list(parse(nlp, [Document(source="q.txt", text=text)]))
    found = [text[s.start:s.end] for s in sentences(doc)]
    assert found[-1] == "CJTF-OIR has five building partner capacity sites."
    assert found[-2].endswith('priority here."'), found


def test_a_headline_is_a_sentence_of_its_own_and_offsets_slice_the_text(nlp):
    assert "kg_paragraphs" in nlp.pipe_names
    assert nlp.pipe_names.index("kg_paragraphs") < nlp.pipe_names.index("parser")
    [(doc, _, _)] = list(parse(nlp, [Document(source="t.txt", text=PAGE)]))
    assert len(text_of(doc)) == len(doc.text) == len(PAGE)
    found = [PAGE[s.start:s.end] for s in sentences(doc)]
    assert found[:2] == [HEADLINE, BODY], found
    subject = next(t for t in doc if t.text == "Ruritania" and t.idx == PAGE.index(BODY))
    assert subject.dep_ == "nsubj" and subject.head.text == "said"
    for m in mentions(doc):
        assert PAGE[m.start:m.end] == m.anchor
        assert m.sentence.start <= m.start < m.end <= m.sentence.end
        assert "\n\n" not in PAGE[m.sentence.start:m.sentence.end]


def test_long_texts_read_in_pieces_keep_the_paragraph_starts(nlp):
    # each headline its own (the page segmenter masks a repeated line as furniture)
    expected = [line for i in range(6)
                for line in (f"{HEADLINE} from farmers and town councils in week {i}", BODY)]
    text = "\n\n".join(expected)
    [(whole, _, _)] = list(parse(nlp, [Document(source="a.txt", text=text)]))
    [(pieces, _, _)] = list(parse(nlp, [Document(source="b.txt", text=text)], max_chars=300))
    assert text_of(pieces) == text
    assert [text[s.start:s.end] for s in sentences(whole)] == expected
    assert [text[s.start:s.end] for s in sentences(pieces)] == expected


def test_a_plain_text_headline_on_its_own_line_is_read_and_ends_its_sentence(nlp):
    # title, one line break, story: the segmenter keeps the title (it was masked as a short
    # line) and the parser, which runs a line into the next, is told where the story starts
    headline = "Hun Manet orders a crackdown on scam compounds"
    text = f"{headline}\n{BODY}\n"
    [(doc, _, sections)] = list(parse(nlp, [Document(source="t.txt", text=text)]))
    assert [s.title for s in sections] == [headline]
    assert [text[s.start:s.end] for s in sentences(doc)][:2] == [headline, BODY]
    assert any(m.anchor == "Hun Manet" and m.start == 0 for m in mentions(doc))
    # in pieces too, the start is set in the piece that holds it
    long = "\n".join([HEADLINE] + [BODY] * 4)
    [(pieces, _, _)] = list(parse(nlp, [Document(source="p.txt", text=long)], max_chars=200))
    assert text_of(pieces) == long
    assert [long[s.start:s.end] for s in sentences(pieces)][:2] == [HEADLINE, BODY]
