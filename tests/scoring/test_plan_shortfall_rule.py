"""`Scheme.plan_shortfall_rule`: the scheme's own fixed deduction that a monthly plan item not done for the
department's own reasons suggests (T4 in district-2023). Read and written by the catalogue, carried over by a
copy, checked by the admin's validation, set by migration 0005 for the schemes that had T4."""

import pytest
from django.core.exceptions import ValidationError

from scoring.catalogue import builtin_schemes, catalogue_load, scheme_copy, scheme_create, scheme_document
from scoring.engine import ScoringError
from scoring.models import Rule, Scheme
from tests.factories import district_scheme
from tests.schemes import small_scheme, small_scheme_document

pytestmark = pytest.mark.django_db


def test_shipped_district_scheme_names_t4():
    assert builtin_schemes()["district-2023"]["plan_shortfall_rule"] == "T4"
    scheme = district_scheme()

    assert (scheme.plan_shortfall_rule.code, scheme.plan_shortfall_rule.scheme) == ("T4", scheme)
    assert scheme_document(scheme)["plan_shortfall_rule"] == "T4"


def test_scheme_without_the_key_has_no_plan_shortfall_rule():
    scheme = small_scheme()

    assert scheme.plan_shortfall_rule is None
    assert scheme_document(scheme)["plan_shortfall_rule"] is None


def test_scheme_document_round_trips_the_plan_shortfall_rule():
    document = scheme_document(small_scheme(plan_shortfall_rule="J1"))

    again = scheme_create({**document, "code": "county-small-2"})

    assert (again.plan_shortfall_rule.code, again.plan_shortfall_rule.scheme) == ("J1", again)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("T4", "未知考核项目 'T4'"),
        ("J2", "J2 不是固定扣分项目。"),
        ("E1", "E1 不是固定扣分项目。"),
        (4, "未知考核项目 4"),
    ],
)
def test_scheme_document_naming_no_fixed_deduction_of_its_own_is_refused_whole(code, message):
    with pytest.raises(ScoringError) as exc:
        scheme_create(small_scheme_document(plan_shortfall_rule=code))

    assert (exc.value.place, exc.value.message) == ("scheme.plan_shortfall_rule", message)
    assert not Scheme.objects.filter(code="county-small").exists()
    assert not Rule.objects.filter(code="J1").exists()


def test_scheme_copy_names_its_own_copy_of_the_rule():
    original = district_scheme()

    copy = scheme_copy(scheme=original)

    assert copy.plan_shortfall_rule.code == "T4"
    assert copy.plan_shortfall_rule.scheme == copy
    assert copy.plan_shortfall_rule != original.plan_shortfall_rule
    assert scheme_copy(scheme=small_scheme()).plan_shortfall_rule is None


def test_scheme_validation_allows_only_its_own_fixed_deductions():
    district, small = district_scheme(), small_scheme()

    small.plan_shortfall_rule = district.rules.get(code="T4")
    with pytest.raises(ValidationError) as exc:
        small.full_clean()
    assert exc.value.message_dict == {"plan_shortfall_rule": ["T4 不是本方案的考核项目。"]}

    small.plan_shortfall_rule = small.rules.get(code="J2")
    with pytest.raises(ValidationError) as exc:
        small.full_clean()
    # J2 is discretionary: not among the choices (limit_choices_to), and refused by the scheme's own check
    j2 = small.plan_shortfall_rule.pk
    assert exc.value.message_dict == {
        "plan_shortfall_rule": [f"考核项目 instance with id {j2} is not a valid choice.", "J2 不是固定扣分项目。"]
    }

    small.plan_shortfall_rule = small.rules.get(code="J1")
    small.full_clean()
    small.plan_shortfall_rule = None
    small.full_clean()


def test_deleting_the_rule_leaves_the_scheme_without_one():
    scheme = small_scheme(plan_shortfall_rule="J1")

    scheme.rules.get(code="J1").delete()

    scheme.refresh_from_db()
    assert scheme.plan_shortfall_rule is None


BEFORE = ("scoring", "0004_scheme_caps_levels_targets")
AFTER = ("scoring", "0005_scheme_plan_shortfall_rule")


def _old_scheme(apps, code: str, kind: str | None) -> None:
    """A scheme as stored before 0005, with a rule coded T4 of `kind` (none if None)."""
    OldScheme, OldCategory, OldRule = (apps.get_model("scoring", name) for name in ("Scheme", "RuleCategory", "Rule"))
    scheme = OldScheme.objects.create(code=code, name=code)
    category = OldCategory.objects.create(scheme=scheme, code="T", name="完成工作任务")
    OldRule.objects.create(scheme=scheme, category=category, code="T1", text="t1", kind="deduction", points=2)
    if kind is not None:
        OldRule.objects.create(scheme=scheme, category=category, code="T4", text="t4", kind=kind, points=2)


def test_migration_names_t4_for_the_schemes_that_have_a_fixed_deduction_coded_t4(migrate_to):
    catalogue_load()
    old = migrate_to(BEFORE)
    _old_scheme(old, "district-2022", "deduction")
    _old_scheme(old, "other", None)
    _old_scheme(old, "other-t4-veto", "veto")

    migrate_to(AFTER)

    named = {s.code: s.plan_shortfall_rule for s in Scheme.objects.select_related("plan_shortfall_rule__scheme")}
    assert {code: rule and (rule.scheme.code, rule.code) for code, rule in named.items()} == {
        "district-2023": ("district-2023", "T4"),
        "county-2011": None,  # no T-rules: the county's monthly plans suggest no record
        "district-2022": ("district-2022", "T4"),
        "other": None,
        "other-t4-veto": None,
    }
