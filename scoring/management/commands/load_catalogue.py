from django.core.management.base import BaseCommand

from scoring.catalogue import catalogue_load


class Command(BaseCommand):
    help = "载入随系统提供的考核方案（规则目录）。已存在的方案不会被覆盖。"

    def handle(self, *args, **options):
        loaded = catalogue_load()
        if loaded:
            self.stdout.write(f"已载入考核方案：{'、'.join(loaded)}")
