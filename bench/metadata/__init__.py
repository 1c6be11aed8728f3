"""The metadata store at scale: run-list pages, run details, lineage, Kafka ingestion.

    python -m bench.metadata [--runs N] [--steps 10] [--requests 200] [--ingest-runs 500]
                             [--broker tansu|kafka] [--logs DIR]

One fresh stack (embedded Postgres, the broker, OpenBao, the four services and the gateway
as processes) in a temporary directory on free ports. The bootstrap admin logs in and makes
a workspace through the API; `tools.seed_metadata` then bulk-loads `--runs` runs of
`--steps` steps into it, with their artifact versions, step inputs and run metadata (COPY,
then `VACUUM (ANALYZE)`; checkpoints are spread out while it loads, then the stock settings
come back and a checkpoint flushes everything). Then, through the gateway on one keep-alive
HTTP client, one request at a time, `--requests` measured requests per row after 20
unmeasured ones:

- list runs, a page of 50, newest first: no filter, each filter alone, a week's time range,
  page 2 through the cursor of page 1 (the same request each time: a dashboard's query);
- get one run with its steps, a different random run each request;
- lineage five levels deep from the output of a run's last step, a random one each request;
- ingestion: `--ingest-runs` complete runs (StartRun, per step StartStep + FinishStep,
  SetRunStatus) published to `keel.ingest.metadata` as fast as an AIOKafkaProducer goes,
  timed until the API lists every one of them completed (after 2 unmeasured runs).

Tables to stdout, progress to stderr. Everything started is stopped on the way out, also
on an error, Ctrl-C or SIGTERM; `--logs DIR` keeps the services' and Postgres's logs.
"""
