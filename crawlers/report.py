"""The run report shared by the spider, the pipelines and the CLI: counts and problems."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from crawlers.formats.base import ParseProblem

MAX_KEPT_PROBLEMS = 500  # per run; counts stay exact beyond that


@dataclass
class RunReport:
    partner: str
    format: str | None = None
    http_status: int | None = None
    bytes: int = 0
    not_modified: bool = False
    fatal: str | None = None  # the feed could not be read at all
    rejected_by_reason: Counter[str] = field(default_factory=Counter)
    problems: list[ParseProblem] = field(default_factory=list)
    warnings: int = 0
    rejected: int = 0  # items, not reasons: an item with three problems is one rejected item

    def add_problem(self, problem: ParseProblem) -> None:
        """A problem on its own: an error is one rejected item (a parser's or a duplicate's)."""
        self.add_item_problems([problem])

    def add_item_problems(self, problems: list[ParseProblem]) -> None:
        """The problems of one item: it counts once in ``rejected`` when any is an error."""
        if any(p.severity == "error" for p in problems):
            self.rejected += 1
        for problem in problems:
            if problem.severity == "error":
                self.rejected_by_reason[_reason_key(problem)] += 1
            else:
                self.warnings += 1
            if len(self.problems) < MAX_KEPT_PROBLEMS:
                self.problems.append(problem)


def _reason_key(problem: ParseProblem) -> str:
    if problem.reason:
        return problem.reason
    # Group by field and message shape (strip quoted values) so operators see few lines.
    message = problem.message.split("'")[0].split('"')[0].strip()
    return f"{problem.field or 'item'}: {message}"
