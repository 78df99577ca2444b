"""What each phase of a year allows (`AssessmentYear.Phase`, after 七、考核程序: 准备, 进行中, 自评, 评分, 民主测评,
公示, 审定, 已通报, 归档).

Every write to a year's data names its kind of write here. A page asks `year_allows` / `year_refusal` to show a
button or the reason it is missing; the service calls `year_require`, which refuses whatever the page showed.
Kept apart from workflow.services (which imports reviews.services), so the ledger and every other app can ask
without an import cycle. Plain data and functions over the year's `phase`: no query.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from scoring.models import AssessmentYear

Phase = AssessmentYear.Phase

# The steps before approval, in order; a move goes one step forward or back.
OPEN_PHASES: list[str] = [
    Phase.PREPARING,
    Phase.RUNNING,
    Phase.SELF_ASSESSMENT,
    Phase.SCORING,
    Phase.DEMOCRATIC,
    Phase.PUBLICITY,
]
PHASE_ORDER: list[str] = [*OPEN_PHASES, Phase.APPROVED, Phase.ANNOUNCED, Phase.ARCHIVED]

# The phases each kind of write is allowed in. A frozen year (审定 and after) allows none of them.
PHASE_ACTIONS: dict[str, frozenset[str]] = {
    # The review group's ledger, its evidence and T4 decisions: recorded as things happen, completed in 评分,
    # changed in 公示 by the answers to objections; read-only from 审定.
    "ledger": frozenset(OPEN_PHASES),
    # Monthly plans and summaries and the vice chairs' review: during the year, late ones until scoring ends.
    "monthly_report": frozenset({Phase.RUNNING, Phase.SELF_ASSESSMENT, Phase.SCORING}),
    # 年度考核自评表 with its bonus claims and their evidence.
    "self_assessment": frozenset({Phase.SELF_ASSESSMENT}),
    # Opening, editing and closing the round, printing and voiding codes: prepared while the review group
    # scores, so that the slips are ready when 民主测评 begins, and managed through it.
    "ballot_setup": frozenset({Phase.SCORING, Phase.DEMOCRATIC}),
    # Casting at /vote/ and entering paper ballots (by hand or imported).
    "ballot": frozenset({Phase.DEMOCRATIC}),
    # Democratic scores entered directly (a year whose evaluation is held outside Kaohe): in the same
    # phases as the round's set-up, before the results are published.
    "democratic_scores": frozenset({Phase.SCORING, Phase.DEMOCRATIC}),
    # Department heads' objections to records.
    "objection": frozenset({Phase.PUBLICITY}),
    # Leadership's tie orders and discretionary awards.
    "decision": frozenset({Phase.PUBLICITY}),
}

# How a refusal names each kind of write: (what, what one does with it).
ACTION_WORDING: dict[str, tuple[str, str]] = {
    "ledger": ("考核台帐", "修改"),
    "monthly_report": ("月度计划和小结", "填写和审阅"),
    "self_assessment": ("自评", "填写"),
    "ballot_setup": ("民主测评的设置和测评码", "管理"),
    "ballot": ("民主测评投票和纸质票录入", "进行"),
    "democratic_scores": ("民主测评得分", "录入"),
    "objection": ("异议", "提出"),
    "decision": ("并列排序和酌情奖励", "决定"),
}


class PhaseRefused(ValidationError):
    """A write that the year's current phase does not allow; the message names the phase and where it is
    allowed. A ValidationError, like every other refusal of a service, so views show it as a message."""


def year_allows(year: AssessmentYear, action: str) -> bool:
    """Whether the year's phase allows a kind of write (see PHASE_ACTIONS)."""
    return not year.is_frozen and year.phase in PHASE_ACTIONS[action]


def _phases_named(phases: frozenset[str]) -> str:
    ordered = [p for p in PHASE_ORDER if p in phases]
    labels = [f"「{Phase(p).label}」" for p in ordered]
    first, last = PHASE_ORDER.index(ordered[0]), PHASE_ORDER.index(ordered[-1])
    if len(ordered) > 2 and last - first + 1 == len(ordered):
        return f"{labels[0]}至{labels[-1]}"
    return "和".join(labels) if len(labels) == 2 else "、".join(labels)


def year_refusal(year: AssessmentYear, action: str) -> str | None:
    """Why the year's phase refuses a kind of write, in Chinese, or None when it allows it.

    E.g. "当前阶段为「评分」，自评仅在「自评」阶段可以填写。"
    """
    if year_allows(year, action):
        return None
    what, verb = ACTION_WORDING[action]
    rule = f"当前阶段为「{year.get_phase_display()}」，{what}仅在{_phases_named(PHASE_ACTIONS[action])}阶段可以{verb}"
    if year.is_frozen:
        return f"{year}已审定，数据只读（{rule}）。如需修改，请由系统管理员重新开启该年度。"
    return f"{rule}。"


def year_require(year: AssessmentYear, action: str) -> None:
    """Refuse (PhaseRefused, a ValidationError) unless the year's phase allows the kind of write."""
    message = year_refusal(year, action)
    if message is not None:
        raise PhaseRefused(message)
