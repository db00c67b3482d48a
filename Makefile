# The two commands of the README. Both create or reuse the virtual environment at .venv.
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

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

format:
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

clean-demo:
	rm -rf var/db.sqlite3* var/media var/broker var/celerybeat-schedule*
