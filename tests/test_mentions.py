from kg.mentions import is_country, is_state, mentions, sentences


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


def test_a_bracketed_gloss_is_a_name_of_its_own(nlp):
    text = "Cardenas is the candidate of the PRD (Party of the Democratic Revolution), with 9 percent."
    anchors = {m.anchor: m.cls for m in mentions(nlp(text))}
    assert anchors["the PRD"] == "Organization"  # the name stops at its bracket
    assert anchors["Party of the Democratic Revolution"] == "Organization"


def test_a_dateline_is_a_place_and_a_source(nlp):
    anchors = {m.anchor: m.cls for m in mentions(nlp("OW2102114194 Beijing XINHUA in English 1127 GMT"))}
    assert anchors.get("Beijing") == "Location"
    assert anchors.get("XINHUA") == "Organization"


def test_a_title_before_a_name_is_no_part_of_the_organisation(nlp):
    text = "An air bubble would be the only oxygen, said Coast Guard Lt. Steve Hardy."
    anchors = {m.anchor for m in mentions(nlp(text))}
    assert "Coast Guard" in anchors and not any(a.startswith("Coast Guard L") for a in anchors)


def test_is_state_reads_names_and_ap_abbreviations():
    assert is_state("Va.") and is_state("Va") and is_state("N.Y.") and is_state("Virginia")
    assert not is_state("Paris") and not is_state("Va.x")


def test_a_town_and_its_state_are_one_place_and_two(nlp):
    """ "Staunton, Va." is a place of its own, and "Staunton" and "Va." stay mentions."""
    text = "John Smith, 42, of Staunton, Va., was hurt. Anna lives in Jamestown N.Y. now."
    anchors = {m.anchor: m.cls for m in mentions(nlp(text))}
    assert anchors["Staunton, Va."] == "Location"
    assert anchors["Staunton"] == "Location" and anchors["Va."] == "Location"
    assert anchors["Jamestown N.Y."] == "Location"


def test_a_list_of_towns_is_no_town_in_a_state(nlp):
    anchors = {m.anchor for m in mentions(nlp("He toured Paris, London and Berlin last year."))}
    assert not any("," in a for a in anchors)


def test_a_monitoring_source_line_is_a_place_and_a_source(nlp):
    text = ("Qian Qichen Leaves Beijing for South Asian Tour OW2102114194 Beijing XINHUA in "
            "English 1127 GMT 21 Feb 94")
    found = [(m.anchor, m.cls) for m in mentions(nlp(text))]
    assert found[-2:] == [("Beijing", "Location"), ("XINHUA", "Organization")], found
    # the model's reading across the code ("LD1005194694 Berlin N-TV" as a person) gives way
    found = [(m.anchor, m.cls) for m in mentions(nlp("LD1005194694 Berlin N-TV in German 1900 GMT"))]
    assert ("Berlin", "Location") in found and ("N-TV", "Organization") in found, found
    assert not any("LD1005194694" in anchor for anchor, _ in found), found


def test_a_code_without_a_known_place_after_it_is_no_source_line(nlp):
    found = {m.anchor for m in mentions(nlp("Flight BA0123456789 left London on Monday."))}
    assert "London" in found and not any("BA0123456789" in a for a in found)


def test_a_title_the_model_reads_into_a_name_is_one_mention(nlp):
    # the name with its title is a named mention; the title rule finds the same span as a
    # description: one phrase must stay one mention (itsrdf:taIdentRef exactly once)
    text = ("Minister for the Middle East Tobias Lima marks one year since Yazidi plight on "
            "Mount Sinjar at the hands of ISIL.\n\nSpeaking today Mr Lima said:")
    spans = [(m.start, m.end) for m in mentions(nlp(text)) if m.label != "PRON"]
    assert len(spans) == len(set(spans))


def test_typographic_apostrophes_are_read_as_ascii_with_offsets_kept(nlp):
    # the model never saw "Da’esh" (U+2019); the kg_typography norms let it read "Da'esh"
    text = "The Coalition will continue to strike Da\u2019esh\u2019s leaders in Syria\u2019s north."
    doc = nlp(text)
    assert doc.text == text
    found = list(mentions(doc))
    assert "Da\u2019esh" in {m.anchor for m in found}
    for m in found:
        assert text[m.start : m.end] == m.anchor


def test_a_point_of_the_compass_before_of_is_no_place(nlp):
    """"the South of France" is a part of France: no place mention "South" (which a
    relation would make a region of its own), France stays one."""
    doc = nlp("He made two trips to Avignon in the South of France last June. Troops "
              "massed in the north of Syria.")
    anchors = {m.anchor for m in mentions(doc)}
    assert "South" not in anchors and "north" not in anchors, anchors
    assert {"France", "Syria"} <= anchors, anchors


def test_the_parser_reads_typographic_quotes_as_ascii_and_anchors_keep_them(nlp):
    """kg.build.parse hands the parser "’" as "'" (one character for one); the Doc's text
    for offsets and anchors (kg.spans.text_of) stays as written."""
    from kg.build import parse
    from kg.spans import text_of
    from kg.types import Document

    text = "The coalition struck positions near Mosul, the ministry\u2019s spokesman said."
    [(doc, _, _)] = list(parse(nlp, [Document(source="t.txt", text=text)]))
    assert "\u2019" not in doc.text and len(doc.text) == len(text)
    assert text_of(doc) == text
    found = list(mentions(doc))
    assert "the ministry\u2019s spokesman" in {m.anchor for m in found}
    assert all(text[m.start:m.end] == m.anchor for m in found)


def test_people_named_by_what_they_are_are_a_body(nlp):
    """A plural of people ("civilians", "residents", "members"), counted or not, acts as one."""
    text = "Shelling killed 40 civilians and wounded hundreds of residents. Members of the tribe fled."
    anchors = {m.anchor: m.cls for m in mentions(nlp(text))}
    assert anchors.get("civilians") == "Organization"  # the count is no part of the mention
    assert anchors.get("residents") == "Organization"
    assert anchors.get("Members") == "Organization"
    assert not any("civilian" in m.anchor for m in mentions(nlp("A civilian was hurt.")))
