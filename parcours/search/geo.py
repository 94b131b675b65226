"""French communes and distances for the public search (data/geo/, origin in data/README.md).

Tantivy has no geo type (docs/decisions/0004-public-search-tantivy.md §7): every place of an offer
is indexed as the grid cells that contain it, at two resolutions, and a distance filter becomes a set
of cells. A cell is kept when its nearest point is within the radius, so an offer up to one cell's
diagonal beyond the radius can match (about 2.7 km up to 50 km, 13 km beyond); cards show the
exact distance.
"""

import csv
import json
import math
import re
from dataclasses import dataclass
from functools import cache

from django.conf import settings

from parcours.core.text import fold

FINE, COARSE = 0.02, 0.1  # degrees of latitude and longitude per cell
FINE_UP_TO_KM = 50
EARTH_RADIUS_KM = 6371.0


@dataclass(frozen=True)
class Commune:
    insee: str
    name: str
    department: str
    region: str
    postcodes: tuple[str, ...]
    population: int
    lat: float | None
    lon: float | None

    @property
    def located(self) -> bool:
        return self.lat is not None and self.lon is not None

    @property
    def label(self) -> str:
        return f"{self.name} ({self.department})"


@dataclass(frozen=True)
class Gazetteer:
    by_insee: dict[str, Commune]
    by_name: dict[str, list[Commune]]  # folded name → communes, most populous first
    by_postcode: dict[str, list[Commune]]


def _key(name: str) -> str:
    folded = fold(name)
    folded = re.sub(r"\bste\b", "sainte", re.sub(r"\bst\b", "saint", folded))
    return re.sub(r"[^a-z0-9]+", " ", folded).strip()


@cache
def gazetteer() -> Gazetteer:
    folder = settings.DATA_DIR / "geo"
    by_insee: dict[str, Commune] = {}
    by_name: dict[str, list[Commune]] = {}
    by_postcode: dict[str, list[Commune]] = {}
    with (folder / "communes.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter=";"):
            commune = Commune(
                insee=row["insee"],
                name=row["nom"],
                department=row["departement"],
                region=row["region"],
                postcodes=tuple(row["codes_postaux"].split()),
                population=int(row["population"] or 0),
                lat=float(row["lat"]) if row["lat"] else None,
                lon=float(row["lon"]) if row["lon"] else None,
            )
            by_insee[commune.insee] = commune
            by_name.setdefault(_key(commune.name), []).append(commune)
            for postcode in commune.postcodes:
                by_postcode.setdefault(postcode, []).append(commune)
    for communes in (*by_name.values(), *by_postcode.values()):
        communes.sort(key=lambda c: -c.population)
    return Gazetteer(by_insee, by_name, by_postcode)


@cache
def regions() -> dict[str, str]:
    """INSEE region code → name (a small file: pages that only list regions do not load the communes)."""
    rows = json.loads((settings.DATA_DIR / "geo" / "regions.json").read_text("utf-8"))
    return {r["code"]: r["nom"] for r in rows}


def place_of(city: str, postal_code: str) -> Commune | None:
    """The commune of an action's place: name and postal code together, else either alone."""
    g = gazetteer()
    postal_code = (postal_code or "").strip()
    candidates = g.by_postcode.get(postal_code, [])
    key = _key(city or "")
    for commune in candidates:
        if _key(commune.name) == key:
            return commune
    if key and key in g.by_name:
        same_department = [c for c in g.by_name[key] if postal_code and c.department == department_of(postal_code)]
        return (same_department or g.by_name[key])[0]
    return candidates[0] if candidates else None


def department_of(postal_code: str) -> str:
    """The department a postal code belongs to (Corsica 20 → 2A/2B, overseas 97x), by the gazetteer."""
    communes = gazetteer().by_postcode.get(postal_code.strip(), [])
    if communes:
        return communes[0].department
    return postal_code[:3] if postal_code.startswith("97") else postal_code[:2]


def find_city(text: str) -> Commune | None:
    """What a person typed to name a city: « Lyon », « Saint-Denis (93) », « 69003 », « 75056 »."""
    text = (text or "").strip()
    if not text:
        return None
    g = gazetteer()
    if re.fullmatch(r"\d{5}|2[AB]\d{3}", text):
        by_postcode = g.by_postcode.get(text)
        return by_postcode[0] if by_postcode else g.by_insee.get(text)
    match = re.fullmatch(r"(.*?)[\s(]+(\d[\dAB]|97\d)\)?", text)
    name, department = (match.group(1), match.group(2)) if match else (text, "")
    communes = g.by_name.get(_key(name), [])
    if department:
        communes = [c for c in communes if c.department == department]
    return communes[0] if communes else None


def km_between(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def cell(lat: float, lon: float, step: float) -> str:
    return f"{step}:{math.floor(lat / step)}:{math.floor(lon / step)}"


def cells_of(lat: float, lon: float) -> list[str]:
    return [cell(lat, lon, FINE), cell(lat, lon, COARSE)]


def cells_within(lat: float, lon: float, km: float) -> list[str]:
    """The cells whose nearest point is within km of (lat, lon), fine or coarse by the radius."""
    step = FINE if km <= FINE_UP_TO_KM else COARSE
    dlat = km / 111.2
    dlon = km / (111.2 * max(math.cos(math.radians(lat)), 0.01))
    cells = []
    for i in range(math.floor((lat - dlat) / step), math.floor((lat + dlat) / step) + 1):
        nearest_lat = min(max(lat, i * step), (i + 1) * step)
        for j in range(math.floor((lon - dlon) / step), math.floor((lon + dlon) / step) + 1):
            nearest_lon = min(max(lon, j * step), (j + 1) * step)
            if km_between(lat, lon, nearest_lat, nearest_lon) <= km:
                cells.append(f"{step}:{i}:{j}")
    return cells


RADII_KM = (5, 10, 20, 30, 50, 100)


def place_filter(city: str, radius_km: int | None) -> dict[str, object]:
    """The search filters for « Ville » and « Distance »: the commune itself, or every place around it.

    Raises DomainError (field `city` or `radius_km`) when the city is unknown, the radius is not
    offered, or the commune has no coordinates for a distance.
    """
    from parcours.core.errors import DomainError

    if not (city or "").strip():
        return {}
    commune = find_city(city)
    if commune is None:
        raise DomainError(
            f"Ville inconnue : « {city.strip()} ». Indiquez le nom d'une commune (ex. Lyon, Saint-Denis (93)) "
            "ou son code postal.",
            field="city",
        )
    if radius_km is None:
        return {"city": commune.insee}
    if radius_km not in RADII_KM:
        raise DomainError(
            f"Distance non proposée : {radius_km} km. Choisissez parmi {', '.join(map(str, RADII_KM))} km.",
            field="radius_km",
        )
    if not commune.located:
        raise DomainError(
            f"La position de {commune.label} n'est pas connue : cherchez dans la ville même, ou autour d'une "
            "commune voisine plus grande.",
            field="city",
        )
    return {"near": (commune.lat, commune.lon), "radius_km": float(radius_km)}


def suggest(prefix: str, limit: int = 10) -> list[Commune]:
    """Communes whose name starts with what was typed, most populous first (the city field's list)."""
    key = _key(prefix)
    if len(key) < 2:
        return []
    names = [name for name in gazetteer().by_name if name.startswith(key)]
    communes = [c for name in names for c in gazetteer().by_name[name]]
    return sorted(communes, key=lambda c: -c.population)[:limit]
