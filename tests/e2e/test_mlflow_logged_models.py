"""MLflow 3 logged models through the unmodified client: metrics logged against a model
are kept on it and searchable, per dataset."""

from __future__ import annotations

import mlflow
import pytest
from mlflow.entities import Metric
from mlflow.exceptions import MlflowException

from tests.e2e.conftest import RunningServices
from tests.e2e.mlflow_support import as_user

pytestmark = pytest.mark.broker

T0 = 1_700_000_000_000


def test_metrics_logged_against_a_model_are_kept_and_searchable(
    services: RunningServices, workspace: str, admin_token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with as_user(monkeypatch, services, workspace, admin_token) as client:
        experiment = mlflow.set_experiment("evaluation")
        with mlflow.start_run() as run:
            good = mlflow.initialize_logged_model(name="good")
            weak = mlflow.initialize_logged_model(name="weak")
            mlflow.log_metric("acc", 0.80, step=0, model_id=good.model_id)
            mlflow.log_metric("acc", 0.93, step=1, model_id=good.model_id)
            mlflow.log_metric("acc", 0.61, step=0, model_id=weak.model_id)
            run_id = run.info.run_id
            client.log_batch(
                run_id,
                metrics=[
                    Metric("f1", 0.7, T0, 0, model_id=good.model_id, dataset_name="holdout",
                           dataset_digest="d1"),
                    Metric("f1", 0.5, T0, 0, model_id=weak.model_id, dataset_name="train",
                           dataset_digest="d2"),
                ],
            )  # fmt: skip

        kept = mlflow.get_logged_model(good.model_id).metrics or []
        # The latest value of each metric per dataset (step 1 beat step 0).
        assert {(m.key, m.value, m.step, m.dataset_name) for m in kept} == {
            ("acc", 0.93, 1, None),
            ("f1", 0.7, 0, "holdout"),
        }
        assert {m.run_id for m in kept} == {run_id}
        # The run keeps them too, as run metrics.
        assert client.get_run(run_id).data.metrics["acc"] == 0.93

        ids = [experiment.experiment_id]
        best = mlflow.search_logged_models(
            experiment_ids=ids, filter_string="metrics.acc > 0.9", output_format="list"
        )
        assert [m.model_id for m in best] == [good.model_id]
        both = mlflow.search_logged_models(
            experiment_ids=ids, filter_string="metrics.f1 >= 0.5", output_format="list"
        )
        assert {m.model_id for m in both} == {good.model_id, weak.model_id}
        on_train = mlflow.search_logged_models(
            experiment_ids=ids,
            filter_string="metrics.f1 >= 0.5",
            datasets=[{"dataset_name": "train"}],
            output_format="list",
        )
        assert [m.model_id for m in on_train] == [weak.model_id]

        # A metric for a model the workspace does not have fails its batch, naming it.
        with pytest.raises(MlflowException) as refused:
            mlflow.log_metric("acc", 1.0, run_id=run_id, model_id="m-" + "0" * 32)
        assert refused.value.error_code == "RESOURCE_DOES_NOT_EXIST"
        assert "m-" + "0" * 32 in refused.value.message
        assert client.get_run(run_id).data.metrics["acc"] == 0.93
