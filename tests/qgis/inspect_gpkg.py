"""Run under the system Python with PyQGIS: open every layer of a GeoPackage as QGIS
would and print what QGIS sees, as JSON. Used by tests/test_gpkg.py."""

import json
import sys

from qgis.core import (QgsApplication, QgsVectorLayer)


def temporal(layer):
    tp = layer.temporalProperties()
    return {"active": tp.isActive(), "mode": int(tp.mode()), "start": tp.startField(),
            "end": tp.endField(), "start_expression": tp.startExpression(),
            "end_expression": tp.endExpression(), "limit": int(tp.limitMode())}


app = QgsApplication([], False)
app.initQgis()
path = sys.argv[1]
out = {}
for name in sys.argv[2:]:
    layer = QgsVectorLayer(f"{path}|layername={name}", name, "ogr")
    info = {"valid": layer.isValid()}
    if layer.isValid():
        renderer = layer.renderer()
        info.update({
            "count": layer.featureCount(),
            "crs": layer.crs().authid(),
            "renderer": renderer.type() if renderer else None,
            "categories": len(renderer.categories()) if hasattr(renderer, "categories") else None,
            "rules": (len(renderer.rootRule().children()) if hasattr(renderer, "rootRule") else None),
            "fields": {f.name(): f.typeName() for f in layer.fields()},
            "labels": layer.labelsEnabled(),
            "label_field": (layer.labeling().settings().fieldName
                            if layer.labelsEnabled() and layer.labeling() else None),
        })
        info["temporal"] = temporal(layer)  # as QGIS leaves it once the layer is added
        if hasattr(renderer, "categories"):
            info["first_category"] = renderer.categories()[0].value() if renderer.categories() else None
            if layer.geometryType() == 2:  # polygons: how each category is filled and outlined
                info["symbols"] = {}
                for cat in renderer.categories():
                    props = cat.symbol().symbolLayer(0).properties()
                    info["symbols"][str(cat.value())] = {
                        "style": props.get("style"), "outline_style": props.get("outline_style"),
                        "outline_width": float(props.get("outline_width", 0))}
        renderer = None  # reloading the style deletes the old renderer
        layer.loadDefaultStyle()  # what Layer Properties > Style > Default does
        info["temporal_reloaded"] = temporal(layer)  # as the default style sets it
    out[name] = info
print(json.dumps(out, sort_keys=True), flush=True)
import os  # noqa: E402

os._exit(0)  # skip Qt teardown, which can crash headless without changing the result
