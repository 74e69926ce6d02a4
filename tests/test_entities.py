"""Entity typing and merging on sentences of the patterns the issue names (not its strings)."""

from kg.build import analyse
from kg.types import Document


def entities_of(nlp, text):
    document = Document(source="t.txt", text=text)
    result = analyse(nlp(text), document)
    by_key = {e.key: e for e in result.entities}
    return result, {e.label: e for e in result.entities}, by_key


def test_descriptor_before_a_name_types_it(nlp):
    _, found, _ = entities_of(
        nlp, "The watchdog agency Veritel, which tracks fraud, flagged the transfers. "
        "Police in the southern province of Battambang arrested 40 people.")
    assert found["Veritel"].cls == "Organization"
    assert found["Battambang"].cls == "Location"


def test_title_is_kept_apart_from_the_name(nlp):
    result, found, _ = entities_of(
        nlp, "Defence Minister Marta Kowalczyk met reporters. Kowalczyk said the minister "
        "would travel.")
    person = found["Marta Kowalczyk"]
    assert person.cls == "Person" and person.title == "Defence Minister"
    assert "Kowalczyk" in person.alt_labels
    minister = [m for m in result.mentions if m.nominal and m.name == "minister"]
    assert minister and result.referent[minister[0]] == person.key


def test_acronym_defined_in_the_text_is_the_same_actor(nlp):
    _, found, _ = entities_of(
        nlp, "The National Investigation Bureau (NIB) opened a case. The NIB said it "
        "would report in June.")
    bureau = found["National Investigation Bureau"]
    assert "NIB" in bureau.alt_labels


def test_countries_and_nationalities_are_linked(nlp):
    _, found, _ = entities_of(
        nlp, "Thailand closed the border after Cambodians and a Cambodian official protested.")
    assert found["Thailand"].cls == "Country" and found["Thailand"].iso == "TH"
    assert found["Thailand"].geonameid == 1605651
    group = found["Cambodian"]
    assert group.cls == "NationalityGroup" and group.nationality == "Cambodia"
    assert "Cambodians" in group.alt_labels


def test_nominal_actors_become_mentions(nlp):
    result, _, _ = entities_of(nlp, "Rebels attacked the army base, and police arrested them.")
    nominal = {m.name.lower(): m.cls for m in result.mentions if m.nominal}
    assert nominal.get("police") == "Organization"
    assert any(cls == "Organization" for name, cls in nominal.items() if "rebels" in name)


def test_unnamed_entities_are_scoped_to_their_document(nlp):
    result, _, _ = entities_of(nlp, "Police said the fire was out.")
    [police] = [e for e in result.entities if e.label.lower() == "police"]
    assert "~" in police.key  # the police of this article, not of every article


def test_keys_are_the_same_across_documents(nlp):
    _, _, a = entities_of(nlp, "Prime Minister Hun Manet spoke in Phnom Penh.")
    _, _, b = entities_of(nlp, "Hun Manet's government met in Phnom Penh on Monday.")
    assert "person/hun-manet" in a and "person/hun-manet" in b


def test_a_nationality_group_has_the_nationality_of_its_country(nlp):
    result, found, _ = entities_of(
        nlp, "Thailand deported 40 Thais. Cambodians protested in Phnom Penh.")
    links = {(result.referent[r.subject], r.predicate, result.referent[r.object])
             for r in result.relations if r.predicate == "hasNationality"}
    assert (found["Thai"].key, "hasNationality", found["Thailand"].key) in links
    # Cambodia is not named: no relation to an entity the text never mentions
    assert not any(obj.startswith("country/cambodia") for _, _, obj in links)
