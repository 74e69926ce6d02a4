from kg import gazetteer


def test_countries_by_any_spelling_but_not_by_code():
    assert gazetteer.country("Cambodia").iso == "KH"
    assert gazetteer.country("United Kingdom") == gazetteer.country("Great Britain")
    assert gazetteer.country("AI") is None and gazetteer.country("KHM") is None


def test_demonyms_and_their_plurals():
    assert gazetteer.demonym("Cambodians").name == "Cambodia"
    assert gazetteer.demonym("Vietnamese").iso == "VN"
    assert gazetteer.demonym_of("FR") == "French"


def test_cities_with_alternate_names_and_ambiguity():
    assert gazetteer.city("Kratie").iso == "KH"  # GeoNames: Kratié
    assert gazetteer.city("Paris").ambiguous
    assert gazetteer.city("Nowhereville") is None
