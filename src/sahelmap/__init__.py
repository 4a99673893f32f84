"""sahelmap: map armed-group presence over time from dated records."""

from ._errors import GeodataError, InputError, Problem, RecordsError, SahelmapError
from .gazetteer import build_gazetteer, name_index
from .geocode import geocode
from .geodata import Geodata, read_geodata
from .join import join_admin, locate_units
from .records import Records, read_records

__version__ = "0.1.0"

__all__ = [
    "GeodataError", "InputError", "Problem", "RecordsError", "SahelmapError",
    "Geodata", "Records", "build_gazetteer", "geocode", "join_admin", "locate_units",
    "name_index", "read_geodata", "read_records",
]
