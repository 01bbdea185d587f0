# `make generate` and `make test` work on a fresh clone with only python3 and make:
# the first target that needs it creates .venv from the pinned requirements.txt.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-requirements

.PHONY: generate check lint test goldens spec-diff diff-snapshots diff-rules-doc bench generation-times fuzz coverage \
	coverage-baseline clean
BASE ?= HEAD

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(STAMP)

## generate: write generated/ (package and JSON Schemas) from spec/
generate: $(STAMP)
	$(PY) -m codegen generate

## check: fail if generated/ is stale against spec/, then lint
check: $(STAMP)
	$(PY) -m codegen generate --check
	$(MAKE) lint

## lint: black on the generator, the tests and the generated code; mypy --strict on the generator
## and the generated package.
lint: $(STAMP)
	$(PY) -m black --check --quiet codegen tests generated
	$(PY) -m mypy --strict codegen
	cd generated && ../$(PY) -m mypy --strict --cache-dir ../.mypy_cache anthropic_messages

## test: the drift check and lint, then the whole test suite. Both share one layout cache, kept
## in the virtualenv, so the suite does not lay out the whole spec again after the check.
test: export CODEGEN_CACHE = $(CURDIR)/$(VENV)/codegen-cache
test: check
	$(PY) -m pytest -q

## goldens: regenerate the expected output of the fixture specs under tests/fixtures/
## (and of their stable channel, for the fixtures that have an expected_stable folder)
goldens: $(STAMP)
	for dir in tests/fixtures/*/; do \
		$(PY) -m codegen generate --spec $$dir/spec --out $$dir/expected || exit 1; \
		if [ -d $$dir/expected_stable ]; then \
			$(PY) -m codegen generate --channel stable --spec $$dir/spec --out $$dir/expected_stable || exit 1; \
		fi; \
	done

## spec-diff: what the spec change since BASE (default HEAD) means, per direction and audience
## (options: make spec-diff BASE=main DIFF_ARGS="--format markdown --fail-on error")
spec-diff: $(STAMP)
	$(PY) -m codegen diff --base $(BASE) $(DIFF_ARGS)

## diff-snapshots: rewrite tests/diff_snapshots/expected (each output format of codegen diff)
diff-snapshots: $(STAMP)
	$(PY) -m tests.diff_snapshots --write

## diff-rules-doc: rewrite docs/diff-rules.md from the rule catalogue
diff-rules-doc: $(STAMP)
	$(PY) -m codegen diff --rules --format markdown > docs/diff-rules.md

## coverage: how much of the official SDK's wire paths the JSON Schemas cover (dev tool)
coverage: $(STAMP)
	$(PY) -m tests.sdk_coverage

## coverage-baseline: rewrite tests/coverage_baseline.json, the missing paths the ratchet allows
coverage-baseline: $(STAMP)
	$(PY) -m tests.sdk_coverage --write-baseline

## bench: decode/encode against json.loads/json.dumps and the SDK, memory, import and generation time
bench: $(STAMP)
	$(PY) -m tests.benchmark

## generation-times: codegen generate on a copy of spec/: cold, no-op and after a one-file edit
generation-times: $(STAMP)
	$(PY) -m tests.generation_times $(TIMES_ARGS)

## fuzz: seeded mutation fuzzer of every decodable type, a million inputs on 2 processes; failures
## are minimized into .fuzz-failures/ (options: make fuzz FUZZ_ARGS="--count 50000 --seed 7")
fuzz: $(STAMP)
	$(PY) -m tests.fuzz $(FUZZ_ARGS)

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache
