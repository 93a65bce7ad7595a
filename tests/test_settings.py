import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "x7#k2!pQ9vL$m4Zr8@tW1nB6yH3cF5jD0sG&eA*uK-iO+lP_qR=",
    "DJANGO_ALLOWED_HOSTS": "cms.example.com",
    "DJANGO_HTTPS": "1",
    "DATABASE_URL": "sqlite:////tmp/cms-deploy-check.sqlite3",
    "CMS_POST_URL": "https://www.example.com/posts/{slug}/",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CMS_"))}
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


def test_check_deploy_warns_when_public_links_point_at_this_machine():
    # Unset, CMS_POST_URL put http://127.0.0.1:8000 in every url, feed link and sitemap.
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "CMS_POST_URL"}

    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode != 0
    assert "posts.W001" in result.stderr + result.stdout
    assert "CMS_POST_URL is 'http://127.0.0.1:8000/posts/{slug}/'" in result.stderr + result.stdout


@pytest.mark.parametrize("level", ["info", "warn", "Error"])
def test_the_log_level_is_read_in_any_case(level):
    result = manage("check", env={**PRODUCTION_ENV, "DJANGO_LOG_LEVEL": level})

    assert result.returncode == 0, result.stderr


def test_an_unknown_log_level_is_a_clear_error():
    result = manage("check", env={**PRODUCTION_ENV, "DJANGO_LOG_LEVEL": "loud"})

    assert result.returncode != 0
    assert "DJANGO_LOG_LEVEL='loud': use DEBUG, INFO, WARNING, ERROR or CRITICAL" in result.stderr


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


def test_a_redis_that_never_answers_costs_a_request_little_and_is_logged(tmp_path):
    # It accepts connections and says nothing: redis-py's default 5 s per call held each
    # request for 10-20 s, and the ignored errors left no line in the log.
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held = []
    threading.Thread(
        target=lambda: [held.append(listener.accept()) for _ in range(16)], daemon=True
    ).start()
    script = (
        "import time; from django.core.management import call_command; "
        "call_command('migrate', verbosity=0); from django.test import Client; "
        "start = time.monotonic(); r = Client().get('/api/v1/tags/', HTTP_HOST='cms.example.com', "
        "secure=True); print(r.status_code, round(time.monotonic() - start, 1))"
    )
    env = {
        **PRODUCTION_ENV,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REDIS_URL": f"redis://127.0.0.1:{listener.getsockname()[1]}/7",
    }

    result = manage("shell", "--no-imports", "-c", script, env=env)
    listener.close()

    status, seconds = result.stdout.split()
    assert status == "200", result.stderr
    assert float(seconds) < 4.0
    assert "django_redis" in result.stderr and "Timeout" in result.stderr


@pytest.mark.parametrize(("level", "logged"), [("ERROR", False), ("WARNING", True)])
def test_the_log_level_holds_for_django_s_own_messages(tmp_path, level, logged):
    # Django's `django` logger kept INFO: every 404 was logged whatever the level said.
    script = (
        "from django.test import Client; "
        "print(Client().get('/no-such-page/', HTTP_HOST='cms.example.com', secure=True)"
        ".status_code)"
    )
    env = {**PRODUCTION_ENV, "DJANGO_LOG_LEVEL": level}

    result = manage("shell", "--no-imports", "-c", script, env=env)

    assert result.stdout.strip() == "404", result.stderr
    assert ("Not Found: /no-such-page/" in result.stderr) is logged
    if logged:
        assert "[WARNING] django.request: Not Found" in result.stderr


def test_a_plain_http_health_probe_is_answered_under_the_https_redirect(tmp_path):
    script = (
        "from django.core.management import call_command; call_command('migrate', verbosity=0); "
        "from django.test import Client; c = Client(HTTP_HOST='cms.example.com'); "
        "print(c.get('/healthz').status_code, c.get('/api/v1/posts/').status_code)"
    )
    env = {**PRODUCTION_ENV, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}

    result = manage("shell", "--no-imports", "-c", script, env=env)

    assert result.stdout.split() == ["200", "301"], result.stderr
