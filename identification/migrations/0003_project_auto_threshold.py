from django.db import migrations, models


def move_switch_out_of_reid_config(apps, schema_editor):
    """The switch used to live in reid_config, where the pipeline rejected it as unknown."""
    Project = apps.get_model("identification", "Project")
    for project in Project.objects.filter(reid_config__has_key="auto_threshold"):
        config = dict(project.reid_config)
        project.auto_threshold = bool(config.pop("auto_threshold"))
        project.reid_config = config
        project.save(update_fields=["auto_threshold", "reid_config"])


class Migration(migrations.Migration):
    dependencies = [("identification", "0002_sighting_version")]

    operations = [
        migrations.AddField(
            model_name="project",
            name="auto_threshold",
            field=models.BooleanField(
                default=True,
                help_text="Tune the threshold from the experts' decisions at each calibration "
                "refit. Off: the threshold stays as set here.",
            ),
        ),
        migrations.RunPython(move_switch_out_of_reid_config, migrations.RunPython.noop),
    ]
