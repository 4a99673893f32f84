"""The project config file (``sahelmap.toml``): presence, axes and period settings.

Only this module reads it. Unknown sections or keys are errors that name the
file, the key and the keys allowed, so a typo never silently does nothing.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from ._errors import InputError
from .axes import AxesSettings
from .boundaries import AdminSource
from .periods import FREQUENCIES, windows
from .pipeline import PeriodSpec
from .presence import PresenceSettings

SECTIONS = {"presence": PresenceSettings, "axes": AxesSettings, "periods": PeriodSpec,
            "admin": AdminSource}
PERIOD_KEYS = ("freq", "start", "end", "windows")


def read_config(path: Path | str) -> dict:
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise InputError(f"{path}: config file not found; check the path") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML ({exc}); fix the syntax") from None
    check_config(data, str(path))
    return data


def check_config(data: dict, name: str = "config") -> None:
    for section, value in data.items():
        if section not in SECTIONS:
            raise InputError(f"{name}: unknown section [{section}]; use "
                             f"{', '.join(f'[{s}]' for s in SECTIONS if s != 'admin')}, "
                             "[[admin]]")
        if section == "admin":
            _check_admin(value, name)
            continue
        allowed = PERIOD_KEYS if section == "periods" else SECTIONS[section].names()
        for key in value:
            if key not in allowed:
                raise InputError(f"{name}: [{section}] {key!r} is not a setting; use one of: "
                                 f"{', '.join(allowed)}")


def _check_admin(value, name: str) -> None:
    """``[[admin]]``: a list of tables, each with a ``file`` and known keys."""
    allowed = AdminSource.names()
    if not isinstance(value, list):
        raise InputError(f"{name}: admin must be written [[admin]] (one table per boundary "
                         "file), not [admin]")
    for i, table in enumerate(value, 1):
        unknown = [k for k in table if k not in allowed]
        if unknown:
            raise InputError(f"{name}: [[admin]] number {i}: {unknown[0]!r} is not a setting; "
                             f"use one of: {', '.join(allowed)}")
        if "file" not in table:
            raise InputError(f"{name}: [[admin]] number {i} has no file; add "
                             "file = \"path/to/boundaries.shp\"")
        if "level" in table and (type(table["level"]) is not int or table["level"] not in (1, 2)):
            raise InputError(f"{name}: [[admin]] number {i}: level {table['level']!r}; use 1 "
                             "or 2")
        for key, value in table.items():
            if key != "level" and not isinstance(value, str):
                raise InputError(f"{name}: [[admin]] number {i}: {key} {value!r} must be text; "
                                 f"write {key} = \"...\"")


def admin_sources(data: dict, path: Path) -> list[AdminSource]:
    """The boundary files of ``[[admin]]``, paths relative to the config file's folder."""
    out = []
    for table in data.get("admin", []):
        files = {k: Path(table[k]) for k in ("file", "attributes", "crosswalk")
                 if table.get(k)}
        out.append(AdminSource(**{**table, **{k: str(f if f.is_absolute() else path.parent / f)
                                              for k, f in files.items()}}))
    return out


def settings_from(data: dict, name: str = "config", **overrides
                  ) -> tuple[PresenceSettings, AxesSettings, PeriodSpec]:
    """Settings from a parsed config, then flag overrides (``None`` means not given)."""
    pres = dict(data.get("presence", {}))
    ax = dict(data.get("axes", {}))
    per = dict(data.get("periods", {}))
    if "claim_confidences" in pres:
        pres["claim_confidences"] = tuple(pres["claim_confidences"])
    if "windows" in per:
        per["windows"] = tuple(tuple(w) for w in per["windows"])
    try:
        ps = PresenceSettings().updated(**pres)
        ps = ps.updated(**{k: overrides.get(k) for k in ("level", "half_life_days", "cell_km",
                                                             "kernel_km")})
        axs = AxesSettings().updated(**ax)
        axs = axs.updated(infer=overrides.get("infer"))
        spec = PeriodSpec(freq=overrides.get("period") or per.get("freq") or "month",
                          start=overrides.get("start") or per.get("start"),
                          end=overrides.get("end") or per.get("end"),
                          windows=per.get("windows", ()))
        if spec.freq not in FREQUENCIES:
            raise ValueError(f"period {spec.freq!r} is not known; use one of: "
                             f"{', '.join(FREQUENCIES)}")
        if spec.windows:
            windows(list(spec.windows))
    except (TypeError, ValueError) as exc:
        raise InputError(f"{name}: {exc}") from None
    return ps, axs, spec
