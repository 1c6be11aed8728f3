# Keel's commands. A fresh machine needs only Python 3.11 and make.
#   make up          install everything (first run) and start the local stack
#   make test        install everything (first run) and run the test suite
#   make test-kafka  the broker-facing tests again, on real Apache Kafka (Java 17 + Maven)
#   make lint        ruff + mypy --strict
#   make bench       benchmarks, printed as tables
#   make asyncapi    regenerate docs/asyncapi.json from the contracts
#   make kafka-provision  regenerate infra/kafka/provision.sh from infra/kafka/*.yaml

PYTHON ?= python3.11
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/$(VENV)

.PHONY: install up down status test test-kafka lint format bench asyncapi kafka-provision clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# The virtualenv is rebuilt whenever the lock file changes.
$(VENV)/.synced: $(UV) uv.lock pyproject.toml $(wildcard libs/*/pyproject.toml services/*/pyproject.toml)
	$(UV) sync --frozen --python $(PYTHON) --all-packages
	@touch $@

install: $(VENV)/.synced

up: install
	$(VENV)/bin/keel dev up

down: install
	$(VENV)/bin/keel dev down

status: install
	$(VENV)/bin/keel dev status

test: install
	$(PY) -m pytest -q

test-kafka: install
	KEEL_TEST_BROKER=kafka $(PY) -m pytest -q -m broker

lint: install
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy libs services tests bench tools

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: install
	$(PY) -m bench
	$(PY) -m bench.auth
	$(PY) -m bench.secrets
	$(PY) -m bench.metadata
	$(PY) -m bench.gateway
	$(PY) -m bench.mlflow

# The AsyncAPI document of the event fabric, generated from the contracts.
asyncapi: install
	$(PY) -m tools.asyncapi > docs/asyncapi.json

# Kafka topics, SCRAM users and ACLs as one script, generated from infra/kafka/*.yaml.
kafka-provision: install
	$(PY) -m tools.kafka_provision > infra/kafka/provision.sh

clean:
	rm -rf $(VENV) $(TOOLS)
