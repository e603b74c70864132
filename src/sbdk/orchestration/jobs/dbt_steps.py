"""What the jobs' dbt steps share: a failing node fails the step, and one line about a result."""

from __future__ import annotations

from typing import Any

from sbdk.orchestration.graph import StepFailed
from sbdk.transform import DbtResult

# dbt reports its on-run-end hook (the observability recorder) as an "operation" node.
HOOK_RESOURCE_TYPE = "operation"


def checked(result: DbtResult, value: Any = None) -> DbtResult:
    """Fail the step, keeping `value` (default: the results), when dbt could not run or a
    node failed."""
    if result.error:
        raise StepFailed(f"dbt {result.command} failed: {result.error}", value=value or result)
    if result.failed:
        hooks = [node for node in result.failed if node.resource_type == HOOK_RESOURCE_TYPE]
        models = [
            node
            for node in result.failed
            if not node.is_test and node.resource_type != HOOK_RESOURCE_TYPE
        ]
        tests = [node for node in result.failed if node.is_test]
        parts = []
        if models:
            parts.append(f"{len(models)} model(s) failed: {_names(models)}")
        if tests:
            parts.append(f"{len(tests)} test(s) failed: {_names(tests)}")
        if hooks:
            parts.append(f"the on-run-end hook failed: {hooks[0].message}")
        raise StepFailed("; ".join(parts), value=value or result)
    return result


def describe_dbt(result: DbtResult) -> str:
    if result.error:
        return "could not run"
    parts = []
    if result.models:
        parts.append(f"{result.models_built}/{len(result.models)} models built")
    if result.tests:
        parts.append(f"{result.tests_passed}/{len(result.tests)} tests passed")
        if result.tests_warned:
            parts.append(f"{result.tests_warned} warned")
    return ", ".join(parts) or "nothing selected"


def _names(nodes) -> str:
    shown = ", ".join(node.name for node in nodes[:3])
    return shown + (f" and {len(nodes) - 3} more" if len(nodes) > 3 else "")
