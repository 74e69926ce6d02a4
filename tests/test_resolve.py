from kg.resolve import entity_key, normalize_name, resolve, slug
from kg.types import Mention, Sentence

S = Sentence(0, 100)


def m(start, anchor, cls="Person"):
    return Mention(start, start + len(anchor), anchor, cls, S, "PERSON")


def test_same_name_is_one_entity_with_majority_class():
    ms = [m(0, "Crimea", "Organization"), m(10, "Crimea", "Location"),
          m(20, "Crimea", "Location")]
    entities, referent = resolve(ms)
    assert len(entities) == 1
    assert entities[0].cls == "Location"
    assert set(referent.values()) == {"location/crimea"}


def test_surname_joins_the_one_full_name():
    ms = [m(0, "Kylian Mbappe"), m(30, "Mbappe"), m(50, "Mbappe")]
    entities, referent = resolve(ms)
    assert [(e.label, e.alt_labels) for e in entities] == [("Kylian Mbappe", frozenset({"Mbappe"}))]
    assert len(set(referent.values())) == 1


def test_ambiguous_surname_stays_apart():
    ms = [m(0, "John Smith"), m(20, "Anna Smith"), m(40, "Smith")]
    entities, _ = resolve(ms)
    assert len(entities) == 3


def test_keys_are_stable_and_kept_apart_by_class():
    assert entity_key("Person", "Hun  Manet") == entity_key("Person", "hun manet")
    assert entity_key("Person", "Jordan") != entity_key("Country", "Jordan")
    assert slug("Paris Saint-Germain") == "paris-saint-germain"
    assert slug("!!!") == "unnamed"
    assert normalize_name("Hun\u2019s") == "Hun's"
