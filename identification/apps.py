from django.apps import AppConfig


class IdentificationConfig(AppConfig):
    name = "identification"
    verbose_name = "Identification"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # HEIC (iPhones, some trail cameras) opens with Pillow in every process of the app:
        # the web process that checks uploads and the workers that read the stored images.
        from pillow_heif import register_heif_opener

        register_heif_opener()
