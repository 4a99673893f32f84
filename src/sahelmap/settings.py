"""Vocabularies and defaults shared by every stage.

COUNTRIES
    ISO 3166-1 alpha-3 codes of the countries the reference data covers.
EVENT_TYPES
    The canonical event vocabulary (DESIGN.md); what each type tells about its
    actor and opponent is :data:`sahelmap.support.EVENT_ROLES`.
MOVEMENT_KINDS
    A declared movement of forces, or a route a source says is under a group's
    influence (drawn as an axis of influence, not of reinforcement).
CLAIM_STATUSES
    What a presence claim may say of a group in an area.
CONFIDENCES
    corroborated (checked against other reporting), reported (one source
    says so), claimed (a party to the conflict says so), assessed (an
    analyst's inference).
DATE_PRECISIONS
    How exactly a record's date is known; the interval ``date_start`` ..
    ``date_end`` (inclusive) always holds the whole uncertainty.
LOCATION_PRECISIONS
    Ordered from finest to coarsest. ``SUPPORTS`` says which admin levels a
    located record may support: a point placed at a region's label point
    supports the region but not the province around the point; a country
    centroid supports no unit at all.
"""

from __future__ import annotations

COUNTRIES: tuple[str, ...] = (
    "BEN", "BFA", "CIV", "DZA", "GHA", "MLI", "MRT", "NER", "NGA", "TCD", "TGO",
)
EVENT_TYPES: tuple[str, ...] = (
    "battle", "attack", "remote_violence", "violence_against_civilians", "seizure",
    "expulsion", "withdrawal", "base_established", "pledge", "movement", "other",
)
MOVEMENT_KINDS: tuple[str, ...] = ("movement", "influence")
CLAIM_STATUSES: tuple[str, ...] = (
    "control", "present", "contested", "besieged", "expelled", "absent",
)
CONFIDENCES: tuple[str, ...] = ("corroborated", "reported", "claimed", "assessed")
DATE_PRECISIONS: tuple[str, ...] = ("day", "week", "month", "year", "range")
LOCATION_PRECISIONS: tuple[str, ...] = ("exact", "near", "admin2", "admin1", "country")
SUPPORTS: dict[str, tuple[int, ...]] = {
    "exact": (1, 2),
    "near": (1, 2),
    "admin2": (1, 2),
    "admin1": (1,),
    "country": (),
}
GEOCODE_METHODS: tuple[str, ...] = (
    "coordinates", "exact", "alias", "fuzzy", "within", "manual", "unresolved",
)
# Fuzzy matching: a candidate must score at least this (rapidfuzz ratio, 0-100)
# and beat the next distinct place by FUZZY_MARGIN, or the name is ambiguous.
FUZZY_CUTOFF: float = 88.0
FUZZY_MARGIN: float = 3.0
