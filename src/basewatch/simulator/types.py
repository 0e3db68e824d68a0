"""Aircraft types the simulator knows, and performance by type class.

Figures are round, typical values (not any manufacturer's data): enough for profiles whose
take-off, climb, descent and landing look like the real thing to a detector.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Performance:
    rotate_kt: float  # lift-off speed
    climb_kt: float  # speed below 10,000 ft
    climb_fpm: float  # up to 10,000 ft
    climb_high_fpm: float  # above 10,000 ft
    descent_fpm: float
    approach_kt: float  # over the threshold
    takeoff_roll_m: float
    landing_roll_m: float
    taxi_kt: float
    category: int  # ADS-B emitter category in set A (1 light .. 5 heavy)


PERFORMANCE: dict[str, Performance] = {
    "heavy": Performance(165, 250, 1500, 900, 1800, 145, 2400, 1500, 14, 5),
    "airliner": Performance(150, 250, 2500, 1500, 2200, 140, 1900, 1300, 16, 3),
    "turboprop": Performance(115, 210, 1500, 1000, 1500, 115, 1100, 800, 14, 2),
    "light": Performance(60, 95, 700, 500, 600, 70, 350, 300, 10, 1),
}


@dataclass(frozen=True, slots=True)
class TypeInfo:
    aircraft_class: str
    description: str
    cruise_ft: float
    cruise_kt: float  # ground speed in cruise, still air


TYPES: dict[str, TypeInfo] = {
    "A124": TypeInfo("heavy", "ANTONOV An-124 Ruslan", 33000, 430),
    "IL76": TypeInfo("heavy", "ILYUSHIN Il-76", 31000, 410),
    "IL62": TypeInfo("airliner", "ILYUSHIN Il-62", 35000, 450),
    "IL96": TypeInfo("heavy", "ILYUSHIN Il-96", 37000, 470),
    "TU54": TypeInfo("airliner", "TUPOLEV Tu-154", 35000, 450),
    "A319": TypeInfo("airliner", "AIRBUS A-319", 36000, 440),
    "A320": TypeInfo("airliner", "AIRBUS A-320", 36000, 445),
    "A321": TypeInfo("airliner", "AIRBUS A-321", 35000, 445),
    "B738": TypeInfo("airliner", "BOEING 737-800", 37000, 450),
    "B77W": TypeInfo("heavy", "BOEING 777-300ER", 37000, 480),
    "SU95": TypeInfo("airliner", "SUKHOI Superjet 100-95", 35000, 430),
    "E190": TypeInfo("airliner", "EMBRAER ERJ-190", 35000, 430),
    "AN12": TypeInfo("turboprop", "ANTONOV An-12", 25000, 300),
    "AN26": TypeInfo("turboprop", "ANTONOV An-26", 20000, 230),
    "AN72": TypeInfo("turboprop", "ANTONOV An-72", 28000, 320),
    "AT76": TypeInfo("turboprop", "ATR 72-600", 22000, 270),
    "DH8D": TypeInfo("turboprop", "DE HAVILLAND CANADA Dash 8-400", 25000, 300),
    "C172": TypeInfo("light", "CESSNA 172 Skyhawk", 4500, 110),
    "P28A": TypeInfo("light", "PIPER PA-28 Cherokee", 4500, 115),
}


def type_info(type_code: str) -> TypeInfo | None:
    return TYPES.get(type_code.upper())
