"""``[tool.squashkit]`` of the analysed project's pyproject.toml, and settings read without importing."""

from __future__ import annotations

import pytest

from squashkit.config import Config, discover_settings, find_settings_literals, load_config
from squashkit.errors import ConfigError


def write(tmp_path, text):
    (tmp_path / "pyproject.toml").write_text(text)
    return tmp_path / "pyproject.toml"


def test_no_pyproject_is_an_empty_config(tmp_path):
    assert load_config(tmp_path) == Config()


def test_pyproject_without_the_table(tmp_path):
    path = write(tmp_path, "[project]\nname = 'x'\n")
    assert load_config(tmp_path) == Config(path=path)


def test_every_key(tmp_path):
    path = write(
        tmp_path,
        "[tool.squashkit]\n"
        'settings = "mysite.settings"\n'
        'exclude = ["legacy/*"]\n'
        'AUTH_USER_MODEL = "accounts.User"\n'
        "[tool.squashkit.swappable]\n"
        'OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth.Application"\n'
        "[tool.squashkit.environments.prod]\n"
        'database = "postgresql://db/prod"\n',
    )
    config = load_config(tmp_path)
    assert config.path == path
    assert config.settings_module == "mysite.settings"
    assert config.exclude == ("legacy/*",)
    assert config.swappable == {
        "AUTH_USER_MODEL": "accounts.User",
        "OAUTH2_PROVIDER_APPLICATION_MODEL": "oauth.Application",
    }
    assert config.raw["environments"] == {"prod": {"database": "postgresql://db/prod"}}


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            '[tool.squashkit]\nAUTH_USER_MODEL = "User"\n',
            "AUTH_USER_MODEL must be a string like 'app_label.ModelName', got 'User'",
        ),
        (
            "[tool.squashkit]\nAUTH_USER_MODEL = 3\n",
            "AUTH_USER_MODEL must be a string like 'app_label.ModelName', got 3",
        ),
        ("[tool.squashkit]\nswappable = 3\n", "swappable must be a table"),
        ('[tool.squashkit.swappable]\nX = "nodot"\n', "swappable.X must be a string like 'app_label.ModelName'"),
        ("[tool.squashkit]\nsettings = 3\n", "settings must be a dotted module path string"),
        ('[tool.squashkit]\nexclude = "legacy"\n', "exclude must be a list of glob strings"),
        ("[tool.squashkit]\nexclude = [1]\n", "exclude must be a list of glob strings"),
        ('[tool]\nsquashkit = "on"\n', "must be a table"),
    ],
)
def test_errors(tmp_path, text, reason):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    assert str(caught.value) == f"{path}: [tool.squashkit]: {reason}"
    assert caught.value.data == {"path": str(path), "reason": reason}


def test_unparseable_toml(tmp_path):
    path = write(tmp_path, "[tool.squashkit\n")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    assert str(caught.value) == (
        f"{path}: [tool.squashkit]: cannot parse: Expected ']' at the end of a table declaration (at line 1, column 16)"
    )


def test_find_settings_literals(tmp_path):
    base = tmp_path / "base.py"
    base.write_text('import os\nAUTH_USER_MODEL = "crm.Person"\nOTHER = "x.Y"\nDEBUG = True\n')
    prod = tmp_path / "prod.py"
    prod.write_text('from .base import *\nAUTH_USER_MODEL = "crm.Person"\n')
    broken = tmp_path / "broken.py"
    broken.write_text("AUTH_USER_MODEL = (\n")
    computed = tmp_path / "computed.py"
    computed.write_text('AUTH_USER_MODEL = f"{APP}.Person"\n')
    files = [base, prod, broken, computed, tmp_path / "missing.py"]
    assert find_settings_literals(files, {"AUTH_USER_MODEL", "DEBUG"}) == {"AUTH_USER_MODEL": "crm.Person"}


def test_every_swappable_model_setting_when_no_names_are_given(tmp_path):
    """pretix's settings.py sets ``OAUTH2_PROVIDER_APPLICATION_MODEL = 'pretixapi.OAuthApplication'``, which its
    migrations read through ``swappable_dependency`` and ``to=``: every ``X_MODEL = "app.Model"`` literal."""
    (tmp_path / "settings.py").write_text(
        'AUTH_USER_MODEL = "crm.Person"\n'
        'OAUTH2_PROVIDER_APPLICATION_MODEL = "api.OAuthApplication"\n'
        'CELERY_MODEL = "not a model"\n'
        'EXPORT_MODEL = "a.b.c"\n'
        'lower_MODEL = "x.Y"\n'
        'TIME_ZONE = "Europe.Berlin"\n'
    )
    assert find_settings_literals([tmp_path / "settings.py"], None) == {
        "AUTH_USER_MODEL": "crm.Person",
        "OAUTH2_PROVIDER_APPLICATION_MODEL": "api.OAuthApplication",
    }


def test_conflicting_literals_are_left_out(tmp_path):
    (tmp_path / "a.py").write_text('AUTH_USER_MODEL = "crm.Person"\n')
    (tmp_path / "b.py").write_text('AUTH_USER_MODEL = "auth.User"\n')
    assert find_settings_literals([tmp_path / "a.py", tmp_path / "b.py"], {"AUTH_USER_MODEL"}) == {}


def test_discover_settings_prefers_the_config(tmp_path):
    write(tmp_path, '[tool.squashkit]\nsettings = "conf.settings"\n')
    (tmp_path / "manage.py").write_text('os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")\n')
    assert discover_settings(tmp_path) == "conf.settings"


def test_discover_settings_from_manage_py(tmp_path):
    (tmp_path / "manage.py").write_text("os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings.dev')\n")
    assert discover_settings(tmp_path) == "mysite.settings.dev"


def test_discover_settings_none(tmp_path):
    assert discover_settings(tmp_path) is None
    (tmp_path / "manage.py").write_text("print('no settings here')\n")
    assert discover_settings(tmp_path) is None
