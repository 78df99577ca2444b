"""manage.py seed_synthetic --departments N --records M [--ballots K] --year Y — a synthetic year at scale."""

from django.core.management.base import BaseCommand, CommandError

from tools.bench.synthetic import SeedError, synthetic_seed


class Command(BaseCommand):
    help = "生成一个合成考核年度（大批量插入），用于性能测试和演示大规模数据。"

    def add_arguments(self, parser):
        parser.add_argument("--departments", type=int, required=True, help="部室数量（每 7 个部室为一个区）")
        parser.add_argument("--records", type=int, required=True, help="台帐记录数量")
        parser.add_argument("--ballots", type=int, default=0, help="民主测评票数量（0 表示直接录入测评得分）")
        parser.add_argument("--year", type=int, required=True, help="年度")
        parser.add_argument("--seed", type=int, default=2023, help="随机数种子（相同种子生成相同数据）")
        parser.add_argument("--replace", action="store_true", help="年度已存在时先清空再生成")

    def handle(self, *args, departments, records, ballots, year, seed, replace, **options):
        try:
            s = synthetic_seed(
                year=year, departments=departments, records=records, ballots=ballots, seed=seed, replace=replace
            )
        except SeedError as exc:
            raise CommandError(str(exc)) from None
        democratic = (
            f"测评票 {s.ballots} 张（{s.ballot_ratings} 项评价）" if s.ballots else f"测评得分 {s.democratic_scores} 个"
        )
        self.stdout.write(
            f"{s.year}年度：部室 {s.departments} 个，台帐记录 {s.records} 条（部室关联 {s.record_links}，"
            f"待确认 {s.pending}，否决 {s.vetoes}，共享加分 {s.shared_bonuses}），{democratic}，"
            f"酌情奖励 {s.discretionary_awards} 个；用时 {s.seconds:.1f} 秒"
        )
