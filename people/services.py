"""Every write of the roster: the roster rows an import saves, login accounts created from the roster, the end of
a first-login password change."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from departments.models import Department, Membership, Role
from people.models import Person

# Letters and digits that cannot be mistaken for one another on paper (no 0/O, 1/l/I).
PASSWORD_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789"
PASSWORD_LENGTH = 12
# The session flag of an account that must change its password (set at login, people.signals).
PASSWORD_CHANGE_SESSION_KEY = "kaohe_password_change"
# Roles that work in the admin (the ledger and targets): their accounts are staff accounts.
STAFF_ROLES = frozenset({Role.REVIEW_LEAD, Role.REVIEWER})


def initial_password() -> str:
    """A random initial password of letters and digits (at least one of each)."""
    while True:
        password = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))
        if any(c.isdigit() for c in password) and any(c.isalpha() for c in password):
            return password


@dataclass(frozen=True)
class CreatedAccount:
    person: Person
    username: str
    password: str


def accounts_problems(people: Sequence[Person]) -> list[str]:
    """Why accounts cannot be created for `people` (empty when they can): each person needs a login name not
    taken by another account, no account yet, and to be in service."""
    User = get_user_model()
    problems = []
    names = [p.username for p in people if p.username]
    taken = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    for person in people:
        if person.user_id is not None:
            problems.append(f"{person.name}（{person.department}）已有登录账号 {person.user}。")
        elif not person.is_active:
            problems.append(f"{person.name}（{person.department}）不在职。")
        elif not person.username:
            problems.append(f"{person.name}（{person.department}）未填写登录名。")
        elif person.username in taken:
            problems.append(f"{person.name}（{person.department}）的登录名 {person.username} 已被其他账号使用。")
    return problems


@transaction.atomic
def accounts_create(people: Sequence[Person]) -> list[CreatedAccount]:
    """A login account for each person, with the roster's account role and a random initial password that must
    be changed at first login; all or none (ValidationError lists every person who cannot have one)."""
    problems = accounts_problems(people)
    if problems:
        raise ValidationError(problems)
    if not people:
        raise ValidationError("请选择要创建账号的人员。")
    User = get_user_model()
    created = []
    for person in people:
        password = initial_password()
        user = User(
            username=person.username,
            first_name=person.name,
            email=person.email,
            is_staff=person.account_role in STAFF_ROLES,
        )
        user.set_password(password)
        user.save()
        if person.account_role:
            department = person.department if person.account_role in (Role.DEPARTMENT_HEAD, Role.REVIEWER) else None
            Membership.objects.create(user=user, role=person.account_role, department=department)
        person.user = user
        person.must_change_password = True
        person.save(update_fields=["user", "must_change_password"])
        created.append(CreatedAccount(person, user.username, password))
    return created


def password_change_required(user) -> bool:
    return Person.objects.filter(user=user, must_change_password=True).exists()


def password_changed(user) -> None:
    """The account has chosen its own password: it is no longer sent to the password change page."""
    Person.objects.filter(user=user, must_change_password=True).update(must_change_password=False)


@dataclass(frozen=True)
class RosterRow:
    """One person as an import reads it."""

    name: str
    department: Department
    position: str
    phone: str
    email: str
    is_active: bool
    username: str
    account_role: str


@transaction.atomic
def roster_save(rows: Sequence[RosterRow]) -> tuple[int, int]:
    """Save checked roster rows: a person of the same department and name is updated, any other is added, in the
    rows' order; nobody is removed. Returns (added, updated)."""
    existing = {(p.department_id, p.name): p for p in Person.objects.all()}
    added = updated = 0
    # Free the login names the rows move between people first, so that the unique constraint holds throughout.
    moved = [
        p.pk
        for row in rows
        if (p := existing.get((row.department.pk, row.name))) is not None and p.username != row.username
    ]
    Person.objects.filter(pk__in=moved).update(username="")
    for order, row in enumerate(rows, start=1):
        fields = {
            "position": row.position,
            "phone": row.phone,
            "email": row.email,
            "is_active": row.is_active,
            "username": row.username,
            "account_role": row.account_role,
            "order": order,
        }
        person = existing.get((row.department.pk, row.name))
        if person is None:
            Person.objects.create(name=row.name, department=row.department, **fields)
            added += 1
        else:
            for field, value in fields.items():
                setattr(person, field, value)
            person.save()
            updated += 1
    return added, updated
