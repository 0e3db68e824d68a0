"""The words news uses for the events basewatch extracts: trigger verbs and nouns, the nouns
of aircraft and forces, the verbs of movement, of saying and of reporting.

Word lists only; the rules that use them live in triggers.py, quotes.py and attribution.py.
"""

from __future__ import annotations

from .entities import ROLE_WORDS

VERB_TRIGGERS = {
    "meet": "meeting",
    "host": "meeting",
    "receive": "meeting",
    "visit": "visit",
    "travel": "visit",
    "negotiate": "negotiation",
    "discuss": "negotiation",
    "talk": "negotiation",
    "sign": "agreement",
    "revise": "negotiation",
    "renegotiate": "negotiation",
    "agree": "agreement",
    "ratify": "agreement",
    "land": "flight",
    "depart": "flight",
    "fly": "flight",
    "deploy": "military_movement",
    "redeploy": "military_movement",
    "withdraw": "military_movement",
    "relocate": "military_movement",
    "evacuate": "military_movement",
    "dispatch": "military_movement",
    "reinforce": "military_movement",
    "station": "military_movement",
    "sail": "military_movement",
    "dock": "military_movement",
    "transfer": "military_movement",
    "move": "military_movement",
    "pull": "military_movement",
    "arrive": "flight",
}


NOUN_TRIGGERS = {
    "meeting": "meeting",
    "summit": "meeting",
    "talks": "negotiation",
    "round": "negotiation",
    "visit": "visit",
    "trip": "visit",
    "negotiations": "negotiation",
    "negotiation": "negotiation",
    "consultations": "negotiation",
    "agreement": "agreement",
    "deal": "agreement",
    "accord": "agreement",
    "treaty": "agreement",
    "memorandum": "agreement",
    "flight": "flight",
    "flights": "flight",
    "deployment": "military_movement",
    "withdrawal": "military_movement",
    "redeployment": "military_movement",
    "evacuation": "military_movement",
    "airlift": "flight",
}
# verbs that make a trigger noun an event: "a meeting was held", "talks took place"
EVENT_VERBS = {
    "hold",
    "take",
    "conduct",
    "make",
    "begin",
    "start",
    "open",
    "resume",
    "carry",
    "operate",
    "sign",
    "reach",
    "conclude",
    "pay",
    "complete",
    "end",
    "perform",
    "stage",
    "launch",
    "happen",
    "occur",
    "continue",
    "cover",
    "concern",
    "come",
}


AIRCRAFT_NOUNS = {
    "aircraft",
    "plane",
    "planes",
    "jet",
    "jets",
    "airliner",
    "transport",
    "freighter",
    "helicopter",
    "helicopters",
    "bomber",
    "bombers",
    "fighter",
    "fighters",
    "flight",
    "flights",
    "ruslan",
    "drone",
    "drones",
    "tanker",
    "airliners",
    "transports",
    "freighters",
    "typhoons",
    "eurofighters",
    "f-35s",
    "f-16s",
    "gripens",
    "rafales",
    "interceptors",
}


FORCE_NOUNS = {
    "troops",
    "forces",
    "soldiers",
    "equipment",
    "warship",
    "warships",
    "ship",
    "ships",
    "vessel",
    "vessels",
    "frigate",
    "frigates",
    "submarine",
    "corvette",
    "convoy",
    "units",
    "unit",
    "personnel",
    "systems",
    "battalion",
    "brigade",
    "fleet",
    "navy",
    "vehicles",
    "armour",
    "armor",
    "tanks",
    "contingent",
    "sailors",
    "marines",
    "mercenaries",
    "assets",
    "destroyer",
    "destroyers",
    "corvettes",
    "boats",
    "boat",
    "party",
    "guard",
    "warplanes",
    "carrier",
    "cruiser",
}


PERSON_MOVES = {"visit", "travel", "fly", "arrive", "go", "accompany", "head"}


ANAPHORA = {
    "he",
    "she",
    "they",
    "parties",
    "sides",
    "latter",
    "former",
    "leaders",
    "ministers",
    "men",
    "delegations",
    "presidents",
}


HEDGES = {"could", "might", "may"}


UNREAL = {"propose", "suggest", "offer", "call", "ready", "willing", "want", "hope", "seek"}


MEET_PARTIES = ROLE_WORDS | {
    "officials",
    "official",
    "delegation",
    "delegations",
    "counterpart",
    "counterparts",
    "ministers",
    "leaders",
    "officers",
    "diplomats",
    "commander",
    "premier",
}


MOVE_VERBS = {
    "continue",
    "go",
    "land",
    "depart",
    "fly",
    "arrive",
    "touch",
    "take",
    "scramble",
    "return",
    "leave",
    "come",
    "head",
    "reach",
    "enter",
    "pass",
    "transit",
    "sail",
    "patrol",
    "escort",
    "follow",
    "cross",
    "intercept",
    "shadow",
    "fire",
    "launch",
    "travel",
    "operate",
    "deploy",
    "redeploy",
    "withdraw",
    "relocate",
    "evacuate",
    "dispatch",
    "reinforce",
    "station",
    "dock",
    "transfer",
    "move",
    "pull",
    "send",
    "accompany",
}


MOVE_NEEDS_PARTICLE = {
    "take": "off",
    "touch": "down",
    "come": "in",
    "pull": "out",
    "go": "on",
}


MISSILE_NOUNS = {"missile", "missiles", "rocket", "rockets", "projectile", "projectiles"}


EXERCISE_NOUNS = {
    "exercise",
    "exercises",
    "drill",
    "drills",
    "manoeuvres",
    "maneuvers",
    "wargames",
    "patrol",
    "patrols",
    "mission",
    "launch",
    "handover",
    "rotation",
    "incursion",
    "resupply",
    "deployment",
    "withdrawal",
    "redeployment",
}


EXERCISE_VERBS = EVENT_VERBS | {"wrap", "involve", "run", "join", "finish", "pass", "follow"}


AGREEMENT_NOUNS = {
    "agreement",
    "agreements",
    "deal",
    "accord",
    "treaty",
    "memorandum",
    "arrangement",
    "protocol",
    "declaration",
}


FLIGHT_VERBS = EVENT_VERBS | {"reach", "restart", "land", "arrive", "bring", "carry", "use"}


FLIGHT_NOUNS = {"flight", "flights", "arrivals", "airlift", "sorties", "sortie", "overflight"}


SPEECH_NOUNS = {"words", "comments", "remarks", "statement", "statements", "account"}


SOURCE_VERBS = {"say", "report", "tell", "confirm", "announce", "show", "state", "add", "write"}

# verbs of saying: "X said", "X told", "X stressed" make a statement by X
SPEECH = {
    "say",
    "state",
    "tell",
    "announce",
    "declare",
    "confirm",
    "indicate",
    "note",
    "add",
    "stress",
    "warn",
    "claim",
    "insist",
    "emphasize",
    "emphasise",
    "write",
    "deny",
    "accuse",
    "promise",
    "pledge",
    "vow",
    "suggest",
    "explain",
    "comment",
    "reiterate",
    "assert",
    "argue",
    "acknowledge",
    "admit",
    "predict",
    "reply",
    "respond",
    "urge",
    "report",
    "describe",
    "signal",
    "hint",
    "threaten",
    "assure",
    "underline",
    "remark",
    "observe",
}
# verbs of saying that need their particle: "pointed out", "called for"
SPEECH_PARTICLES = {"point": "out", "call": "for"}
SPEECH |= {
    "reveal",
    "laud",
    "congratulate",
    "question",
    "recall",
    "highlight",
    "underscore",
    "welcome",
    "praise",
    "criticise",
    "criticize",
    "condemn",
    "express",
    "mention",
    "disclose",
    "allege",
    "concede",
    "caution",
    "blame",
    "point",
    "call",
    "thank",
    "estimate",
}
# head nouns of unnamed speakers: "a source close to the Kremlin", "a Western diplomat"
ANONYMOUS_HEADS = {
    "source",
    "sources",
    "official",
    "officials",
    "diplomat",
    "diplomats",
    "person",
    "people",
    "insider",
    "insiders",
    "aide",
    "aides",
    "officer",
    "officers",
    "observer",
    "observers",
}

# verbs that, governing a verb of saying, cancel it ("declined to say")
BLOCKERS = {"decline", "refuse", "fail", "avoid", "want", "wish"}


# --- event types beyond meetings, flights and movements ------------------------------------

PHONE_WORDS = {"phone", "telephone", "videoconference", "video", "videolink", "call"}
CALL_NOUNS = {"call", "calls", "conversation", "conversations", "talks"}
SANCTION_NOUNS = {"sanctions", "sanction", "embargo", "restrictions", "penalties"}
SANCTION_VERBS = {
    "impose",
    "announce",
    "introduce",
    "extend",
    "expand",
    "adopt",
    "approve",
    "slap",
    "levy",
    "place",
    "renew",
    "tighten",
}
ATTACK_VERBS = {"attack", "strike", "bomb", "shell", "raid", "target", "hit", "bombard", "storm"}
ATTACK_NOUNS = {
    "attack",
    "attacks",
    "strike",
    "strikes",
    "airstrike",
    "airstrikes",
    "air strike",
    "raid",
    "raids",
    "bombardment",
    "shelling",
    "bombing",
}
# what an attack is on: "struck the air base", "hit an ammunition depot"
TARGET_NOUNS = {
    "base",
    "bases",
    "airfield",
    "airbase",
    "airport",
    "depot",
    "depots",
    "positions",
    "position",
    "port",
    "ship",
    "ships",
    "vessel",
    "convoy",
    "headquarters",
    "facility",
    "facilities",
    "hangar",
    "hangars",
    "runway",
    "aircraft",
    "jets",
    "troops",
    "forces",
    "radar",
    "warehouse",
    "barracks",
    "city",
    "town",
    "village",
    "targets",
}
# movements of forces told apart by their head word
MOVEMENT_KINDS = {
    "deploy": "deployment",
    "redeploy": "deployment",
    "deployment": "deployment",
    "redeployment": "deployment",
    "dispatch": "deployment",
    "station": "deployment",
    "reinforce": "deployment",
    "withdraw": "withdrawal",
    "withdrawal": "withdrawal",
    "pullout": "withdrawal",
    "handover": "withdrawal",
    "evacuate": "evacuation",
    "evacuation": "evacuation",
}
EXERCISE_WORDS = {
    "exercise",
    "exercises",
    "drill",
    "drills",
    "manoeuvres",
    "maneuvers",
    "wargames",
}

# each event type's PLOVER category, so event data can be joined with POLECAT-style data;
# statements have none (PLOVER types what was done, a statement is typed by its content)
PLOVER = {
    "meeting": "CONSULT",
    "visit": "CONSULT",
    "call": "CONSULT",
    "negotiation": "CONSULT",
    "agreement": "AGREE",
    "statement": None,
    "flight": "MOBILIZE",
    "military_movement": "MOBILIZE",
    "deployment": "MOBILIZE",
    "exercise": "MOBILIZE",
    "withdrawal": "RETREAT",
    "evacuation": "RETREAT",
    "attack": "ASSAULT",
    "sanction": "SANCTION",
}
