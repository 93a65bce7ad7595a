from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"


@pytest.fixture(autouse=True)
def _clear_cache():
    """Each test starts with an empty cache, whichever backend is configured."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _forget_content_state():
    """No test trusts a content state a previous test kept: flushes between transactional
    tests change the database without bumping the change counter."""
    from posts.api.content_state import forget

    forget()
    yield
    forget()


@pytest.fixture
def corpus() -> Path:
    """The shared corpus of real markdown folders; tests using it skip where it is absent."""
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    return CORPUS


@pytest.fixture
def roles(db):
    """The Editor and Author groups (made by a data migration, which transactional tests
    flush away: this puts them back)."""
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType

    from posts.roles import ensure_roles

    ensure_roles(group_model=Group, permission_model=Permission, content_type_model=ContentType)
    return {group.name: group for group in Group.objects.all()}


def _staff_user(username, group):
    from django.contrib.auth.models import User

    user = User.objects.create_user(username, password=f"{username}-password", is_staff=True)
    user.groups.add(group)
    return user


@pytest.fixture
def editor_user(roles):
    return _staff_user("edith", roles["Editor"])


@pytest.fixture
def author_user(roles):
    """A user in the Author group, linked to an Author profile named "Arthur"."""
    from posts.models import Author

    user = _staff_user("arthur", roles["Author"])
    Author.objects.create(name="Arthur", user=user)
    return user


@pytest.fixture
def editor_client(client, editor_user):
    client.force_login(editor_user)
    return client


@pytest.fixture
def author_client(client, author_user):
    client.force_login(author_user)
    return client


@pytest.fixture
def frozen_clock():
    """The clock stopped at tests.api_helpers.NOW."""
    import time_machine

    from tests.api_helpers import NOW

    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller
