from kg.mentions import is_country, mentions, sentences


def test_names_are_typed_with_contract_classes(nlp):
    doc = nlp("Prime Minister Hun Manet of Cambodia met Amnesty International in Phnom Penh.")
    found = {m.name: m.cls for m in mentions(doc)}
    assert found["Hun Manet"] == "Person"
    assert found["Cambodia"] == "Country"
    assert found["Phnom Penh"] == "Location"


def test_offsets_slice_the_text_to_the_anchor(nlp):
    text = "The United Nations said Hun Manet's order worked. Cambodians agreed."
    doc = nlp(text)
    found = list(mentions(doc))
    assert found
    for m in found:
        assert text[m.start : m.end] == m.anchor
        assert m.sentence in sentences(doc)
        assert m.sentence.start <= m.start < m.end <= m.sentence.end
    names = {m.name for m in found}
    assert "Hun Manet" in names  # the possessive is not part of the name
    assert "United Nations" in names  # nor is the article


def test_country_gazetteer_matches_names_not_codes():
    assert is_country("Cambodia") and is_country("vietnam") and is_country("Russia")
    assert not is_country("AI") and not is_country("Poipet")
