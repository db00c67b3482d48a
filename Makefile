# The commands of the README. Each creates or reuses the virtual environment at .venv.
.PHONY: demo test venv lint format clean-demo

PORT ?= 8000
DEMO_DATA ?=

demo:
	scripts/venv.sh runtime
	DEMO_DATA="$(DEMO_DATA)" PORT="$(PORT)" scripts/demo.sh

test:
	scripts/test.sh

venv:
	scripts/venv.sh test

# The checks CI runs before the tests (README, "Checks"); make stops at the first that fails.
lint:
	scripts/venv.sh test
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy
	.venv/bin/djlint templates --lint --check

# Python and templates as the checks want them; djLint exits 1 when it changed a file, so the
# second call checks that nothing is left to change.
format:
	scripts/venv.sh test
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .
	.venv/bin/djlint templates --reformat --quiet || .venv/bin/djlint templates --check --quiet

clean-demo:
	rm -rf var/db.sqlite3* var/media var/broker var/celerybeat-schedule*
