"""The intranet login's backend: django-auth-ldap's, which also gives a directory user the roles of his groups
(KAOHE_LDAP_ROLE_GROUPS, kaohe/ldap_settings.py) at every login."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django_auth_ldap.backend import LDAPBackend

from departments.models import Department, Membership, Role
from people.services import STAFF_ROLES

logger = logging.getLogger(__name__)
DEPARTMENT_ROLES = (Role.DEPARTMENT_HEAD, Role.REVIEWER)


def _pairs(values: Iterable[tuple[str, str | None]], departments: dict[str, Department]) -> set[tuple[str, int | None]]:
    """(role, department id) of the mapping's values; a value with an unknown role or department is left out."""
    pairs: set[tuple[str, int | None]] = set()
    for role, name in values:
        if role not in Role.values:
            logger.warning("KAOHE_LDAP_ROLE_GROUPS: unknown role %r", role)
            continue
        if role in DEPARTMENT_ROLES:
            department = departments.get(name or "")
            if department is None:
                logger.warning("KAOHE_LDAP_ROLE_GROUPS: role %r needs a known department, not %r", role, name)
                continue
            pairs.add((role, department.pk))
        else:
            pairs.add((role, None))
    return pairs


@transaction.atomic
def roles_sync(user, group_dns: Iterable[str], role_groups: dict[str, list[tuple[str, str | None]]]) -> None:
    """The user's roles that the mapping gives are those of his groups: missing ones added, ones of groups he left
    removed; roles the mapping never gives (assigned by hand in the admin) are kept."""
    departments = {d.name: d for d in Department.objects.all()}
    managed = _pairs((value for values in role_groups.values() for value in values), departments)
    member_of = {dn.lower() for dn in group_dns}
    wanted = _pairs((value for dn, values in role_groups.items() if dn in member_of for value in values), departments)
    current = {(m.role, m.department_id): m for m in Membership.objects.filter(user=user)}
    for pair, membership in current.items():
        if pair in managed and pair not in wanted:
            membership.delete()
    for role, department_id in wanted - set(current):
        Membership.objects.create(user=user, role=role, department_id=department_id)
    roles = {role for role, _ in (set(current) - (managed - wanted)) | wanted}
    is_staff = user.is_superuser or bool(roles & STAFF_ROLES)
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])


class KaoheLDAPBackend(LDAPBackend):
    def authenticate_ldap_user(self, ldap_user, password):
        user = super().authenticate_ldap_user(ldap_user, password)
        role_groups = settings.KAOHE_LDAP_ROLE_GROUPS
        if user is not None and role_groups:
            roles_sync(user, ldap_user.group_dns, role_groups)
        return user
