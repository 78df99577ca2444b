"""The scoring core, rule by rule (docs/scoring.md §1–5), with exact values."""

from decimal import Decimal as D
from fractions import Fraction

import pytest

from scoring import engine
from scoring.catalogue import builtin_schemes, spec_from_document
from scoring.engine import BallotInput, DepartmentInput, LeaderInput, RecordInput, Settings, YearInput

SCHEME = spec_from_document(builtin_schemes()["district-2023"])


def year(departments=("甲", "乙"), records=(), headcount=3, **kw) -> YearInput:
    depts = tuple(DepartmentInput(name, headcount) for name in departments)
    return YearInput(year=2023, scheme=SCHEME, departments=depts, records=tuple(records), **kw)


def rec(rule, *departments, **kw) -> RecordInput:
    return RecordInput(rule=rule, departments=departments, **kw)


def dept(result, name):
    return result.department(name)


def test_round2_is_half_up():
    assert engine.round2(D("2.345")) == D("2.35")
    assert engine.round2(D("2.344999")) == D("2.34")
    assert engine.round2(D("-1.005")) == D("-1.01")


def test_round2_of_fraction_is_exact():

    assert engine.round2(Fraction(205, 3)) == D("68.33")
    assert engine.round2(Fraction(685, 8)) == D("85.63")  # 85.625 exactly: half up


def test_fixed_deduction_is_points_times_quantity():
    result = engine.score_year(year(records=[rec("S2", "甲", quantity=3)]))
    assert dept(result, "甲").deductions == D("1.5")
    assert dept(result, "甲").review_score == D("98.5")
    assert dept(result, "甲").by_category["S"] == D("-1.5")


def test_t3_uses_reviewers_points_times_quantity():
    result = engine.score_year(year(records=[rec("T3", "甲", points=D("1.25"), quantity=2, reason="x")]))
    assert dept(result, "甲").by_category["T"] == D("-2.50")
    assert dept(result, "甲").review_score == D("97.50")


def test_exempt_record_gives_zero_but_stays_as_a_line():
    result = engine.score_year(year(records=[rec("T1", "甲", exempt=True, reason="不可抗")]))
    d = dept(result, "甲")
    assert d.review_score == D("100")
    assert [(line.rule, line.points, line.exempt) for line in d.lines] == [("T1", D("0"), True)]


def test_b1_shared_gives_each_half():
    result = engine.score_year(year(records=[rec("B1", "甲", "乙", level="provincial")]))
    assert dept(result, "甲").bonuses == D("4")
    assert dept(result, "乙").bonuses == D("4")
    assert dept(result, "甲").lines[0].shared_with == ("乙",)


@pytest.mark.parametrize("rule,level,points", [("B2", "national", "10"), ("B3", "municipal", "8")])
def test_b2_b3_shared_give_full_points(rule, level, points):
    result = engine.score_year(year(records=[rec(rule, "甲", "乙", level=level)]))
    assert dept(result, "甲").bonuses == D(points)
    assert dept(result, "乙").bonuses == D(points)


def test_review_score_has_no_cap_and_floor_zero():
    records = [rec("B3", "甲", level="national", quantity=5)] + [rec("D1", "乙", quantity=25)]
    result = engine.score_year(year(records=records))
    assert dept(result, "甲").review_score == D("160")
    assert dept(result, "乙").review_score == D("0")
    assert dept(result, "乙").deductions == D("125")


def test_veto_keeps_score_and_rank_but_takes_no_award():
    result = engine.score_year(year(departments=("甲", "乙", "丙"), records=[rec("V4", "甲"), rec("S1", "丙")]))
    a = dept(result, "甲")
    assert (a.review_score, a.vetoed, a.veto_rules, a.award, a.per_capita) == (D("100"), True, ("V4",), "none", D(0))
    assert [(d.name, d.rank, d.award) for d in result.departments] == [
        ("甲", 1, "none"),
        ("乙", 1, "first"),  # the only non-vetoed member of the tie takes place 1 alone
        ("丙", 3, "second"),
    ]


def test_final_score_weights_and_rounding():
    result = engine.score_year(year(records=[rec("S2", "甲")], democratic_scores={"甲": D("88.333"), "乙": D("90")}))
    a = dept(result, "甲")
    assert a.democratic_score == D("88.33")
    assert a.final_score == D("97.27")  # 99.5 × 0.8 + 88.33 × 0.2 = 79.6 + 17.666


def test_no_democratic_evaluation_final_is_review_score():
    result = engine.score_year(year(records=[rec("S2", "甲")]))
    assert dept(result, "甲").final_score == D("99.5")
    assert dept(result, "甲").democratic_score is None


def test_department_without_counted_grade_is_incomplete_and_nothing_is_decided():
    result = engine.score_year(year(departments=("甲", "乙", "丙"), democratic_scores={"甲": D("90"), "乙": D("80")}))
    assert result.incomplete == ("丙",)
    assert [(d.name, d.rank, d.final_score) for d in result.departments] == [
        ("甲", 1, D("98.00")),
        ("乙", 2, D("96.00")),
        ("丙", None, None),
    ]
    assert {d.award for d in result.departments} == {"pending"}
    assert not any(d.discretionary_eligible for d in result.departments)


def test_ballots_exclude_own_department_and_mean_all_grades():
    ballots = (
        BallotInput("机关", "甲", {"甲": "优秀", "乙": "一般"}),
        BallotInput("基层", None, {"甲": "良好", "乙": "较差"}),
        BallotInput("基层", None, {"甲": "较差", "乙": None}),
    )
    result = engine.score_year(year(ballots=ballots))
    assert dept(result, "甲").democratic_score == D("67.50")  # (85 + 50) / 2; own 优秀 not counted
    assert dept(result, "乙").democratic_score == D("60.00")  # (70 + 50) / 2; abstention not counted


def test_ballots_count_own_department_when_setting_off():
    ballots = (BallotInput("机关", "甲", {"甲": "优秀"}), BallotInput("机关", "乙", {"甲": "一般", "乙": "良好"}))
    result = engine.score_year(year(ballots=ballots, settings=Settings(exclude_own_department=False)))
    assert dept(result, "甲").democratic_score == D("85.00")


def test_group_weights_weight_group_means_renormalised():
    settings = Settings(group_weights={"机关": D("0.6"), "基层": D("0.4")})
    ballots = (
        BallotInput("机关", None, {"甲": "优秀", "乙": "良好"}),
        BallotInput("机关", None, {"甲": "良好", "乙": "良好"}),
        BallotInput("基层", None, {"甲": "较差"}),
    )
    result = engine.score_year(year(ballots=ballots, settings=settings))
    # 甲: 0.6 × 92.5 + 0.4 × 50 = 75.5; 乙 graded by 机关 only: weights renormalised to 1 → 85
    assert dept(result, "甲").democratic_score == D("75.50")
    assert dept(result, "乙").democratic_score == D("85.00")


def test_ranking_breaks_ties_on_democratic_then_review_score():
    # 甲 and 乙 both final 98.00; 乙 has the higher democratic score
    result = engine.score_year(
        year(
            departments=("甲", "乙"),
            records=[rec("B2", "甲", level="municipal"), rec("S1", "甲", quantity=6)],
            democratic_scores={"甲": D("91"), "乙": D("90")},
        )
    )
    # 甲: review 99 → 99 × 0.8 + 91 × 0.2 = 97.40; 乙: 100 × 0.8 + 90 × 0.2 = 98.00
    assert [(d.name, d.rank) for d in result.departments] == [("乙", 1), ("甲", 2)]


def test_prizes_first_then_second_then_discretionary_eligibility():
    names = ("甲", "乙", "丙", "丁", "戊")
    records = [rec("S1", "乙"), rec("S1", "丙", quantity=2), rec("S1", "丁", quantity=3), rec("D1", "戊", quantity=3)]
    result = engine.score_year(year(departments=names, records=records))
    assert [(d.name, d.award, d.per_capita, d.total) for d in result.departments] == [
        ("甲", "first", D("2000.00"), D("6000.00")),
        ("乙", "second", D("1000.00"), D("3000.00")),
        ("丙", "second", D("1000.00"), D("3000.00")),
        ("丁", "none", D("0.00"), D("0.00")),
        ("戊", "none", D("0.00"), D("0.00")),
    ]
    assert [d.name for d in result.departments if d.discretionary_eligible] == ["丁"]


def test_discretionary_award_to_eligible_department():
    names = ("甲", "乙", "丙", "丁")
    records = [rec("S1", "乙"), rec("S1", "丙", quantity=2), rec("S1", "丁", quantity=3)]
    result = engine.score_year(year(departments=names, records=records, discretionary_awards={"丁": D("300")}))
    d = dept(result, "丁")
    assert (d.award, d.per_capita, d.total, d.discretionary_eligible) == (
        "discretionary",
        D("300.00"),
        D("900.00"),
        True,
    )


def test_discretionary_award_to_ineligible_department_is_refused():
    with pytest.raises(engine.ScoringError) as exc:
        engine.score_year(year(discretionary_awards={"甲": D("300")}))
    assert exc.value.place == "discretionary_awards.甲"


def test_zero_discretionary_award_grants_nothing():
    names = ("甲", "乙", "丙", "丁")
    records = [rec("S1", "乙"), rec("S1", "丙", quantity=2), rec("S1", "丁", quantity=3)]
    result = engine.score_year(year(departments=names, records=records, discretionary_awards={"丁": D("0")}))
    assert dept(result, "丁").award == "none"


def test_tie_within_one_tier_shares_it():
    names = ("甲", "乙", "丙", "丁")
    result = engine.score_year(year(departments=names, records=[rec("B1", "甲", level="national"), rec("S1", "丁")]))
    # 乙 and 丙 tie at places 2–3: both second
    assert [(d.name, d.rank, d.award) for d in result.departments] == [
        ("甲", 1, "first"),
        ("乙", 2, "second"),
        ("丙", 2, "second"),
        ("丁", 4, "none"),
    ]
    assert result.ties == ()


def test_tie_order_gives_consecutive_ranks():
    result = engine.score_year(year(departments=("甲", "乙", "丙"), tie_order=(("丙", "甲", "乙"),)))
    assert [(d.name, d.rank, d.award) for d in result.departments] == [
        ("丙", 1, "first"),
        ("甲", 2, "second"),
        ("乙", 3, "second"),
    ]


def test_tie_order_of_part_of_a_tie_is_refused():
    with pytest.raises(engine.ScoringError) as exc:
        engine.score_year(year(departments=("甲", "乙", "丙"), tie_order=(("丙", "甲"),)))
    assert exc.value.place == "tie_order[0]"


def test_leaders_awards_are_means_rounded():
    names = ("甲", "乙", "丙", "丁")
    records = [rec("S1", "乙"), rec("S1", "丙", quantity=2), rec("S1", "丁", quantity=3)]
    leaders = (
        LeaderInput("主席", "chair"),
        LeaderInput("副主席一", "vice_chair", ("甲", "乙", "丁")),
        LeaderInput("副主席二", "vice_chair", ("丙",)),
    )
    result = engine.score_year(year(departments=names, records=records, leaders=leaders))
    assert [(x.name, x.award) for x in result.leaders] == [
        ("副主席一", D("1000.00")),  # (2000 + 1000 + 0) / 3
        ("副主席二", D("1000.00")),
        ("主席", D("1000.00")),
    ]


def test_leader_award_pending_when_a_department_is_pending():
    leaders = (LeaderInput("主席", "chair"), LeaderInput("副主席", "vice_chair", ("甲",)))
    result = engine.score_year(year(leaders=leaders))  # 甲 and 乙 tie across first/second
    assert [x.award for x in result.leaders] == [None, None]
    assert result.ties == (("甲", "乙"),)


@pytest.mark.parametrize(
    "record,field",
    [
        (rec("T3", "甲", reason="x"), "points"),
        (rec("T3", "甲", points=D("3.01"), reason="x"), "points"),
        (rec("T3", "甲", points=D("1.005"), reason="x"), "points"),
        (rec("T3", "甲", points=D("1")), "reason"),
        (rec("S1", "甲", points=D("1")), "points"),
        (rec("S1", "甲", quantity=0), "quantity"),
        (rec("G1", "甲", quantity=2), "quantity"),
        (rec("V1", "甲", quantity=2), "quantity"),
        (rec("V5", "甲"), "reason"),
        (rec("B1", "甲"), "level"),
        (rec("B1", "甲", level="district"), "level"),
        (rec("S1", "甲", level="national"), "level"),
        (rec("B1", "甲", level="national", exempt=True, reason="x"), "exempt"),
        (rec("T1", "甲", exempt=True), "reason"),
        (rec("S1", "甲", "乙"), "departments"),
        (rec("B1", "甲", "甲", level="national"), "departments"),
    ],
)
def test_record_problems_name_the_field(record, field):
    problems = engine.record_problems(SCHEME.rules[record.rule], record)
    assert [f for f, _ in problems][:1] == [field]


def test_record_problems_accept_a_good_record():
    good = rec("T3", "甲", points=D("2.5"), reason="上级调整", quantity=2)
    assert engine.record_problems(SCHEME.rules["T3"], good) == []
