"""QGIS styles (QML) for the GeoPackage layers, with the site's colours.

Pure functions returning QML text. Strings that come from data (group names)
are XML-escaped; the QML follows what QGIS 3.22 writes and reads.
"""

from __future__ import annotations

from xml.sax import saxutils

import pandas as pd

from ._text import printable

STATUS_ALPHA = {"present": 0.25, "contested": 0.35, "dominant": 0.55, "control": 0.75}
HEADER = "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"


def escape(text: str) -> str:
    """XML text, with what XML cannot hold shown as U+FFFD (actors.csv names are the user's)."""
    return saxutils.escape(printable(text))


def quoteattr(text: str) -> str:
    """A quoted XML attribute value (see :func:`escape`)."""
    return saxutils.quoteattr(printable(text))


def _rgb(hex_colour: str, alpha: float = 1.0) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return f"{r},{g},{b},{int(round(alpha * 255))}"


def _props(**props) -> str:
    return "".join(f'<prop k={quoteattr(k)} v={quoteattr(str(v))}/>' for k, v in props.items())


def _fill(name: str, colour: str, alpha: float, dashed: bool = False,
          confidence: str = "reported") -> str:
    """A fill: depth by status; outline by confidence (thick for corroborated, thin for
    reported, dotted over a hatched fill for claimed or assessed only), dashed if contested."""
    claimed = confidence == "claimed"
    outline = "dash" if dashed else ("dot" if claimed else "solid")
    return (f'<symbol type="fill" name={quoteattr(name)} alpha="1" clip_to_extent="1" force_rhr="0">'
            f'<layer class="SimpleFill" enabled="1" locked="0" pass="0">'
            + _props(color=_rgb(colour, min(1.0, alpha * 2) if claimed else alpha),
                     outline_color=_rgb(colour), outline_style=outline,
                     outline_width="0.8" if confidence == "corroborated" else "0.4",
                     outline_width_unit="MM", style="b_diagonal" if claimed else "solid")
            + "</layer></symbol>")


def _marker(name: str, colour: str, size_expression: str | None = None) -> str:
    dd = ""
    if size_expression:
        dd = ('<data_defined_properties><Option type="Map"><Option name="name" value="" type="QString"/>'
              '<Option name="properties" type="Map"><Option name="size" type="Map">'
              '<Option name="active" value="true" type="bool"/>'
              f'<Option name="expression" value={quoteattr(size_expression)} type="QString"/>'
              '<Option name="type" value="3" type="int"/></Option></Option>'
              '<Option name="type" value="collection" type="QString"/></Option></data_defined_properties>')
    return (f'<symbol type="marker" name={quoteattr(name)} alpha="0.85" clip_to_extent="1" force_rhr="0">'
            '<layer class="SimpleMarker" enabled="1" locked="0" pass="0">'
            + _props(color=_rgb(colour), name="circle", outline_color="35,35,35,255",
                     outline_width="0.2", outline_width_unit="MM", size="2.4", size_unit="MM")
            + dd + "</layer></symbol>")


def _arrow(name: str, colour: str, dashed: bool) -> str:
    return (f'<symbol type="line" name={quoteattr(name)} alpha="1" clip_to_extent="1" force_rhr="0">'
            '<layer class="SimpleLine" enabled="1" locked="0" pass="0">'
            + _props(line_color=_rgb(colour), line_style="dash" if dashed else "solid",
                     line_width="0.8", line_width_unit="MM", capstyle="round")
            + '</layer><layer class="MarkerLine" enabled="1" locked="0" pass="0">'
            + _props(placement="lastvertex", rotate="1", interval="3", offset="0")
            + '<symbol type="marker" name="@' + escape(name) + '@1" alpha="1" clip_to_extent="1" force_rhr="0">'
            '<layer class="SimpleMarker" enabled="1" locked="0" pass="0">'
            + _props(color=_rgb(colour), name="filled_arrowhead", outline_color=_rgb(colour),
                     size="4", size_unit="MM", angle="0")
            + "</layer></symbol></layer></symbol>")


def _categorized(attr: str, cats: list[str], syms: list[str]) -> str:
    return (f'<renderer-v2 type="categorizedSymbol" attr={quoteattr(attr)} symbollevels="0" '
            'enableorderby="0" forceraster="0">'
            f"<categories>{''.join(cats)}</categories><symbols>{''.join(syms)}</symbols>"
            "</renderer-v2>")


def _literal(value: str) -> str:
    """A QGIS expression string literal."""
    return "'" + str(value).replace("'", "''") + "'"


def _qml(body: str, categories: str = "Symbology|Labeling|Temporal") -> str:
    return f'{HEADER}<qgis version="3.22.16" styleCategories="{categories}">{body}</qgis>\n'


# QGIS 3.22 compares a Date field with the Temporal Controller's bounds (datetimes) as
# text, '2025-05-01' < '2025-05-01T00:00:00.000': with the date fields themselves (mode 2)
# the April frame also shows the rows starting on 1 May and hides those ending on 1 April.
# The day's start written as that text compares right, in QGIS's own evaluation and in
# the SQL it hands the GeoPackage, which keeps the period index in use (a frame of 2M
# presence rows in 0.13 s); to_datetime() compares right too but is evaluated row by row
# in QGIS (24 s a frame).
DAY_START = "T00:00:00.000"


def temporal(start: str, end: str) -> str:
    """Start and end from expressions on the date fields (mode 4, see DAY_START; the
    fields are named too, for a user who switches to mode 2); the end day is included
    (limitMode 1)."""
    def day(field: str) -> str:
        return '"' + field.replace('"', '""') + f'" || {_literal(DAY_START)}'

    return (f'<temporal enabled="1" mode="4" startField={quoteattr(start)} '
            f'endField={quoteattr(end)} '
            'durationField="" durationUnit="min" fixedDuration="0" accumulate="0" '
            f'startExpression={quoteattr(day(start))} endExpression={quoteattr(day(end))} '
            'limitMode="1"><fixedRange><start></start><end></end></fixedRange></temporal>')


CONFIDENCE_CLASSES = ("corroborated", "reported", "claimed")
ZONE_COLOURS = {"state_control": ("#2b5c8a", 0.6), "state_leaning": ("#2b5c8a", 0.3),
                "contested": ("#7b3294", 0.35), "insurgent_leaning": (None, 0.3),
                "insurgent_control": (None, 0.6)}


def presence_qml(actors: pd.DataFrame, groups: list[str], statuses: list[str]) -> str:
    """Categorised by ``category`` = group:status:confidence, with the group's colour, the
    status's depth and the confidence's outline (see :func:`_fill`)."""
    colour = actors.set_index("actor_id")["colour"]
    names = actors.set_index("actor_id")["display_name"]
    cats, syms = [], []
    i = 0
    for g in groups:
        for s in statuses:
            if s == "none":
                continue
            for c in CONFIDENCE_CLASSES:
                text = f"{names.get(g, g)}: {s} ({c}{' or assessed only' if c == 'claimed' else ''})"
                cats.append(f'<category render="true" symbol="{i}" value={quoteattr(f"{g}:{s}:{c}")} '
                            f'label={quoteattr(text)}/>')
                syms.append(_fill(str(i), colour.get(g, "#777777"), STATUS_ALPHA.get(s, 0.3),
                                  dashed=(s == "contested"), confidence=c))
                i += 1
    return _qml(temporal("period_start", "period_end") + _categorized("category", cats, syms))


def zones_qml(actors: pd.DataFrame, categories: list[str]) -> str:
    """Categorised by ``category`` = zone:holder: blue for the state, purple for contested,
    the holder's colour for insurgent zones; darker for control."""
    colour = actors.set_index("actor_id")["colour"]
    names = actors.set_index("actor_id")["display_name"]
    cats, syms = [], []
    for i, value in enumerate(c for c in categories if not c.startswith("none:")):
        zone, _, holder = value.partition(":")
        base, alpha = ZONE_COLOURS.get(zone, ("#777777", 0.3))
        fill = base or colour.get(holder, "#777777")
        label = zone.replace("_", " ") + (f" ({names.get(holder, holder)})" if holder else "")
        cats.append(f'<category render="true" symbol="{i}" value={quoteattr(value)} '
                    f'label={quoteattr(label)}/>')
        syms.append(_fill(str(i), fill, alpha, dashed=(zone == "contested")))
    return _qml(temporal("period_start", "period_end") + _categorized("category", cats, syms))


def events_qml(actors: pd.DataFrame, groups: list[str]) -> str:
    colour = actors.set_index("actor_id")["colour"]
    names = actors.set_index("actor_id")["display_name"]
    size = "2 + 0.8 * sqrt(coalesce(\"fatalities\", 0))"
    cats = [f'<category render="true" symbol="{i}" value={quoteattr(g)} label={quoteattr(str(names.get(g, g)))}/>'
            for i, g in enumerate(groups)]
    syms = [_marker(str(i), colour.get(g, "#777777"), size) for i, g in enumerate(groups)]
    return _qml(temporal("date_start", "date_end") + _categorized("actor", cats, syms))


def axes_qml(actors: pd.DataFrame, groups: list[str]) -> str:
    colour = actors.set_index("actor_id")["colour"]
    names = actors.set_index("actor_id")["display_name"]
    rules, syms = [], []
    i = 0
    for g in groups:
        for kind in ("declared", "inferred"):
            flt = f'"group" = {_literal(g)} AND "kind" = {_literal(kind)}'
            rules.append(f'<rule key="r{i}" symbol="{i}" filter={quoteattr(flt)} '
                         f'label={quoteattr(f"{names.get(g, g)}: {kind}")}/>')
            syms.append(_arrow(str(i), colour.get(g, "#777777"), dashed=(kind == "inferred")))
            i += 1
    renderer = ('<renderer-v2 type="RuleRenderer" symbollevels="0" enableorderby="0" forceraster="0">'
                f'<rules key="root">{"".join(rules)}</rules><symbols>{"".join(syms)}</symbols>'
                "</renderer-v2>")
    return _qml(temporal("period_start", "period_end") + renderer)


def places_qml() -> str:
    renderer = ('<renderer-v2 type="singleSymbol" symbollevels="0" enableorderby="0" forceraster="0">'
                f'<symbols>{_marker("0", "#333333")}</symbols></renderer-v2>')
    labeling = ('<labeling type="simple"><settings calloutType="simple">'
                '<text-style fieldName="name" isExpression="0" fontFamily="Sans Serif" fontSize="8" '
                'fontSizeUnit="Point" textColor="30,30,30,255" textOpacity="1">'
                '<text-buffer bufferDraw="1" bufferSize="0.8" bufferSizeUnits="MM" '
                'bufferColor="255,255,255,255" bufferOpacity="0.9"/></text-style>'
                '<placement placement="0" dist="1" distUnits="MM"/>'
                '<rendering scaleVisibility="0" obstacle="1" drawLabels="1"/>'
                '</settings></labeling>')
    return _qml(renderer + labeling, "Symbology|Labeling")


def outline_qml(colour: str = "#8a8a8a", width: float = 0.3) -> str:
    sym = ('<symbol type="fill" name="0" alpha="1" clip_to_extent="1" force_rhr="0">'
           '<layer class="SimpleFill" enabled="1" locked="0" pass="0">'
           + _props(color="0,0,0,0", style="no", outline_color=_rgb(colour), outline_width=width,
                    outline_width_unit="MM", outline_style="solid")
           + "</layer></symbol>")
    return _qml('<renderer-v2 type="singleSymbol" symbollevels="0" enableorderby="0" '
                f'forceraster="0"><symbols>{sym}</symbols></renderer-v2>', "Symbology")
