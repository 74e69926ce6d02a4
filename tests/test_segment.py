from kg.segment import layout, mask
from tests.conftest import EXAMPLES

PAGE = (EXAMPLES / "cambodia-cybercrime-crackdown.txt").read_text(encoding="utf-8")


def test_the_demo_page_holds_four_stories_with_their_headers():
    found = layout(PAGE)
    stories = [(s.title.split()[0], s.publisher, s.date) for s in found.sections]
    assert stories == [
        ("Cambodia's", "Fast Company", "a day ago"),
        ("Russian-controlled", "Yahoo", "2 hours ago"),
        ("Taiwan", "Bloomberg", "3 hours ago"),
        ("French", "Yahoo", "3 hours ago"),
    ]
    for section in found.sections:
        assert PAGE[section.start : section.end].startswith(section.title)


def test_furniture_is_found_and_prose_is_not():
    furniture = {PAGE[a:b] for a, b in layout(PAGE).furniture}
    for line in ("logo", "Try Our AI Features", "Comments", "No comments yet...",
                 "DOWNLOAD THE APP", "Get Started Now: Download the App", "app-storeplay-store",
                 "Related Articles", "Explore what Daily8 AI can do for you:"):
        assert line in furniture
    assert not any("Hun Manet issued the order" in f for f in furniture)


def test_masking_keeps_length_and_offsets():
    spans = layout(PAGE).furniture
    masked = mask(PAGE, spans)
    assert len(masked) == len(PAGE)
    assert "DOWNLOAD" not in masked and "Hun Manet issued" in masked
    assert [i for i, c in enumerate(masked) if c == "\n"] == [i for i, c in enumerate(PAGE) if c == "\n"]


def test_a_plain_article_is_one_section_with_the_given_title():
    text = "The minister said on Monday that the talks would go on, officials confirmed."
    found = layout(text, title="Talks go on")
    assert [(s.start, s.end, s.title) for s in found.sections] == [(0, len(text), "Talks go on")]
    assert found.furniture == []


def test_empty_text_has_no_section():
    assert layout("").sections == [] and layout("   \n").furniture == []


def test_a_long_line_of_prose_naming_an_app_and_a_menu_is_prose():
    text = ("The ministry said the scam compounds recruited workers through a messaging app and "
            "a menu of fake jobs, and that police had arrested more than 200 people in raids "
            "across three provinces this week.")
    assert layout(text).furniture == []
    ad = "Download our app and subscribe to the newsletter for more news today."
    page = f"{ad}\n\n{text}"
    assert [page[a:b] for a, b in layout(page).furniture] == [ad]


def test_a_text_without_a_story_is_read_whole():
    dateline = "Moscow ITAR-TASS\nOW2102114194 Beijing XINHUA in English"
    assert layout(dateline) == ([], [], [])


def test_a_first_line_with_prose_after_it_is_the_headline_and_ends_its_sentence():
    text = ("Hun Manet orders a crackdown on scam compounds\nBy Grant Peck\n"
            "Cambodia's prime minister ordered police to raid the compounds on Monday.")
    found = layout(text)
    assert [s.title for s in found.sections] == ["Hun Manet orders a crackdown on scam compounds"]
    assert [text[a:b] for a, b in found.furniture] == ["By Grant Peck"]
    assert found.breaks == []  # the byline is masked: the blank it leaves ends the headline
    plain = text.replace("By Grant Peck\n", "")
    assert layout(plain).breaks == [plain.index("Cambodia's")]


def test_a_first_line_whose_words_go_on_below_is_no_headline():
    text = ("Also in the past 24 hours, the Pentagon's Davis said, the U.S.-led\ncoalition\nconducted five airstrikes "
            "near Mosul, delivering 101 munitions.")
    found = layout(text)
    assert found.furniture == [] and found.breaks == []
    assert found.sections[0].title is None


def test_a_line_introducing_a_quote_is_kept():
    quote = "\u201cThe UK condemns the attack on the aid convoy, and we call for calm.\u201d"
    for gap in ("\n", "\n\n"):
        text = f"The minister spoke in London on Monday after the attack.\nMinister Ellwood said:{gap}{quote}"
        assert layout(text).furniture == []
    share = f"The minister spoke in London on Monday after the attack.\nShare this with your friends:\n{quote}"
    assert [share[a:b] for a, b in layout(share).furniture] == ["Share this with your friends:"]


def test_a_word_of_a_broken_sentence_is_kept_but_not_across_a_blank_line():
    text = ("In the past 24 hours, the Pentagon's spokesman said, the U.S.-led\ncoalition\nconducted five airstrikes near Mosul, "
            "a spokesman said.")
    assert layout(text).furniture == []
    menu = ("The police arrested more than 1,000 suspects in five provinces this week.\n\n"
            "Menu\n\nsubscribe now to read more of our coverage of the crackdown, it said.")
    assert "Menu" in [menu[a:b] for a, b in layout(menu).furniture]


def test_masking_blanks_overlapping_and_unordered_spans_once():
    text = "ab\ncd\r\nef gh"
    spans = [(6, 12), (1, 4), (2, 5), (9, 10)]
    chars = list(text)  # each character of a span a space, line breaks kept
    for start, end in spans:
        for i in range(start, end):
            chars[i] = chars[i] if chars[i] in "\n\r" else " "
    assert mask(text, spans) == "".join(chars) == "a \n  \r\n     "
    assert mask(text, []) == text
