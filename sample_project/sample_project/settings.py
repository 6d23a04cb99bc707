"""Settings of squashkit's sample project.

The database is an embedded SQLite file by default; tests point it elsewhere with environment variables:
SAMPLE_DB_ENGINE (e.g. django.db.backends.postgresql), SAMPLE_DB_NAME, SAMPLE_DB_HOST, SAMPLE_DB_PORT,
SAMPLE_DB_USER, SAMPLE_DB_PASSWORD; SAMPLE_DB_SCHEMA puts it in a PostgreSQL tenant schema.
"""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = "sample-project-not-a-secret"
DEBUG = True
ALLOWED_HOSTS: list[str] = []

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "accounts",
    "crm",
    "sales_orders",
    "purchase_orders",
    "inventory",
    "billing",
]

ROOT_URLCONF = "sample_project.urls"

DATABASES = {
    "default": {
        "ENGINE": os.environ.get("SAMPLE_DB_ENGINE", "django.db.backends.sqlite3"),
        "NAME": os.environ.get("SAMPLE_DB_NAME", str(BASE_DIR / "db.sqlite3")),
        "HOST": os.environ.get("SAMPLE_DB_HOST", ""),
        "PORT": os.environ.get("SAMPLE_DB_PORT", ""),
        "USER": os.environ.get("SAMPLE_DB_USER", ""),
        "PASSWORD": os.environ.get("SAMPLE_DB_PASSWORD", ""),
    }
}

if os.environ.get("SAMPLE_DB_SCHEMA"):  # a tenant schema (PostgreSQL), the way django-tenants sets it
    DATABASES["default"]["OPTIONS"] = {"options": "-c search_path=" + os.environ["SAMPLE_DB_SCHEMA"]}

AUTH_USER_MODEL = "accounts.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"
