from django.apps import AppConfig


class PostsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "posts"
    verbose_name = "Content"

    def ready(self):
        # Every change to content invalidates the API's response cache and ETags.
        from posts import checks  # noqa: F401  (registers them)
        from posts.api.caching import connect_signals

        connect_signals()
