"""What the checker says: a structured ``Verdict``, its short text, and the record a grader collects.

Symbols: ✓ passed, ✗ failed, ○ not attempted yet (no emoji: headless browsers here have no emoji font).
The wording is stored in every notebook's outputs, so keep it stable: a change regenerates every notebook.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

PASSED, FAILED, NOT_ATTEMPTED, ERROR = "passed", "failed", "not_attempted", "error"
_SYMBOL = {PASSED: "✓", FAILED: "✗", NOT_ATTEMPTED: "○", ERROR: "✗"}


@dataclass(frozen=True)
class Verdict:
    """The outcome of one ``check`` call.

    status: one of "passed", "failed", "not_attempted", "error" (the check could not be made, e.g. an
    unknown exercise id or missing solutions folder: nothing is wrong with the answer itself).
    summary: one line. details: a few lines (the failing case's input, expected, got).
    hint: the likely mistake, or None. case: the name of the failing case, or None.
    """

    exercise_id: str
    status: str
    summary: str
    details: tuple[str, ...] = field(default_factory=tuple)
    hint: str | None = None
    case: str | None = None

    @property
    def passed(self) -> bool:
        return self.status == PASSED

    def render(self) -> str:
        lines = [f"{_SYMBOL[self.status]} {self.exercise_id}: {self.summary}"]
        lines += [f"  {d}" for d in self.details]
        if self.hint:
            lines.append(f"  hint: {self.hint}")
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return asdict(self)


_HISTORY: list[Verdict] = []


def record(verdict: Verdict) -> None:
    _HISTORY.append(verdict)


def verdicts() -> list[Verdict]:
    """Every verdict recorded in this Python session, oldest first (what a grading command collects)."""
    return list(_HISTORY)


def last_verdict() -> Verdict | None:
    """The most recent verdict, or None before the first ``check``."""
    return _HISTORY[-1] if _HISTORY else None


def summary_by_exercise() -> dict[str, str]:
    """The latest status per exercise id, e.g. {"activations.sigmoid": "passed"}."""
    return {v.exercise_id: v.status for v in _HISTORY}
