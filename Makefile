# The commands people type. CMake + CTest do the work underneath.
BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
DATA       ?= data
LISTEN     ?= 127.0.0.1:8080
JOBS       ?= $(shell nproc)
ROUNDS     ?= 20
MAKEFLAGS  += --no-print-directory

.PHONY: all deps run check check-fast bench bench-web stress stress-pg clean format

all:
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

deps:
	@scripts/install-deps.sh

run: deps all
	@if [ ! -d "$(DATA)" ]; then \
	  $(BUILD)/cellclinic init --data $(DATA) && \
	  $(BUILD)/cellclinic demo --data $(DATA) --patients 200; \
	else \
	  echo "Using existing $(DATA)/ (the admin password was printed when it was created)."; \
	fi
	@echo "cellclinic: open http://$(LISTEN)/ and log in as admin"
	@echo "cellclinic: admin, physician and qa users enrol an authenticator app (TOTP) at their"
	@echo "  first login (the page shows a QR code); to turn this off for a trial:"
	@echo "  $(BUILD)/cellclinic mfa require --data $(DATA) --role admin,physician,qa --required no"
	@exec $(BUILD)/cellclinic serve --data $(DATA) --listen $(LISTEN)

# Normal build: every test. Sanitizer build: unit and API tests.
check: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DCC_SANITIZE=ON -DCC_BROWSER_TESTS=OFF >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)
	@echo "== tests (normal build)"
	@cd $(BUILD) && ctest --output-on-failure -j 2
	@CC=clang cmake -S . -B $(FUZZ_BUILD) -DCC_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS)
	@echo "== tests (address + undefined sanitizers)"
	@cd $(ASAN_BUILD) && ctest --output-on-failure -j 2 -LE 'browser|crash'
	@echo "== fuzz targets (clang libFuzzer, bounded runs)"
	@cd $(FUZZ_BUILD) && ctest --output-on-failure -j 2

check-fast: all
	@cd $(BUILD) && ctest --output-on-failure -j 2

bench: deps all
	@bench/run.sh $(BUILD)

# Pages in a real browser, navigation to usable (bench/web.mjs); BASELINE=PATH
# measures another cellclinic binary in the same rounds and prints the ratio.
bench-web: deps all
	@node bench/web.mjs --binary $(BUILD)/cellclinic $(if $(BASELINE),--baseline $(BASELINE))

stress: deps all
	@python3 tests/crash/crash_test.py --binary $(BUILD)/cellclinic --rounds 100

# PostgreSQL primary + synchronous streaming standby, two servers under write load,
# primary killed, standby promoted, old primary back with pg_rewind: ROUNDS rounds
# (tests/pg/failover.py; PG_ONLY=1: psql writers instead of cellclinic).
stress-pg: deps all
	@python3 tests/pg/failover.py $(if $(PG_ONLY),--psql-only,--binary $(BUILD)/cellclinic) --rounds $(ROUNDS)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) build-clang

format:
	clang-format -i src/*/*.c src/*/*.h tests/unit/*.c
