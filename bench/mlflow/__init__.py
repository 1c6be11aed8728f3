"""The unmodified MLflow client against Keel's MLflow-compatible API and against `mlflow server`.

    python -m bench.mlflow [--broker tansu|kafka] [--runs 10000] [--side both|keel|mlflow]
                           [--logs DIR]

One fresh embedded stack (Postgres, the broker, OpenBao, the services and the gateway) in a
temporary directory on free ports, and one workload (`bench/mlflow/workload.py`) run with
`mlflow.MlflowClient` against each server in turn, each time in a process of its own so
that nothing of one side's client (its token above all) reaches the other:

- Keel first: tracking URI `{gateway}/mlflow/workspaces/{workspace}`, MLFLOW_TRACKING_TOKEN
  an API key of a `developer` service account of a fresh workspace. Then Keel's services,
  the broker and OpenBao are stopped; Postgres stays.
- MLflow second: `mlflow server` (the venv's, one uvicorn worker) with its backend store in
  a database of its own, `mlflow_bench`, on that same Postgres, `--serve-artifacts` into a
  temporary directory; nothing of Keel but Postgres runs meanwhile.

Tables to stdout, progress to stderr; everything started is stopped on the way out, also on
an error, Ctrl-C or SIGTERM. A side that fails is reported as failed and the other still
runs. See bench/README.md, "MLflow compatibility".
"""
