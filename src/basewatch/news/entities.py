"""People, organisations, countries and places of one article, resolved within the article.

"Russian Defence Minister Andrei Belousov" → a person with role "Defence Minister" and country RU;
a later "Belousov", "the minister" or "he" is the same person. Aircraft types and registrations
come from the entity ruler (nlp.py) and are never people.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# names and demonyms → ISO 3166-1 alpha-2 (the countries this field's news is about, and more)
_COUNTRY_WORDS = {
    "RU": "russia russian russians russian federation moscow kremlin",
    "SY": "syria syrian syrians damascus",
    "LY": "libya libyan libyans tripoli benghazi",
    "US": "united states us u.s. america american americans washington pentagon white house",
    "UA": "ukraine ukrainian ukrainians kyiv kiev",
    "TR": "turkey turkish türkiye ankara",
    "IR": "iran iranian iranians tehran",
    "IL": "israel israeli israelis",
    "CN": "china chinese beijing",
    "FR": "france french paris",
    "GB": "britain british united kingdom uk u.k. london",
    "DE": "germany german berlin",
    "EG": "egypt egyptian cairo",
    "SA": "saudi arabia saudi riyadh",
    "AE": "united arab emirates uae emirati abu dhabi",
    "QA": "qatar qatari doha",
    "JO": "jordan jordanian amman",
    "LB": "lebanon lebanese beirut",
    "IQ": "iraq iraqi baghdad",
    "BY": "belarus belarusian minsk",
    "KZ": "kazakhstan kazakh astana",
    "AM": "armenia armenian yerevan",
    "AZ": "azerbaijan azerbaijani baku",
    "GE": "georgia georgian tbilisi",
    "IN": "india indian new delhi",
    "PK": "pakistan pakistani islamabad",
    "KP": "north korea north korean pyongyang",
    "KR": "south korea south korean seoul",
    "JP": "japan japanese tokyo",
    "SD": "sudan sudanese khartoum",
    "ML": "mali malian bamako",
    "NE": "niger nigerien niamey",
    "BF": "burkina faso burkinabe ouagadougou",
    "CF": "central african republic bangui",
    "VE": "venezuela venezuelan caracas",
    "CU": "cuba cuban havana",
    "DZ": "algeria algerian algiers",
    "TN": "tunisia tunisian tunis",
    "CY": "cyprus cypriot nicosia",
    "GR": "greece greek athens",
    "IT": "italy italian rome",
    "PL": "poland polish warsaw",
    "RS": "serbia serbian belgrade",
    "VN": "vietnam vietnamese hanoi",
    "NL": "netherlands dutch the hague",
    "ES": "spain spanish madrid",
    "PT": "portugal portuguese lisbon",
    "BE": "belgium belgian brussels",
    "NO": "norway norwegian oslo",
    "SE": "sweden swedish stockholm",
    "FI": "finland finnish helsinki",
    "DK": "denmark danish copenhagen",
    "EE": "estonia estonian tallinn",
    "LV": "latvia latvian riga",
    "LT": "lithuania lithuanian vilnius",
    "RO": "romania romanian bucharest",
    "BG": "bulgaria bulgarian sofia",
    "HU": "hungary hungarian budapest",
    "CZ": "czech republic czechia czech prague",
    "SK": "slovakia slovak bratislava",
    "CA": "canada canadian ottawa",
    "AU": "australia australian canberra",
    "PH": "philippines philippine filipino manila",
    "TW": "taiwan taiwanese taipei",
    "SO": "somalia somali mogadishu",
    "ET": "ethiopia ethiopian addis ababa",
    "DJ": "djibouti djiboutian",
    "TD": "chad chadian n'djamena",
    "ER": "eritrea eritrean asmara",
    "YE": "yemen yemeni sanaa",
    "MA": "morocco moroccan rabat",
    "MZ": "mozambique mozambican maputo",
}
_MULTI = {
    "russian federation": "RU",
    "united states": "US",
    "white house": "US",
    "united kingdom": "GB",
    "saudi arabia": "SA",
    "united arab emirates": "AE",
    "abu dhabi": "AE",
    "north korea": "KP",
    "north korean": "KP",
    "south korea": "KR",
    "south korean": "KR",
    "burkina faso": "BF",
    "central african republic": "CF",
    "new delhi": "IN",
}
COUNTRY = {
    w: code for code, words in _COUNTRY_WORDS.items() for w in words.split() if w not in ("new",)
}
COUNTRY.update(_MULTI)
# capitals name governments in news ("Moscow said") but are places when one travels there
CAPITALS = {
    "moscow",
    "damascus",
    "tripoli",
    "washington",
    "kyiv",
    "kiev",
    "ankara",
    "tehran",
    "beijing",
    "paris",
    "london",
    "berlin",
    "cairo",
    "riyadh",
    "doha",
    "amman",
    "beirut",
    "baghdad",
    "minsk",
    "benghazi",
}

ROLE_WORDS = {
    "president",
    "minister",
    "ministers",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "secretary",
    "chief",
    "head",
    "commander",
    "ambassador",
    "leader",
    "envoy",
    "general",
    "chancellor",
    "king",
    "emir",
    "prince",
    "representative",
    "official",
    "deputy",
    "adviser",
    "advisor",
    "aide",
    "director",
    "chairman",
    "chairwoman",
    "governor",
    "senator",
    "admiral",
    "colonel",
    "marshal",
    "premier",
    "speaker",
    "mayor",
    "diplomat",
    "negotiator",
    "analyst",
    "researcher",
    "correspondent",
    "pilot",
    "officer",
    "lieutenant",
    "major",
}
ROLE_MODIFIERS = {
    "foreign",
    "defence",
    "defense",
    "prime",
    "interior",
    "deputy",
    "vice",
    "transitional",
    "interim",
    "acting",
    "former",
    "military",
    "chief",
    "press",
    "top",
    "senior",
    "kremlin",
    "state",
    "national",
    "security",
    "general",
    "lieutenant",
    "first",
}
# words that tell one office from another of the same head word: "deputy minister", "foreign
# minister", "prime minister"
RANK_WORDS = {"deputy", "vice", "foreign", "prime", "interior", "first", "assistant", "acting"}
# what makes an office's holder a former one: "Syria's previous president, Bashar al-Assad"
_FORMER = re.compile(r"\b(?:former|previous|ex|ousted|deposed|toppled|late|outgoing|then)\b")
TITLES = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "president",
    "minister",
    "general",
    "gen",
    "col",
    "adm",
    "sheikh",
}
PRONOUNS = {"he", "she", "him", "her"}


def country_of(text: str) -> str | None:
    """'Russian' → RU, 'the Kremlin' → RU, "Syria's" → SY; None when it names no country."""
    t = re.sub(r"['\u2019]s$", "", text.strip().casefold())
    t = re.sub(r"^the\s+", "", t)
    return COUNTRY.get(t)


@dataclass(slots=True)
class Person:
    canonical: str
    role: str = ""
    country: str = ""
    mentions: list[int] = field(default_factory=list)  # token indices of mentions

    @property
    def surname(self) -> str:
        return self.canonical.split()[-1].casefold()


def _clean_name(text: str) -> str:
    text = re.sub(r"['\u2019]s$", "", text.strip())
    words = text.split()
    while len(words) > 1 and words[0].casefold().rstrip(".") in TITLES:
        words = words[1:]
    return " ".join(words)


# the head words of institutions: "the ministry said", and a "person" the tagger finds whose
# last word is one ("Joint Headquarters") is none
ORG_HEADS = {
    "ministry",
    "command",
    "navy",
    "army",
    "force",
    "forces",
    "government",
    "office",
    "staff",
    "service",
    "guard",
    "chiefs",
    "kremlin",
    "headquarters",
    "administration",
    "council",
    "embassy",
    "presidency",
    "department",
    "agency",
    "committee",
    "military",
}


class People:
    """The people of one article: who each name, title or pronoun refers to."""

    def __init__(self, doc) -> None:
        self.doc = doc
        self.people: list[Person] = []
        self.by_token: dict[int, Person] = {}
        ents = [e for e in doc.ents if e.label_ == "PERSON" and e[-1].lower_ not in ORG_HEADS]
        full = [e for e in ents if len(_clean_name(e.text).split()) >= 2]
        for ent in full + [e for e in ents if e not in full]:
            self._add(ent)

    def _add(self, ent) -> None:
        name = _clean_name(ent.text)
        if not name or not any(c.isalpha() for c in name):
            return
        key = name.casefold()
        person = None
        for p in self.people:
            pc = p.canonical.casefold()
            single = len(name.split()) == 1
            if (
                pc == key
                or (single and p.surname == key)
                or pc.endswith(" " + key)
                or (single and pc.startswith(key + " "))  # "Park" for "Park Ji-hoon"
            ):
                person = p
                break
        if person is None:
            person = Person(name)
            self.people.append(person)
        role, country = role_of(ent)
        if role and not person.role:
            person.role = role
        if country and not person.country:
            person.country = country
        for tok in ent:
            self.by_token[tok.i] = person
            person.mentions.append(tok.i)

    def person_at(self, tok) -> Person | None:
        """The person a token refers to: part of a name, 'the minister', 'the latter', a pronoun."""
        if tok.i in self.by_token:
            return self.by_token[tok.i]
        # a role noun with a name in its compound/appositive ("spokesman Dmitry Peskov")
        for child in tok.children:
            if child.dep_ in ("compound", "appos", "flat") and child.i in self.by_token:
                return self.by_token[child.i]
        low = tok.lower_
        if tok.pos_ == "PROPN":  # a surname the NER missed or mislabelled ("Al-Sharaa")
            written = tok.doc[tok.left_edge.i : tok.i + 1].text.casefold()
            for p in reversed(self.people):
                if p.surname in (written, low) or p.surname.endswith("-" + low):
                    return p
        if low in PRONOUNS:
            p = self.last_before(tok.i, subject_first=True)
            if p is not None:
                self.by_token[tok.i] = p  # a later "he" in the sentence can find it
            return p
        if low in ("latter", "former"):
            before = self._distinct_before(tok.i)
            if len(before) >= 2:
                return before[-1] if low == "latter" else before[-2]
            return before[-1] if before else None
        if low in ROLE_WORDS or tok.lemma_.lower() in ROLE_WORDS:
            det = [c for c in tok.children if c.dep_ == "det"]
            if det and det[0].lower_ in ("the", "this", "that"):
                words = {w.lower_ for w in tok.subtree}
                # "the deputy minister" is not the defence minister named before
                mods = {
                    c.lower_
                    for c in tok.children
                    if c.dep_ in ("compound", "amod") and c.lower_ in RANK_WORDS
                }
                for p in reversed(self._distinct_before(tok.i)):
                    prole = p.role.casefold()
                    if any(m not in prole for m in mods) or _FORMER.search(prole):
                        continue  # "the Syrian president" is not the previous one
                    if tok.lemma_.lower() in prole or low in prole:
                        return p
                    defence = "defence" in words or "defense" in words
                    if defence and "minister" in prole and "defen" in prole:
                        return p
                if any(_FORMER.search(p.role.casefold()) for p in self.people):
                    return self._named_next(tok)
        return None

    def _named_next(self, tok) -> Person | None:
        """The person named next in the paragraph ('the Syrian president said ... "We respect
        the agreements," Ahmed al-Sharaa told Putin'), when the office's holder named before is
        a former one."""
        text = tok.doc.text
        end = text.find("\n\n", tok.idx)
        end = len(text) if end < 0 else end
        later = [j for j in self.by_token if j > tok.i and tok.doc[j].idx < end]
        for j in sorted(later):
            p = self.by_token[j]
            if not _FORMER.search(p.role.casefold()):
                return p
        return None

    def _distinct_before(self, i: int) -> list[Person]:
        seen: list[Person] = []
        for j in sorted(k for k in self.by_token if k < i):
            p = self.by_token[j]
            if p in seen:
                seen.remove(p)
            seen.append(p)
        return seen

    def last_before(self, i: int, subject_first: bool = False) -> Person | None:
        doc = self.doc
        sent_start = doc[i].sent.start
        # within the sentence, the nearest earlier person; else the last subject person before
        cands = [j for j in self.by_token if j < i]
        if not cands:
            return None
        inside = [j for j in cands if j >= sent_start]
        if subject_first:  # "he" is the sentence's earlier subject, not any name before it
            inside = [j for j in inside if _in_subject(doc[j])]
        if inside:
            return self.by_token[max(inside)]
        if subject_first:
            subj = [
                j for j in cands if doc[j].dep_ in ("nsubj", "nsubjpass") or _in_subject(doc[j])
            ]
            if subj:
                return self.by_token[max(subj)]
        return self.by_token[max(cands)]


def _in_subject(tok) -> bool:
    t = tok
    for _ in range(4):
        if t.dep_ in ("nsubj", "nsubjpass"):
            return True
        if t.head.i == t.i:
            return False
        t = t.head
    return False


def role_of(ent) -> tuple[str, str]:
    """The title and country written next to a name: before it, or as an appositive."""
    doc = ent.doc
    words = []
    country = ""
    i = ent.start - 1
    while i >= 0 and ent.start - i <= 6:
        tok = doc[i]
        low = tok.lower_
        c = country_of(tok.text) or (
            country_of(_ent_text(tok)) if tok.ent_type_ in ("NORP", "GPE") else None
        )
        if c:
            if not country:
                country = c
            if low in ("kremlin",):
                words.insert(0, tok.text)
            i -= 1
            continue
        if low in ROLE_WORDS or low in ROLE_MODIFIERS or (tok.is_title and tok.pos_ == "PROPN"):
            words.insert(0, tok.text)
            i -= 1
            continue
        if low in ("'s", "\u2019s") and i > 0:
            i -= 1
            continue
        break
    role = " ".join(w for w in words if w.casefold() not in COUNTRY or w.lower() == "kremlin")
    if not any(w.casefold() in ROLE_WORDS for w in role.split()):
        role = ""
    if not role:
        root = ent.root
        appos = None
        if root.dep_ == "appos":
            appos = root.head
        else:
            for child in root.children:
                if child.dep_ == "appos":
                    appos = child
        if appos is not None and appos.lemma_.lower() in ROLE_WORDS:
            span = [t for t in appos.subtree if t.i < ent.start or t.i >= ent.end]
            toks = [t for t in span if t.dep_ not in ("det", "punct", "case") and t.i <= appos.i]
            for t in span:
                c = country_of(t.text)
                if c and not country:
                    country = c
            role = " ".join(t.text for t in toks if not country_of(t.text))
    return role, country


def _ent_text(tok) -> str:
    for e in tok.doc.ents:
        if e.start <= tok.i < e.end:
            return e.text
    return tok.text


def entity_rows(doc, people: People, ref) -> list[dict]:
    """One row per mention: people, orgs, countries, places, aircraft types, registrations."""
    from .nlp import canonical_aircraft

    rows = []
    for e in doc.ents:
        label, canonical, role, country = None, None, None, None
        if e.label_ == "PERSON":
            p = people.by_token.get(e.start)
            if p is None:
                continue
            label, canonical, role, country = "person", p.canonical, p.role, p.country
        elif e.label_ == "AIRCRAFT":
            label, canonical = "aircraft_type", canonical_aircraft(e.text, e.sent.text)
        elif e.label_ == "REG":
            label, canonical = "registration", e.text.upper()
        elif e.label_ in ("BASE", "PLACE"):
            label, canonical = "place", e.ent_id_ or e.text
            hit = ref.resolve(canonical)
            country = getattr(hit, "country", None)
        elif e.label_ in ("GPE", "NORP", "LOC", "FAC"):
            c = country_of(e.text)
            if c and e.text.casefold() not in CAPITALS:
                label, canonical, country = "country", c, c
            elif e.label_ != "NORP":
                label, canonical = "place", e.text
        elif e.label_ == "ORG":
            label, canonical, country = "org", re.sub(r"^the\s+", "", e.text), country_of(e.text)
        if label:
            rows.append(
                {
                    "text": e.text,
                    "label": label,
                    "canonical": canonical,
                    "role": role or None,
                    "country": country or None,
                    "char_start": e.start_char,
                }
            )
    return rows
