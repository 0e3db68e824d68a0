import pytest

from basewatch.airfields import load_reference, normalize_name
from basewatch.errors import ConfigError


def test_aliases_resolve_to_the_base():
    ref = load_reference()
    for name in ["Khmeimim", "Hmeimim air base", "HUMAYMIM", "Hmeymim Airbase", "oslk"]:
        assert ref.resolve(name).icao == "OSLK", name
    assert ref.resolve("Chkalovskiy").icao == "UUMU"
    assert ref.resolve("Al-Khadim").icao == "HL59"
    assert ref.resolve("al jufrah").icao == "HL69"
    assert ref.resolve("Nowhere-in-particular") is None


def test_places_that_are_not_airfields():
    place = load_reference().resolve("Tartous")
    assert place.name == "Tartus" and place.country == "SY"


def test_base_keeps_airportsdata_position_and_civil_name():
    oslk = load_reference().airfield("OSLK")
    assert (oslk.lat, oslk.lon, oslk.elevation_ft, oslk.country) == (35.4011, 35.9487, 157.0, "SY")
    assert oslk.is_base and "Bassel Al-Assad International Airport" in oslk.aliases
    assert load_reference().resolve("Bassel Al-Assad International Airport").icao == "OSLK"


def test_nearest_airfield():
    ref = load_reference()
    dist, af = ref.nearest(35.42, 35.95, radius_nm=5)
    assert af.icao == "OSLK" and dist < 2
    assert ref.nearest(34.0, 20.0, radius_nm=5) is None  # the middle of the sea


def test_user_bases_file(tmp_path):
    f = tmp_path / "mine.toml"
    f.write_text(
        '[[base]]\nicao = "ZZ01"\nname = "Test Strip"\nlat = 10.0\nlon = 20.0\naliases=["Strip"]\n'
    )
    ref = load_reference([f])
    assert ref.resolve("strip").icao == "ZZ01"
    bad = tmp_path / "bad.toml"
    bad.write_text('[[base]]\nicao = "ZZ02"\n')
    with pytest.raises(ConfigError, match="give its lat and lon"):
        load_reference([bad])


def test_normalize_name():
    assert normalize_name("Ḥmeimim Air-Base") == "hmeimim"
