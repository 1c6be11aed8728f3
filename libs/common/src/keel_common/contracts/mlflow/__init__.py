"""Messages of the MLflow-compatible API. Field names are MLflow's REST JSON names, so the
gateway passes a client's request through as the contract and the reply back as it is."""
