"""sbdk's errors and dbt's test results in Dagster's terms."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import dagster as dg

from sbdk.errors import SbdkError
from sbdk.statuses import NodeStatus
from sbdk.transform import NodeResult


@contextmanager
def one_line_failures() -> Iterator[None]:
    """sbdk's errors fail the step with their message, without a traceback."""
    try:
        yield
    except SbdkError as error:
        raise dg.Failure(description=str(error)) from None


def check_result(key: dg.AssetCheckKey, node: NodeResult) -> dg.AssetCheckResult:
    """A dbt test's result as dagster-dbt reports it: a warning fails with severity WARN."""
    metadata: dict[str, Any] = {"status": str(node.status)}  # Dagster stores plain strings
    if node.failures is not None:
        metadata["failing_rows"] = node.failures
    if node.failures_relation:
        metadata["failing_rows_table"] = node.failures_relation
    return dg.AssetCheckResult(
        asset_key=key.asset_key,
        check_name=key.name,
        passed=node.status == NodeStatus.PASS,
        severity=dg.AssetCheckSeverity.WARN
        if node.status == NodeStatus.WARN
        else dg.AssetCheckSeverity.ERROR,
        metadata=metadata,
        description=node.message or None,
    )
