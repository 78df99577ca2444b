"""manage.py restore FILE [--force] — rebuild an empty instance from a backup (see ops/backup.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.base import DeserializationError
from django.db import DatabaseError

from ops.backup import BackupError, manifest_summary, restore


class Command(BaseCommand):
    help = "恢复：从备份文件重建一个空的实例（先运行 migrate）；核对校验和，全部成功或全部不变。"

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help="backup 命令生成的备份文件")
        parser.add_argument("--force", action="store_true", help="数据库或证明材料目录已有内容时，清空后再恢复（慎用）")

    def handle(self, *args, file, force, **options):
        try:
            manifest = restore(Path(file), force=force)
        except (BackupError, OSError, DeserializationError, DatabaseError) as exc:
            raise CommandError(f"恢复失败，数据未改动：{exc}") from None
        self.stdout.write(f"已从 {file} 恢复：{manifest_summary(manifest)}")
