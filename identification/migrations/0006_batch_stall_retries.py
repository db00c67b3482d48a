from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("identification", "0005_batchitem_staged_name_text")]

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
