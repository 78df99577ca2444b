"""manage.py backup FILE — one archive with all data and every evidence file (see ops/backup.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ops.backup import BackupError, backup_write, manifest_summary


class Command(BaseCommand):
    help = "备份：把全部数据（含历史记录）和全部证明材料写入一个 tar.gz 文件，附校验和清单。"

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help="备份文件路径（.tar.gz）")

    def handle(self, *args, file, **options):
        try:
            manifest = backup_write(Path(file))
        except (BackupError, OSError) as exc:
            raise CommandError(f"备份失败：{exc}") from None
        self.stdout.write(f"已备份到 {file}：{manifest_summary(manifest)}")
