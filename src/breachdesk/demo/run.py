"""``breachdesk demo``: build the synthetic retailer, then walk every stage that exists."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from breachdesk.demo.generate import GenerateOptions, GenerateReport, generate_retailer
from breachdesk.demo.stages import Stage, StageOutcome, demo_stages
from breachdesk.errors import BreachdeskError
from breachdesk.workspace import open_workspace


@dataclass(frozen=True)
class DemoRun:
    generated: GenerateReport
    stages: list[tuple[Stage, StageOutcome]]

    @property
    def failed(self) -> bool:
        return any(outcome.status == "failed" for _, outcome in self.stages)


def run_demo(
    options: GenerateOptions,
    *,
    progress: Callable[[str, int, int], None] | None = None,
    on_stage: Callable[[Stage], None] | None = None,
) -> DemoRun:
    """Generate into ``options.out`` and run each built stage on that workspace, in order.

    A stage's own error (a BreachdeskError) is recorded as a failed stage and the walk goes
    on, so one broken stage does not hide the others; anything else is a bug and propagates.
    """
    generated = generate_retailer(options, progress=progress)
    workspace = open_workspace(generated.out)
    results: list[tuple[Stage, StageOutcome]] = []
    try:
        for stage in demo_stages():
            if on_stage is not None:
                on_stage(stage)
            if stage.run is None:
                results.append((stage, StageOutcome("not available")))
                continue
            try:
                outcome = stage.run(workspace)
            except BreachdeskError as exc:
                outcome = StageOutcome("failed", [str(exc)])
            results.append((stage, outcome))
    finally:
        workspace.close()
    return DemoRun(generated, results)


def demo_folder(out: Path | None) -> Path:
    return out if out is not None else Path("breachdesk-demo")
