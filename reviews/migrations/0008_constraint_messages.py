from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("reviews", "0007_remove_evidence_stored_name")]

    operations = [
        migrations.AlterConstraint(
            model_name="ledgerrecord",
            name="record_quantity_positive",
            constraint=models.CheckConstraint(
                condition=models.Q(("quantity__gte", 1)),
                name="record_quantity_positive",
                violation_error_message="数量须为正整数",
            ),
        ),
        migrations.AlterConstraint(
            model_name="ledgerrecord",
            name="record_points_not_negative",
            constraint=models.CheckConstraint(
                condition=models.Q(("points__isnull", True), ("points__gte", 0), _connector="OR"),
                name="record_points_not_negative",
                violation_error_message="分值不能为负数",
            ),
        ),
        migrations.AlterConstraint(
            model_name="ledgerrecord",
            name="record_exempt_needs_reason",
            constraint=models.CheckConstraint(
                condition=models.Q(("exempt", False), models.Q(("reason", ""), _negated=True), _connector="OR"),
                name="record_exempt_needs_reason",
                violation_error_message="免于扣分须填写理由",
            ),
        ),
    ]
