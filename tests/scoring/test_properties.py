"""Property tests of the scoring core's invariants (hypothesis)."""

from dataclasses import replace
from decimal import ROUND_HALF_UP
from decimal import Decimal as D
from fractions import Fraction

from hypothesis import example, given, settings
from hypothesis import strategies as st

from scoring import engine
from scoring.catalogue import builtin_scheme_spec
from scoring.engine import DepartmentInput, RecordInput, YearInput

SCHEME = builtin_scheme_spec("district-2023")
NAMES = ("甲", "乙", "丙", "丁", "戊", "己")
FIXED_DEDUCTIONS = sorted(code for code, r in SCHEME.rules.items() if r.kind == "deduction" and not r.annual)
BONUSES = ("B1", "B2", "B3")
LEVELS = ("national", "provincial", "municipal")


@st.composite
def records(draw, names):
    kind = draw(st.sampled_from(["deduction", "t3", "bonus", "veto"]))
    if kind == "deduction":
        return RecordInput(
            rule=draw(st.sampled_from(FIXED_DEDUCTIONS)),
            departments=(draw(st.sampled_from(names)),),
            quantity=draw(st.integers(1, 4)),
        )
    if kind == "t3":
        cents = draw(st.integers(0, 300))
        return RecordInput(rule="T3", departments=(draw(st.sampled_from(names)),), points=D(cents) / 100, reason="酌情")
    if kind == "bonus":
        depts = draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True))
        return RecordInput(
            rule=draw(st.sampled_from(BONUSES)), departments=tuple(depts), level=draw(st.sampled_from(LEVELS))
        )
    return RecordInput(
        rule=draw(st.sampled_from(["V1", "V2", "V3", "V4"])), departments=(draw(st.sampled_from(names)),)
    )


@st.composite
def years(draw):
    n = draw(st.integers(1, len(NAMES)))
    names = NAMES[:n]
    depts = tuple(DepartmentInput(name, draw(st.integers(1, 9))) for name in names)
    recs = tuple(draw(st.lists(records(names), max_size=12)))
    scores = draw(
        st.one_of(
            st.none(),
            st.fixed_dictionaries({name: st.integers(5000, 10000).map(lambda c: D(c) / 100) for name in names}),
        )
    )
    return YearInput(year=2023, scheme=SCHEME, departments=depts, records=recs, democratic_scores=scores)


@settings(max_examples=150, deadline=None)
@given(years(), st.sampled_from(FIXED_DEDUCTIONS), st.integers(1, 3), st.data())
def test_a_deduction_never_raises_a_score(data, rule, quantity, draw):
    name = draw.draw(st.sampled_from([d.name for d in data.departments]))
    before = engine.score_year(data).department(name)
    after = engine.score_year(
        replace(data, records=data.records + (RecordInput(rule, (name,), quantity=quantity),))
    ).department(name)
    assert after.review_score <= before.review_score
    if before.final_score is not None:
        assert after.final_score <= before.final_score


@settings(max_examples=150, deadline=None)
@given(years(), st.sampled_from(FIXED_DEDUCTIONS + ["T3"]), st.data())
def test_an_exempt_record_changes_nothing(data, rule, draw):
    name = draw.draw(st.sampled_from([d.name for d in data.departments]))
    points = D("2") if rule == "T3" else None
    exempt = RecordInput(rule, (name,), points=points, exempt=True, reason="不可抗")
    before = engine.score_year(data)
    after = engine.score_year(replace(data, records=data.records + (exempt,)))
    assert [(d.name, d.final_score, d.rank, d.award) for d in after.departments] == [
        (d.name, d.final_score, d.rank, d.award) for d in before.departments
    ]


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(BONUSES), st.sampled_from(LEVELS), st.integers(2, 4))
def test_b1_shared_by_n_gives_each_half_b2_b3_full(rule, level, n):
    names = NAMES[:n]
    data = YearInput(
        year=2023,
        scheme=SCHEME,
        departments=tuple(DepartmentInput(x, 1) for x in names),
        records=(RecordInput(rule, names, level=level),),
    )
    full = SCHEME.rules[rule].level_points[level]
    expected = full / 2 if rule == "B1" else full
    result = engine.score_year(data)
    assert [result.department(x).bonuses for x in names] == [expected] * n


@settings(max_examples=200, deadline=None)
@given(years())
def test_ranking_is_a_permutation_consistent_with_the_order(data):
    result = engine.score_year(data)
    assert sorted(d.name for d in result.departments) == sorted(d.name for d in data.departments)
    ranked = [d for d in result.departments if d.rank is not None]
    keys = [(d.final_score, d.democratic_score or 0, d.review_score) for d in ranked]
    assert keys == sorted(keys, reverse=True)
    for i, d in enumerate(ranked):
        # competition ranking: 1 + number of departments strictly better
        assert d.rank == 1 + sum(1 for k in keys if k > keys[i])


@settings(max_examples=200, deadline=None)
@given(years())
def test_money_totals_are_per_capita_times_headcount(data):
    result = engine.score_year(data)
    for d in result.departments:
        if d.per_capita is None:
            assert d.total is None and d.award == "pending"
        else:
            assert d.total == d.per_capita * d.headcount
        if d.vetoed:
            assert d.award in ("none", "pending") and d.award != "first"


@settings(max_examples=150, deadline=None)
@given(years())
def test_department_lines_are_the_lines_score_year_gives_each_department(data):
    result = engine.score_year(data)

    for department in data.departments:
        lines = engine.department_lines(data.scheme, department.name, data.records)
        assert lines == result.department(department.name).lines


@settings(max_examples=500, deadline=None)
@given(st.integers(-(10**12), 10**12), st.integers(1, 10**9))
@example(1, 200)  # 0.005 → 0.01
@example(-1, 200)  # -0.005 → -0.01
@example(-1, 201)  # just under a half → -0.00
@example(37, 8)  # 4.625 → 4.63
def test_integer_rounding_is_half_up_to_the_cent_of_the_exact_quotient(numerator, denominator):
    rounded = engine._round2_ratio(numerator, denominator)

    exact = Fraction(numerator, denominator)
    assert rounded == rounded.quantize(D("0.01")) and str(rounded) == f"{rounded:.2f}"
    assert abs(exact - Fraction(rounded)) <= Fraction(1, 200)  # the nearest cent...
    # ...with halves away from zero: Decimal's ROUND_HALF_UP of the quotient (28 digits are exact enough here)
    assert rounded == (D(numerator) / D(denominator)).quantize(D("0.01"), rounding=ROUND_HALF_UP)


GRADES = {"优秀": D("95"), "良好": D("85.5"), "一般": D("70"), "较差": D("0")}
GROUPS = ("机关", "基层", "离退休")


@st.composite
def ballot_sets(draw):
    names = NAMES[: draw(st.integers(1, 4))]
    ballots = tuple(
        engine.BallotInput(
            draw(st.sampled_from(GROUPS)),
            draw(st.one_of(st.none(), st.sampled_from(names))),
            draw(st.dictionaries(st.sampled_from(names), st.one_of(st.none(), st.sampled_from(sorted(GRADES))))),
            draw(st.integers(1, 5)),
        )
        for _ in range(draw(st.integers(0, 12)))
    )
    weights = draw(
        st.one_of(
            st.none(),
            st.fixed_dictionaries({g: st.integers(0, 100).map(lambda c: D(c) / 100) for g in GROUPS}),
        )
    )
    return names, ballots, engine.Settings(grade_points=GRADES, group_weights=weights)


def _reference_democratic(names, ballots, settings):
    """docs/scoring.md §4 written plainly with fractions: every counted grade's points, the mean per group, then the
    mean of all grades, or the weighted mean of the group means renormalised over the groups that graded."""
    grades = {name: {} for name in names}
    for ballot in ballots:
        for name, grade in ballot.ratings.items():
            if grade is None or (settings.exclude_own_department and ballot.voter_department == name):
                continue
            grades[name].setdefault(ballot.group, []).extend([Fraction(settings.grade_points[grade])] * ballot.count)
    scores = {}
    for name, by_group in grades.items():
        if not by_group:
            scores[name] = None
        elif settings.group_weights is None:
            every = [p for points in by_group.values() for p in points]
            scores[name] = engine.round2(sum(every, Fraction(0)) / len(every))
        else:
            weights = {g: Fraction(settings.group_weights[g]) for g in by_group}
            total = sum(weights.values(), Fraction(0))
            means = {g: sum(points, Fraction(0)) / len(points) for g, points in by_group.items()}
            scores[name] = engine.round2(sum(weights[g] * means[g] for g in by_group) / total) if total else None
    return scores


@settings(max_examples=300, deadline=None)
@given(ballot_sets())
def test_democratic_scores_are_the_plain_fraction_means(case):
    names, ballots, year_settings = case

    scores, stats = engine.democratic_from_ballots(year_settings, names, ballots)

    assert {n: repr(s) for n, s in scores.items()} == {
        n: repr(s) for n, s in _reference_democratic(names, ballots, year_settings).items()
    }
    for stat in stats:
        for group, mean in stat.group_means.items():
            counts = stat.counts[group]
            points = sum((Fraction(GRADES[g]) * n for g, n in counts.items()), Fraction(0))
            assert mean == engine.round2(points / sum(counts.values()))
