import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "x7#k2!pQ9vL$m4Zr8@tW1nB6yH3cF5jD0sG&eA*uK-iO+lP_qR=",
    "DJANGO_ALLOWED_HOSTS": "cms.example.com",
    "DJANGO_HTTPS": "1",
    "DATABASE_URL": "sqlite:////tmp/cms-deploy-check.sqlite3",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.pop("DATABASE_URL", None)
    clean["DJANGO_SETTINGS_MODULE"] = "cms.settings"
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_under_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_missing_secret_key_in_production_is_a_clear_error():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DJANGO_SECRET_KEY"}
    result = manage("check", env=env)

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_debug_is_off_unless_asked_for():
    script = "from django.conf import settings; print(settings.DEBUG)"
    off = manage("shell", "--no-imports", "-c", script, env=PRODUCTION_ENV)
    on = manage("shell", "--no-imports", "-c", script, env={"DJANGO_DEBUG": "1"})

    assert off.stdout.strip() == "False", off.stderr
    assert on.stdout.strip() == "True", on.stderr


def test_https_switch_turns_on_redirect_hsts_and_secure_cookies():
    script = (
        "from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS > 0, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SECURE_PROXY_SSL_HEADER)"
    )
    result = manage("shell", "--no-imports", "-c", script, env=PRODUCTION_ENV)

    assert result.stdout.split() == [
        "True",
        "True",
        "True",
        "True",
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
    ], result.stderr


def test_redis_url_selects_the_redis_cache():
    script = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        script,
        env={**PRODUCTION_ENV, "REDIS_URL": "redis://127.0.0.1:6379/1"},
    )

    assert result.stdout.strip() == "django_redis.cache.RedisCache", result.stderr


def test_database_connections_are_kept_and_health_checked_unless_turned_off():
    script = (
        "from django.conf import settings as s; d = s.DATABASES['default']; "
        "print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
    )
    default = manage("shell", "--no-imports", "-c", script, env=PRODUCTION_ENV)
    off = manage(
        "shell", "--no-imports", "-c", script, env={**PRODUCTION_ENV, "DATABASE_HEALTH_CHECKS": "0"}
    )

    assert default.stdout.strip() == "60 True", default.stderr
    assert off.stdout.strip() == "60 False", off.stderr
