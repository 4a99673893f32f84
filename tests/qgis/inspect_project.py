"""Run under the system Python with PyQGIS: open a QGIS project as the QGIS desktop
does (a main map canvas and the Temporal Controller panel listening to the project)
and print what QGIS sees, as JSON: messages logged while reading, the layers in
drawing order with their source, validity, visibility, style and temporal
properties, the default style each layer gets when added on its own from the
GeoPackage, the project's time settings, the Temporal Controller's state, and for
every frame the features each dated layer shows. Used by tests/test_qgsproject.py."""

import json
import os
import sys

from qgis.core import (QgsApplication, QgsFeatureRequest, QgsMapLayer, QgsProject,
                       QgsReadWriteContext, QgsTemporalUtils, QgsUnitTypes, QgsVectorLayer,
                       QgsVectorLayerTemporalContext)
from qgis.gui import QgsMapCanvas, QgsTemporalControllerWidget
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtXml import QDomDocument

KEYS = {"presence": "period", "zones": "period", "axes": "axis_id", "events": "event_id",
        "claims": "claim_id"}  # what identifies a shown feature, per dated layer

app = QgsApplication([], True)
app.initQgis()
messages = []
QgsApplication.messageLog().messageReceived.connect(
    lambda text, tag, level: messages.append([tag, int(level), text]))
canvas = QgsMapCanvas()
canvas.setObjectName("theMapCanvas")  # the name the desktop's main canvas reads
canvas.resize(800, 600)
controller = QgsTemporalControllerWidget()  # reads the project's settings as it loads
project = QgsProject.instance()
out = {"read": project.read(sys.argv[1]), "error": project.error()}


def iso(dt):
    return dt.toString(Qt.ISODate)


def style(layer):
    """The layer's symbology and labels as QGIS writes them in a style file."""
    doc = QDomDocument()
    layer.exportNamedStyle(doc, QgsReadWriteContext(),
                           QgsMapLayer.Symbology | QgsMapLayer.Labeling)
    return doc.toString()


def describe(layer):
    renderer = layer.renderer()
    tp = layer.temporalProperties()
    info = {"valid": layer.isValid(), "source": layer.source(), "style": style(layer),
            "renderer": renderer.type() if renderer else None,
            "geometry": int(layer.geometryType()), "crs": layer.crs().authid(),
            "temporal": {"active": tp.isActive(), "mode": int(tp.mode()),
                         "start": tp.startField(), "end": tp.endField(),
                         "start_expression": tp.startExpression(),
                         "end_expression": tp.endExpression(), "limit": int(tp.limitMode())}}
    if hasattr(renderer, "classAttribute"):
        info["attr"] = renderer.classAttribute()
        info["categories"] = [str(c.value()) for c in renderer.categories()]
    if hasattr(renderer, "rootRule"):
        info["rules"] = [r.filterExpression() for r in renderer.rootRule().children()]
    if layer.isValid():
        e = layer.extent()
        info["extent"] = [e.xMinimum(), e.yMinimum(), e.xMaximum(), e.yMaximum()]
    return info


root = project.layerTreeRoot()
layers = []
for node in root.findLayers():
    layer = node.layer()
    info = {"name": layer.name(), "id": layer.id(), "visible": node.isVisible(),
            **describe(layer)}
    alone = QgsVectorLayer(layer.source(), layer.name(), "ogr")  # its default style
    info["alone"] = {"style": style(alone),
                     "temporal_active": alone.temporalProperties().isActive()}
    layers.append(info)
out["layers"] = layers
out["order"] = [layer.name() for layer in root.layerOrder()]
out["crs"] = project.crs().authid()
ts = project.timeSettings()
out["time"] = {"start": iso(ts.temporalRange().begin()), "end": iso(ts.temporalRange().end()),
               "step": ts.timeStep(), "unit": QgsUnitTypes.encodeUnit(ts.timeStepUnit()),
               "fps": ts.framesPerSecond(), "cumulative": ts.isTemporalRangeCumulative()}
full = QgsTemporalUtils.calculateTemporalRangeForProject(project)  # "Set to full range"
out["full_range"] = [full.begin().toString("yyyy-MM-ddTHH:mm:ss"),
                     full.end().toString("yyyy-MM-ddTHH:mm:ss")]
nav = controller.temporalController()
duration = nav.frameDuration()
out["navigation"] = {
    "mode": int(nav.navigationMode()), "frames": nav.totalFrameCount(),
    "extent": [iso(nav.temporalExtents().begin()), iso(nav.temporalExtents().end())],
    "step": duration.originalDuration(),
    "unit": QgsUnitTypes.encodeUnit(duration.originalUnit()),
    "current": nav.currentFrameNumber()}
e = canvas.extent()
out["canvas"] = [e.xMinimum(), e.yMinimum(), e.xMaximum(), e.yMaximum()]
frames = []
for i in range(nav.totalFrameCount()):
    span = nav.dateTimeRangeForFrameNumber(i)
    shown = {}
    for layer in project.mapLayers().values():
        if layer.name() not in KEYS or not layer.temporalProperties().isActive():
            continue
        context = QgsVectorLayerTemporalContext()
        context.setLayer(layer)
        expression = layer.temporalProperties().createFilterString(context, span)
        request = QgsFeatureRequest().setFilterExpression(expression)
        request.setFlags(QgsFeatureRequest.NoGeometry)
        shown[layer.name()] = sorted(str(f[KEYS[layer.name()]]) for f in layer.getFeatures(request))
    frames.append({"begin": iso(span.begin()), "end": iso(span.end()),
                   "include_end": span.includeEnd(), "shown": shown})
out["frames"] = frames
out["messages"] = messages
print(json.dumps(out, sort_keys=True), flush=True)
os._exit(0)  # skip Qt teardown, which can crash headless without changing the result
