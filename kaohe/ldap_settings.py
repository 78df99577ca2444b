"""Intranet login (LDAP / Active Directory, django-auth-ldap): its settings from the environment.

Off while KAOHE_LDAP_URI is unset. When on, a user signs in with the directory's name and password (local
accounts still sign in as before); his account is created at first login, and his roles follow his groups
(KAOHE_LDAP_ROLE_GROUPS, people.ldap). docs/security.md lists the variables.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import ldap
from django.core.exceptions import ImproperlyConfigured
from django_auth_ldap.config import (
    GroupOfNamesType,
    GroupOfUniqueNamesType,
    LDAPSearch,
    NestedActiveDirectoryGroupType,
    PosixGroupType,
)

LDAP_BACKEND = "people.ldap.KaoheLDAPBackend"
GROUP_TYPES = {
    "groupOfNames": (GroupOfNamesType, "(objectClass=groupOfNames)"),
    "groupOfUniqueNames": (GroupOfUniqueNamesType, "(objectClass=groupOfUniqueNames)"),
    "posixGroup": (PosixGroupType, "(objectClass=posixGroup)"),
    "activeDirectory": (NestedActiveDirectoryGroupType, "(objectClass=group)"),
}


def _role_groups(raw: str) -> dict[str, list[tuple[str, str | None]]]:
    """KAOHE_LDAP_ROLE_GROUPS, a JSON object: group DN → a role ("lead") or a role with its department
    ("head:办公室"), or a list of them. Returned by lower-case DN as (role, department name or None)."""
    if not raw.strip():
        return {}
    try:
        mapping = json.loads(raw)
    except ValueError as error:
        raise ImproperlyConfigured(f"KAOHE_LDAP_ROLE_GROUPS 不是有效的 JSON：{error}") from None
    if not isinstance(mapping, dict):
        raise ImproperlyConfigured('KAOHE_LDAP_ROLE_GROUPS 须为 JSON 对象：{"组的 DN": "角色[:部室]"}')
    groups: dict[str, list[tuple[str, str | None]]] = {}
    for dn, roles in mapping.items():
        for value in roles if isinstance(roles, list) else [roles]:
            if not isinstance(value, str) or not value.strip():
                raise ImproperlyConfigured(f"KAOHE_LDAP_ROLE_GROUPS 中 {dn} 的角色无效：{value!r}")
            role, _, department = value.partition(":")
            groups.setdefault(dn.strip().lower(), []).append((role.strip(), department.strip() or None))
    return groups


def _flag(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def ldap_settings(environ: Mapping[str, str]) -> dict[str, Any]:
    """The settings the environment gives: KAOHE_LDAP_ENABLED, and when on, django-auth-ldap's AUTH_LDAP_* and
    KAOHE_LDAP_ROLE_GROUPS."""
    uri = environ.get("KAOHE_LDAP_URI", "").strip()
    if not uri:
        return {"KAOHE_LDAP_ENABLED": False, "KAOHE_LDAP_ROLE_GROUPS": {}}
    user_base = environ.get("KAOHE_LDAP_USER_BASE", "").strip()
    if not user_base:
        raise ImproperlyConfigured("设置了 KAOHE_LDAP_URI 时须同时设置 KAOHE_LDAP_USER_BASE（用户的搜索起点）。")
    group_type_name = environ.get("KAOHE_LDAP_GROUP_TYPE", "groupOfNames").strip()
    if group_type_name not in GROUP_TYPES:
        raise ImproperlyConfigured(f"KAOHE_LDAP_GROUP_TYPE 须为 {' / '.join(GROUP_TYPES)}")
    group_type, group_filter = GROUP_TYPES[group_type_name]
    values: dict[str, Any] = {
        "KAOHE_LDAP_ENABLED": True,
        "AUTH_LDAP_SERVER_URI": uri,
        "AUTH_LDAP_BIND_DN": environ.get("KAOHE_LDAP_BIND_DN", ""),
        "AUTH_LDAP_BIND_PASSWORD": environ.get("KAOHE_LDAP_BIND_PASSWORD", ""),
        "AUTH_LDAP_START_TLS": _flag(environ.get("KAOHE_LDAP_START_TLS", "")),
        "AUTH_LDAP_USER_SEARCH": LDAPSearch(
            user_base, ldap.SCOPE_SUBTREE, environ.get("KAOHE_LDAP_USER_FILTER", "(uid=%(user)s)")
        ),
        "AUTH_LDAP_USER_ATTR_MAP": {
            "first_name": environ.get("KAOHE_LDAP_NAME_ATTR", "cn"),
            "email": environ.get("KAOHE_LDAP_EMAIL_ATTR", "mail"),
        },
        # Active Directory answers with referrals that cannot be followed with the same bind; a dead server must
        # not hang the login page.
        "AUTH_LDAP_CONNECTION_OPTIONS": {ldap.OPT_REFERRALS: 0, ldap.OPT_NETWORK_TIMEOUT: 5, ldap.OPT_TIMEOUT: 10},
        "KAOHE_LDAP_ROLE_GROUPS": _role_groups(environ.get("KAOHE_LDAP_ROLE_GROUPS", "")),
    }
    group_base = environ.get("KAOHE_LDAP_GROUP_BASE", "").strip()
    if group_base:
        values["AUTH_LDAP_GROUP_SEARCH"] = LDAPSearch(
            group_base, ldap.SCOPE_SUBTREE, environ.get("KAOHE_LDAP_GROUP_FILTER", group_filter)
        )
        values["AUTH_LDAP_GROUP_TYPE"] = group_type()
        require = environ.get("KAOHE_LDAP_REQUIRE_GROUP", "").strip()
        if require:
            values["AUTH_LDAP_REQUIRE_GROUP"] = require
    elif values["KAOHE_LDAP_ROLE_GROUPS"]:
        raise ImproperlyConfigured("设置了 KAOHE_LDAP_ROLE_GROUPS 时须同时设置 KAOHE_LDAP_GROUP_BASE（组的搜索起点）。")
    return values


def authentication_backends(enabled: bool) -> list[str]:
    """django-axes first (it refuses locked-out logins), then the directory when on, then local accounts."""
    return [
        "axes.backends.AxesStandaloneBackend",
        *([LDAP_BACKEND] if enabled else []),
        "django.contrib.auth.backends.ModelBackend",
    ]
