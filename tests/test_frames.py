"""The per-Doc token table the rules share (kg.frames.columns) and what is read off it."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.coref import PRONOUN
from kg.frames import MentionIndex, columns, unit_bounds, units
from kg.lexicon import lemma
from kg.mentions import mentions
from kg.quotes import quote_spans
from kg.spans import sentence_of, trimmed

EXAMPLE = next((Path(__file__).resolve().parent.parent / "examples").glob("*.txt"))


@pytest.fixture(scope="module")
def doc(nlp):
    return nlp(EXAMPLE.read_text(encoding="utf-8"))


def test_columns_are_spacys_values(doc):
    """Every column holds, for every token, what the Token attribute it stands for gives."""
    table = columns(doc)
    assert columns(doc) is table  # one table per Doc
    for token in doc:
        i = token.i
        assert (table.texts[i], table.lowers[i], table.deps[i], table.poses[i],
                table.ent_types[i]) == (token.text, token.lower_, token.dep_, token.pos_,
                                        token.ent_type_)
        assert (table.heads[i], table.idxs[i], table.starts[i]) == (
            token.head.i, token.idx, token.is_sent_start is True)
        assert (table.alphas[i], table.spaces[i], table.uppers[i], table.lowercase[i],
                table.like_nums[i], table.puncts[i], table.stops[i]) == (
            token.is_alpha, token.is_space, token.is_upper, token.is_lower, token.like_num,
            token.is_punct, token.is_stop)
        assert table.newlines[i] == token.text.count("\n") + token.whitespace_.count("\n")
        assert table.verbs[i] == (token.pos_ in ("VERB", "AUX"))
        assert (table.sent_start[i], table.sent_end[i]) == (token.sent.start, token.sent.end)
        assert table.children(i) == [child.i for child in token.children]
        assert table.lemmas[i] == token.lemma_ and table.lemma(i) == lemma(token)


def test_columns_of_an_empty_and_a_one_word_doc(nlp):
    assert columns(nlp("")).texts == []
    table = columns(nlp("Cambodia"))
    assert (table.texts, table.sent_start, table.sent_end, table.children(0)) == (
        ["Cambodia"], [0], [1], [])


def test_units_are_their_bounds(doc):
    bounds = unit_bounds(doc)
    assert [(u.start, u.end) for u in units(doc)] == list(bounds)
    assert all(start < end for start, end in bounds)
    assert any("\n" in doc[start:end].text for start, end in bounds) is False


def test_mentions_in_order_are_in_span_by_start(doc):
    index = MentionIndex(doc, [m for m in mentions(doc) if m.label != PRONOUN])
    for start, end in unit_bounds(doc):
        expected = sorted(index.in_span(start, end), key=lambda m: m.start)
        assert index.in_order(start, end) == expected
        assert index.in_order(start, end) is index.in_order(start, end)


def test_sentence_of_is_spacys_sentence_trimmed(doc):
    for token in doc:
        sent = token.sent
        bounds = trimmed(sent) or (sent.start_char, sent.end_char)
        assert tuple(sentence_of(token)) == bounds
        assert sentence_of(doc[token.i: min(token.i + 3, len(doc))]) == sentence_of(token)


def test_sentence_of_without_sentences_is_spacys_error(nlp):
    import spacy

    bare = spacy.blank("en")("No parse here.")
    with pytest.raises(ValueError):
        sentence_of(bare[0])


def test_quote_spans_read_marks_only():
    text = "Plain text. He said: \u201cwe will win.\u201d Then \u00abnon\u00bb and \"open\nNext 'x'"
    assert [text[q.start:q.end] for q in quote_spans(text)] == [
        "we will win.", "non", "open", "x"]
    assert quote_spans("no quotation marks at all") == []


def test_an_analysed_doc_is_freed_with_its_last_reference(nlp):
    # the facts the rules keep in doc.user_data hold the Doc (a reference cycle): analyse
    # forgets them, so the Doc goes when the build drops it, not at the next cycle collection
    import gc
    import weakref

    from kg.build import analyse
    from kg.frames import FACTS
    from kg.types import Document

    text = EXAMPLE.read_text(encoding="utf-8")[:3000]
    doc = nlp(text)
    analyse(doc, Document(source="t.txt", text=text))
    assert not [k for k in doc.user_data if str(k).startswith(FACTS)]
    gone = weakref.ref(doc)
    enabled = gc.isenabled()
    gc.disable()
    try:
        del doc
        assert gone() is None
    finally:
        if enabled:
            gc.enable()
