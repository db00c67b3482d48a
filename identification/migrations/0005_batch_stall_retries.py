from django.db import migrations, models


class Migration(migrations.Migration):
    # Numbered 0005 because another branch adds 0004; renumber (or merge) when both land.
    dependencies = [("identification", "0003_project_auto_threshold")]

    operations = [
        migrations.AddField(
            model_name="batch",
            name="stall_retries",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="batch",
            name="stall_retried_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
