"""Short paragraphs in the style of wire reports and OSINT write-ups, written for these tests,
each guarding one class of error seen on real articles: mislabelled places and people, who
flies an aircraft told again, the parties of a meeting told before, where talks took place."""

from __future__ import annotations

from datetime import date

import pytest

from basewatch.news.extractor import ArticleExtractor


@pytest.fixture(scope="module")
def run(pipe, ref):
    def _run(text: str, anchor: date = date(2025, 6, 20), outlet: str = "Test Wire"):
        return ArticleExtractor(pipe(text), anchor, outlet, ref).run()

    return _run


def _one(events, kind: str, words: str):
    hits = [e for e in events if e.event_type == kind and words in e.sentence]
    assert hits, f"no {kind} in {[(e.event_type, e.sentence[:40]) for e in events]}"
    return hits[0]


def test_places_the_model_takes_for_people_are_places(pipe):
    doc = pipe(
        "A cargo plane took off again for Bamako in Mali two hours later. Drones struck the "
        "Saky air base in western Crimea overnight. Two corvettes returned to Novorossiysk."
    )
    labels = {e.text: e.label_ for e in doc.ents}
    assert labels["Bamako"] == labels["Mali"] == labels["Saky"] == "GPE"
    assert labels["Crimea"] == labels["Novorossiysk"] == "GPE"


def test_a_name_after_a_role_word_is_a_person_and_so_is_its_surname(pipe):
    doc = pipe(
        "The ministry summoned the ambassador, ministry spokeswoman Liis Kask said. "
        '"We will not accept this," Kask said.'
    )
    people = [e.text for e in doc.ents if e.label_ == "PERSON"]
    assert "Liis Kask" in people and "Kask" in people


def test_an_aircraft_told_again_keeps_its_operator(run):
    evs = run(
        "Russian Il-76 freighters flew into the Al Jufra air base eleven times between 2 and "
        "12 June, tracking data show.\n\n"
        "Three of the flights arrived this week.\n\n"
        "On Tuesday an Il-76MD landed at Al Jufra shortly before dawn.\n"
    )
    flights = [e for e in evs if e.event_type == "flight"]
    assert [f.actors for f in flights] == [["RU"], ["RU"], ["RU"]]


def test_who_flies_is_never_where_they_flew(run):
    ev = _one(
        run("On Monday an An-124 landed at Benina airport and took off for Niamey in Niger.\n"),
        "flight",
        "An-124",
    )
    assert "NE" not in ev.actors and "Niamey" not in ev.actors


def test_members_of_an_alliance_fly_for_it(run):
    ev = _one(
        run("Fighter jets from six NATO countries began arriving at Bodø on Saturday.\n"),
        "flight",
        "NATO",
    )
    assert ev.actors == ["NATO"]


def test_a_type_from_a_western_maker_gets_no_guessed_operator(run):
    ev = _one(run("A C-17 landed at Souda on Sunday.\n"), "flight", "C-17")
    assert ev.actors == []


def test_the_ministers_discussed_are_the_ministers_who_met(run):
    evs = run(
        "Armenia's defence minister Aram Petrosyan held talks with his Greek counterpart "
        "Nikos Dimas in Athens on Tuesday.\n\n"
        "The ministers discussed air defence and training, the ministry said.\n\n"
        "The talks also covered a maintenance contract, according to officials.\n"
    )
    for words in ("The ministers discussed", "The talks also covered"):
        ev = _one(evs, "negotiation", words)
        assert set(ev.actors) == {"Aram Petrosyan", "Nikos Dimas"}, words
        assert ev.place == "Athens" and ev.date_start == "2025-06-17", words


def test_talks_take_place_where_they_were_held_not_where_their_topic_is(run):
    evs = run(
        "Presidential spokesman Ilya Borin said the future of the Russian bases in Syria had "
        "been discussed at the talks.\n"
    )
    ev = _one(evs, "negotiation", "discussed")
    assert ev.place != "Syria"


def test_a_seat_of_power_places_a_meeting_in_its_city(run):
    ev = _one(
        run("Vladimir Putin received the Malian leader in the Kremlin on Thursday.\n"),
        "meeting",
        "Kremlin",
    )
    assert ev.place == "Moscow"


def test_an_airfield_named_by_its_own_name_is_its_icao_code(run):
    evs = run(
        "Two Norwegian F-35A jets were scrambled on Tuesday and returned to Ørland an hour "
        "later, Norway's air force said.\n"
    )
    ev = _one(evs, "flight", "returned")
    assert ev.place == "ENOL"


def test_a_movement_told_without_a_place_went_where_the_last_one_went(run):
    evs = run(
        "Russian Il-76 transports landed at the Al Jufra air base nine times between 2 and 11 "
        "June, OSINT analysts said.\n\n"
        "Four of the flights arrived at night.\n\n"
        "A second Il-76MD followed on 14 June.\n"
    )
    flights = [e for e in evs if e.event_type == "flight"]
    assert [f.place for f in flights] == ["HL69", "HL69", "HL69"]


def test_where_the_teller_stands_is_not_where_the_event_was(run):
    evs = run(
        "A Russian navy corvette sailed through the Bosphorus on Monday, ship spotters in "
        "Istanbul said.\n"
    )
    ev = next(e for e in evs if e.event_type in ("military_movement", "flight"))
    assert ev.place != "Istanbul"


def test_sending_or_pulling_out_aircraft_is_a_deployment_or_withdrawal(run):
    evs = run(
        "Algeria deployed a squadron of Su-30 fighters to Tamanrasset on Sunday, according to "
        "a military source.\n\n"
        "Chad withdrew its drones from the air base at Abéché this week, two officers said.\n"
    )
    assert _one(evs, "deployment", "deployed").actors == ["DZ"]
    assert _one(evs, "withdrawal", "withdrew")


def test_ground_forces_arriving_are_deployed_but_a_fleet_described_is_not(run):
    evs = run(
        "The first Leopard tanks of the new brigade arrived by train at the Pabradė range on "
        "Monday, the army said.\n\n"
        "The bomber, one of a fleet deployed to Guam, later joined two Japanese fighters.\n"
    )
    assert _one(evs, "deployment", "Leopard")
    assert not [e for e in evs if e.event_type == "deployment" and "Guam" in e.sentence]


def test_a_verdict_in_quotes_is_a_statement(run):
    evs = run('Interior Minister Petra Holm called the incursion "a reckless provocation".\n')
    ev = _one(evs, "statement", "reckless")
    assert ev.speaker == "Petra Holm"


def test_an_institution_saying_words_of_its_own_is_the_speaker(run):
    evs = run(
        "Gunmen attacked an army post near the border on Saturday.\n\n"
        'The army said in a statement that the assault had been "beaten back".\n'
    )
    ev = _one(evs, "statement", "beaten back")
    assert ev.speaker == "The army" and ev.speaker_kind == "institution"


def test_the_deputy_minister_is_not_the_minister_named_before(run):
    evs = run(
        "Defence Minister Karl Berg met the Swedish envoy on Monday.\n\n"
        "Deputy Foreign Minister Ana Lind said the talks were useful.\n\n"
        'The deputy minister added that the country would "stay the course".\n'
    )
    ev = _one(evs, "statement", "stay the course")
    assert ev.speaker == "Ana Lind"


# dates: publication Monday 6 October 2025 unless said otherwise
MONDAY = date(2025, 10, 6)


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("Transports landed at Bamako three times this weekend.", ("2025-10-04", "2025-10-05")),
        ("The envoys will meet again later this month.", ("2025-10-07", "2025-10-31")),
        ("Speaking earlier in October, the minister said so.", ("2025-10-01", "2025-10-05")),
        ("A drone hit the depot last night.", ("2025-10-05", "2025-10-05")),
        (
            "Tankers have landed at Akrotiri four times since 12 September, most recently on "
            "Friday.",
            ("2025-09-12", "2025-10-03"),
        ),
        ("A fire broke out at the depot next to the airport on Thursday.", ("2025-10-02",) * 2),
    ],
)
def test_dates_as_wires_write_them(text, span):
    from basewatch.news.dates import find_times

    hits = [h for h in find_times(text, MONDAY) if h.span is not None]
    assert (hits[0].span.start.isoformat(), hits[0].span.end.isoformat()) == span


def test_that_morning_is_the_day_named_just_before(run):
    evs = run(
        "The busiest day was 2 October. An Il-76MD flew from Benghazi to Latakia that morning.\n",
        MONDAY,
    )
    assert _one(evs, "flight", "that morning").date_start == "2025-10-02"


def test_the_day_of_the_report_does_not_date_what_it_reports(run):
    evs = run(
        "Russia has resumed cargo flights to its air base in Syria after a long pause, a "
        "business daily reported on Thursday.\n",
        MONDAY,
    )
    assert _one(evs, "flight", "resumed").date_start is None


def test_what_was_agreed_for_july_does_not_date_the_agreeing(run):
    evs = run(
        "Manila and Tokyo agreed on Friday to hold a joint patrol in July.\n\n"
        "The two ministers agreed to hold a second round of talks in December.\n",
        MONDAY,
    )
    assert _one(evs, "agreement", "on Friday").date_start == "2025-10-03"
    assert _one(evs, "agreement", "second round").date_start != "2025-12-01"


def test_a_background_clause_does_not_date_the_event(run):
    evs = run(
        "Russian border guards left the checkpoint at Gyumri on Saturday, ending a presence "
        "that began in 1994.\n\n"
        "The handover ended a presence that began in 1994.\n",
        MONDAY,
    )
    dates = {e.date_start for e in evs if "handover" in e.sentence}
    assert "1994-01-01" not in dates


def test_words_said_by_one_who_took_part_take_the_occasion_just_told(run):
    evs = run(
        "Lithuanian Defence Minister Rasa Vaitkute and her Dutch counterpart Pieter Smit "
        "visited the brigade at Rukla on Thursday.\n\n"
        'Smit said the unit was "ready for anything".\n\n'
        "Estonia's prime minister Mart Kivi spoke with the NATO chief by phone on Friday.\n\n"
        'He said afterwards that the alliance was "united".\n',
        MONDAY,
    )
    assert _one(evs, "statement", "ready for anything").date_start == "2025-10-02"
    assert _one(evs, "statement", "afterwards").date_start == "2025-10-03"


def test_words_said_before_the_occasion_do_not_take_its_date(run):
    evs = run(
        "Syrian President Ahmed al-Sharaa met Vladimir Putin in Moscow on Wednesday.\n\n"
        "Before that visit al-Sharaa had said the bases were on the agenda.\n",
        MONDAY,
    )
    assert _one(evs, "statement", "Before that visit").date_start is None


@pytest.mark.parametrize(
    ("line", "agency"),
    [
        ("By Lena Ortiz and Omar Haddad | Gulf Desk", "Gulf Desk"),
        ("By Samir Aziz, Sahel Wire", "Sahel Wire"),
        ("By Samir Aziz, Lena Ortiz", None),
    ],
)
def test_the_desk_or_agency_after_the_authors_is_the_credit(line, agency):
    from basewatch.news.document import _byline_agency

    assert _byline_agency(line, "Some Outlet") == (True, agency)


def test_a_source_is_named_without_its_frame(run):
    evs = run(
        "Two Il-76MD freighters landed at Benina on Sunday, according to our review of "
        "flight-tracking data.\n\n"
        "A Russian officer told the Zvezda channel that an Il-62M had landed at the base on "
        "Monday.\n",
        MONDAY,
    )
    assert _one(evs, "flight", "Benina").source == "flight-tracking data"


def test_it_said_goes_back_to_the_source_named_before(run):
    evs = run(
        "The last Russian landing ship left Tartus on Friday, according to the OSINT account "
        "Harbour Eye. It said the navy had moved most of its equipment out of the port by "
        "sea.\n",
        MONDAY,
    )
    moved = [e for e in evs if "It said" in e.sentence and e.event_type != "statement"]
    assert moved and moved[0].source == "Harbour Eye"


def test_the_place_of_a_port_town_or_target_is_named_after_of_or_struck(run):
    evs = run(
        "Drones struck the Black Sea port of Izmail early on Sunday, the regional governor "
        "said.\n\n"
        "Government troops withdrew from the town of Menaka on Friday.\n\n"
        "Missiles struck a hangar next to Mogadishu's airport on Monday.\n",
        MONDAY,
    )
    assert _one(evs, "attack", "Izmail").place == "Izmail"  # a port, not its airport
    assert _one(evs, "withdrawal", "Menaka").place == "Menaka"
    assert _one(evs, "attack", "hangar").place == "Mogadishu"


def test_the_office_named_by_its_title_is_its_current_holder(run):
    evs = run(
        "Mali's former president, Ibrahim Keita, signed the basing accord in 2019.\n\n"
        'Speaking in Bamako on Tuesday, the Malian president said the accord would stay. "We '
        'keep our word," Assimi Goita told the visiting envoy.\n',
        MONDAY,
    )
    ev = _one(evs, "statement", "the Malian president said")
    assert ev.speaker == "Assimi Goita"


def test_a_person_who_went_to_or_was_in_a_city_on_a_day_visited_it(run):
    evs = run(
        "Sudan's foreign minister was in Ankara on Tuesday.\n\n"
        "Hala Osman went to Cairo on Thursday with a long list of requests.\n\n"
        "The minister was in a hurry.\n",
        MONDAY,
    )
    visits = [e for e in evs if e.event_type == "visit"]
    assert [(v.place, v.date_start) for v in visits] == [
        ("Ankara", "2025-09-30"),
        ("Cairo", "2025-10-02"),
    ]


def test_a_quote_after_a_reported_statement_is_its_own_statement(run):
    evs = run(
        "The ministry summoned the Russian envoy on Friday, ministry spokeswoman Liis Kask "
        'said. "This is the third violation this year," Kask said.\n',
        MONDAY,
    )
    quoted = [e for e in evs if e.event_type == "statement" and "third violation" in e.sentence]
    assert quoted and not quoted[0].sentence.startswith("The ministry")
