"""Which event a word triggers, and the words that make none."""

from __future__ import annotations

import pytest

from basewatch.news.entities import People
from basewatch.news.triggers import ArticleContext, event_type_of, negated, unreal


def _kind(pipe, first, text, word, ctx=None):
    doc = pipe(text)
    tok = first(doc, word)
    return event_type_of(tok, tok.sent, People(doc), ctx or ArticleContext.of(text))


@pytest.mark.parametrize(
    "text, word, kind",
    [
        ("An Il-76 landed at Khmeimim on Monday.", "landed", "flight"),
        ("Belousov met his Syrian counterpart in Moscow.", "met", "meeting"),
        ("Two frigates sailed into the Black Sea on Tuesday.", "sailed", "military_movement"),
        ("The two sides signed a memorandum on training.", "signed", "agreement"),
        ("Talks were held in Ankara on Friday.", "Talks", "negotiation"),
        ("The minister travelled to Manila on Sunday.", "travelled", "visit"),
    ],
)
def test_triggers(pipe, first, text, word, kind):
    assert _kind(pipe, first, text, word) == kind


def test_aircraft_in_an_exercise_are_part_of_it(pipe, first):
    text = "Allied jets will fly from the base during the drills."
    assert _kind(pipe, first, text, "fly", ArticleContext(exercise=True)) == "exercise"
    assert _kind(pipe, first, text, "fly", ArticleContext(exercise=False)) == "flight"


def test_it_continues_the_last_movement(pipe, first):
    text = "It entered the Sea of Marmara on Friday."
    ctx = ArticleContext(last_move="military_movement")
    assert _kind(pipe, first, text, "entered", ctx) == "military_movement"


def test_negated_and_unreal(pipe, first):
    doc = pipe("The ministers did not meet. Russia proposed holding talks. The jets could land.")
    assert negated(first(doc, "meet"))
    assert unreal(first(doc, "holding"))
    assert unreal(first(doc, "land"))
    assert not negated(first(doc, "proposed"))


def test_context_reads_the_article():
    assert ArticleContext.of("The drills began.").exercise
    assert ArticleContext.of("The talks went on.").talks
    assert not ArticleContext.of("An Il-76 landed.").exercise


@pytest.mark.parametrize(
    "text, word, kind",
    [
        ("Russia deployed two battalions to the base on Monday.", "deployed", "deployment"),
        ("France withdrew its troops from Niamey in December.", "withdrew", "withdrawal"),
        ("The army evacuated the personnel from the depot on Friday.", "evacuated", "evacuation"),
        ("Two Tu-95MS bombers held drills over the Barents Sea.", "drills", "exercise"),
        ("Drones struck the air base near Latakia overnight.", "struck", "attack"),
        ("The drone attack on the airfield was carried out at night.", "attack", "attack"),
        ("The EU imposed sanctions on three Russian airlines.", "sanctions", "sanction"),
        ("Putin spoke with Erdogan by phone on Tuesday.", "spoke", "call"),
        ("A Russian corvette passed through the Bosphorus.", "passed", "military_movement"),
    ],
)
def test_event_types_beyond_the_first_seven(pipe, first, text, word, kind):
    assert _kind(pipe, first, text, word) == kind


@pytest.mark.parametrize(
    "text, word",
    [
        ("The Russian air force flies Su-34 strike aircraft from Olenya.", "strike"),
        ("Rebels still control the airfield.", "control"),
        ("Foreign aircraft must inform the authorities before landing.", "inform"),
    ],
)
def test_states_aims_and_rules_are_no_events(pipe, first, text, word):
    assert _kind(pipe, first, text, word) is None


@pytest.mark.parametrize(
    "text, quote",
    [
        ("Tamm pointed out that the jets had no flight plan.", "the jets had no flight plan"),
        ("Peskov revealed that the talks had lasted three hours.", "the talks had lasted"),
        ("Putin lauded the progress made in the talks.", "lauded the progress"),
        ("Minister Ana Vell called for restraint on both sides.", "called for restraint"),
    ],
)
def test_more_verbs_of_saying(pipe, text, quote):
    from basewatch.news.quotes import find_statements

    doc = pipe(text)
    (st,) = find_statements(next(doc.sents), People(doc))
    assert quote in st.quote


def test_called_and_pointed_alone_are_not_speech(pipe):
    from basewatch.news.quotes import find_statements

    doc = pipe("The minister called the ambassador to the ministry.")
    assert find_statements(next(doc.sents), People(doc)) == []
