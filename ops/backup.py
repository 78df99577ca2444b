"""One-file backups of a Kaohe instance: every row of every model (history tables included) and every
evidence file, with SHA-256 checksums in a signed manifest; and the restore that rebuilds an empty instance.

Archive layout (tar.gz, format `kaohe-backup/2`):
    manifest.json         format, creation time, row counts per model, sha256 of every other member, and
                          `signature`: an HMAC-SHA256 of the rest, keyed with KAOHE_BACKUP_KEY (by default
                          derived from the SECRET_KEY), so that an edited archive with recomputed checksums
                          is refused; restoring needs the key of the instance that wrote it
    data.json             Django's serialized data, natural foreign keys, dependency order
    evidence/<relpath>    the files under settings.EVIDENCE_ROOT, same relative paths

A restore is all or nothing: the archive is unpacked and verified before the database is touched, the rows
are loaded in one transaction, and the evidence folder is swapped in as the last step of that transaction.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
from collections import Counter
from pathlib import Path, PurePosixPath
from typing import IO

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction
from django.test.utils import override_settings
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

FORMAT = "kaohe-backup/2"
SIGNATURE_SALT = "kaohe.backup.manifest"
DATA_NAME = "data.json"
MANIFEST_NAME = "manifest.json"
EVIDENCE_PREFIX = "evidence"
# Rebuilt by `migrate` (content types, permissions) or ephemeral (sessions): not part of a backup.
EXCLUDED = ["contenttypes", "auth.permission", "sessions"]


class BackupError(Exception):
    """A backup or restore refused; the message is for the operator (Chinese)."""


def manifest_signature(manifest: dict) -> str:
    """The HMAC of everything in the manifest but its signature, in a canonical JSON form."""
    unsigned = {key: value for key, value in manifest.items() if key != "signature"}
    canonical = json.dumps(unsigned, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return salted_hmac(SIGNATURE_SALT, canonical, secret=settings.KAOHE_BACKUP_KEY, algorithm="sha256").hexdigest()


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def backed_up_models() -> list:
    """The models whose rows a backup holds (every installed model but the EXCLUDED ones)."""
    result = []
    for model in apps.get_models():
        meta = model._meta
        if meta.app_label in EXCLUDED or meta.label_lower in EXCLUDED:
            continue
        if meta.proxy or not meta.managed:
            continue
        result.append(model)
    return result


def row_counts() -> dict[str, int]:
    return {model._meta.label_lower: model._base_manager.count() for model in backed_up_models()}


def evidence_files(root: Path) -> list[Path]:
    if not root.exists():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def backup_write(target: Path) -> dict:
    """Write the archive to `target` (atomically: a temporary file renamed at the end). Returns the manifest."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    evidence_root = Path(settings.EVIDENCE_ROOT)
    with tempfile.TemporaryDirectory(prefix="kaohe-backup-") as tmp:
        data_path = Path(tmp) / DATA_NAME
        # One read transaction so the rows are a consistent snapshot.
        with transaction.atomic():
            call_command(
                "dumpdata",
                exclude=EXCLUDED,
                natural_foreign=True,
                use_base_manager=True,
                output=str(data_path),
                verbosity=0,
            )
            counts = row_counts()
        files = {DATA_NAME: _sha256_file(data_path)}
        members: list[tuple[Path, str]] = [(data_path, DATA_NAME)]
        for path in evidence_files(evidence_root):
            name = str(PurePosixPath(EVIDENCE_PREFIX, *path.relative_to(evidence_root).parts))
            files[name] = _sha256_file(path)
            members.append((path, name))
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "counts": counts,
            "files": files,
        }
        manifest["signature"] = manifest_signature(manifest)
        fd, partial = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        os.close(fd)
        try:
            with tarfile.open(partial, "w:gz") as archive:
                raw = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode()
                info = tarfile.TarInfo(MANIFEST_NAME)
                info.size = len(raw)
                info.mtime = int(timezone.now().timestamp())
                archive.addfile(info, io.BytesIO(raw))
                for path, name in members:
                    archive.add(path, arcname=name, recursive=False)
            os.replace(partial, target)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
    return manifest


def _safe_member_name(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or not path.parts or any(part in ("..", "") for part in path.parts):
        raise BackupError(f"备份文件中有不安全的路径：{name!r}")
    return path


def _member_open(archive: tarfile.TarFile, member: str | tarfile.TarInfo) -> IO[bytes]:
    opened = archive.extractfile(member)
    if opened is None:  # members were checked to be regular files
        raise BackupError(f"备份文件中只应有普通文件：{member!r}")
    return opened


def _unpack(source: Path, into: Path) -> dict:
    """Unpack and verify the archive into `into`; returns the manifest. Refuses anything doubtful."""
    try:
        archive = tarfile.open(source, "r:gz")  # noqa: SIM115 (closed by the `with` below)
    except FileNotFoundError:
        raise BackupError(f"找不到备份文件：{source}") from None
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"不是有效的备份文件（tar.gz）：{exc}") from None
    with archive:
        try:
            members = archive.getmembers()
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise BackupError(f"备份文件已损坏：{exc}") from None
        names = [m.name for m in members]
        if MANIFEST_NAME not in names:
            raise BackupError("备份文件中没有 manifest.json")
        for member in members:
            _safe_member_name(member.name)
            if not member.isfile():
                raise BackupError(f"备份文件中只应有普通文件：{member.name!r}")
        try:
            manifest = json.loads(_member_open(archive, MANIFEST_NAME).read())
        except (ValueError, tarfile.TarError, OSError, EOFError) as exc:
            raise BackupError(f"manifest.json 无法读取：{exc}") from None
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise BackupError(f"备份格式须为 {FORMAT}")
        signature = manifest.get("signature")
        if not isinstance(signature, str) or not constant_time_compare(signature, manifest_signature(manifest)):
            raise BackupError("备份签名不符：文件被改动过，或由另一密钥（KAOHE_BACKUP_KEY）的实例生成")
        files = manifest.get("files")
        if not isinstance(files, dict) or DATA_NAME not in files:
            raise BackupError("manifest.json 中缺少文件清单")
        listed = set(files)
        present = set(names) - {MANIFEST_NAME}
        if listed != present:
            missing = sorted(listed - present) or sorted(present - listed)
            raise BackupError(f"备份文件与清单不符：{missing[0]}")
        for member in members:
            if member.name == MANIFEST_NAME:
                continue
            out = into.joinpath(*_safe_member_name(member.name).parts)
            out.parent.mkdir(parents=True, exist_ok=True)
            try:
                with _member_open(archive, member) as src, open(out, "wb") as dst:
                    shutil.copyfileobj(src, dst)
            except (tarfile.TarError, OSError, EOFError) as exc:
                raise BackupError(f"备份文件已损坏：{member.name}：{exc}") from None
            if _sha256_file(out) != files[member.name]:
                raise BackupError(f"校验和不符：{member.name}")
    return manifest


def _flush_backed_up_tables() -> None:
    tables = set()
    for model in backed_up_models():
        tables.add(model._meta.db_table)
        for field in model._meta.local_many_to_many:
            tables.add(field.remote_field.through._meta.db_table)
    statements = connection.ops.sql_flush(no_style(), sorted(tables), reset_sequences=True, allow_cascade=True)
    if connection.vendor == "postgresql":
        # TRUNCATE refuses tables with pending deferred-constraint events in the same transaction: fire them
        # first, then defer again for the load (fixtures may refer forward).
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        connection.ops.execute_sql_flush(statements)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    else:
        connection.ops.execute_sql_flush(statements)


def restore(source: Path, *, force: bool = False) -> dict:
    """Rebuild this instance from a backup archive. Refuses a non-empty instance unless `force`.

    Returns the manifest. Raises BackupError, leaving the database and evidence folder as they were.
    """
    evidence_root = Path(settings.EVIDENCE_ROOT)
    evidence_root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=evidence_root.parent))
    old = evidence_root.parent / f".evidence-before-restore-{os.getpid()}"
    swapped = False
    try:
        manifest = _unpack(Path(source), staging)
        existing = {label: n for label, n in row_counts().items() if n}
        if existing and not force:
            label, n = sorted(existing.items())[0]
            raise BackupError(f"数据库中已有数据（{label}：{n} 行等），拒绝恢复；如确需覆盖，请加 --force")
        if evidence_files(evidence_root) and not force:
            raise BackupError(f"证明材料目录 {evidence_root} 不为空，拒绝恢复；如确需覆盖，请加 --force")
        with transaction.atomic():
            if existing:
                _flush_backed_up_tables()
            # The archive holds the history tables too: loading must not write history of its own (loaddata
            # sets many-to-many fields, which django-simple-history records even for raw saves).
            with override_settings(SIMPLE_HISTORY_ENABLED=False):
                call_command("loaddata", str(staging / DATA_NAME), verbosity=0)
            counts = row_counts()
            expected = manifest.get("counts") or {}
            for label, n in expected.items():
                if counts.get(label) != n:
                    raise BackupError(f"恢复后 {label} 有 {counts.get(label)} 行，备份中为 {n} 行")
            staged_evidence = staging / EVIDENCE_PREFIX
            if evidence_root.exists():
                evidence_root.rename(old)
            if staged_evidence.exists():
                staged_evidence.rename(evidence_root)
            else:
                evidence_root.mkdir()
            swapped = True
    except BaseException:
        if swapped:
            shutil.rmtree(evidence_root, ignore_errors=True)
        if old.exists() and not evidence_root.exists():
            old.rename(evidence_root)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    shutil.rmtree(old, ignore_errors=True)
    return manifest


def manifest_summary(manifest: dict) -> str:
    rows = sum(Counter(manifest.get("counts", {})).values())
    files = len(manifest.get("files", {})) - 1
    return f"{rows} 行数据，{files} 个证明材料文件"
