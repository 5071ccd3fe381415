"""Strict reading of environment variables for settings.

django-environ parses URLs; this wrapper adds what IT needs on a bad deploy: a
missing or malformed variable stops start-up with one line naming it, never a
traceback and never a silent fallback (``DEBUG=maybe`` is an error, not False).
"""

import os
import warnings
import zoneinfo
from urllib.parse import urlsplit

import environ

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}
DB_ENGINES = {
    "django.db.backends.postgresql",
    "django.db.backends.sqlite3",
}


class ConfigurationError(SystemExit):
    """Raised for a bad variable; as a SystemExit it prints one line and exits 1."""

    def __init__(self, name: str, problem: str):
        super().__init__(f"Configuration error: {name} {problem}")


def env_file_read(path: str) -> None:
    """Put the ``KEY=value`` lines of ``path`` into the environment, where not already set
    (django-environ's parser: ``#`` comments, quotes, ``export``). A missing file or an
    empty ``path`` reads nothing; a file that is not UTF-8 text stops with one line."""
    if not path or not os.path.isfile(path):
        return
    try:
        environ.Env.read_env(path, overwrite=False)
    except (OSError, UnicodeDecodeError):
        raise ConfigurationError("ENV_FILE", f"names {path!r}, which is not a readable UTF-8 text file") from None


class StrictEnv:
    def __init__(self, environ_map=None):
        self.environ = os.environ if environ_map is None else environ_map

    def _raw(self, name, default):
        value = self.environ.get(name)
        if value is None:
            return default, False
        return value, True

    def str(self, name, *, default=""):
        value, _ = self._raw(name, default)
        return value

    def required_str(self, name, *, min_length=1):
        value = self.environ.get(name, "")
        if not value:
            raise ConfigurationError(name, "is required (set it in the environment)")
        if len(value) < min_length:
            raise ConfigurationError(name, f"must be at least {min_length} characters long")
        return value

    def bool(self, name, *, default=False):
        value, given = self._raw(name, None)
        if not given:
            return default
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ConfigurationError(name, f"must be true or false, not {value!r}")

    def int(self, name, *, default=0, minimum=0):
        value, given = self._raw(name, None)
        if not given:
            return default
        try:
            number = int(value)
        except ValueError:
            raise ConfigurationError(name, f"must be a whole number, not {value!r}") from None
        if number < minimum:
            raise ConfigurationError(name, f"must be at least {minimum}, not {number}")
        return number

    def list(self, name, *, default):
        value, given = self._raw(name, None)
        if not given:
            return list(default)
        return [item.strip() for item in value.split(",") if item.strip()]

    def url_str(self, name, *, default):
        value, _ = self._raw(name, default)
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigurationError(name, f"must be an http(s) URL, not {value!r}")
        return value.rstrip("/")

    def time_zone(self, name, *, default):
        value, _ = self._raw(name, default)
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ConfigurationError(name, f"must be an IANA time zone such as Europe/Berlin, not {value!r}") from None
        return value

    def db_url(self, name, *, default):
        value, _ = self._raw(name, default)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                config = environ.Env.db_url_config(value)
            except Exception:  # noqa: BLE001 - any parse failure is a bad variable
                config = {}
        if config.get("ENGINE") not in DB_ENGINES or not config.get("NAME"):
            raise ConfigurationError(name, "must be a postgres://user:pass@host:port/name or sqlite:////path URL")
        return config

    def cache_url(self, name, *, default):
        value, _ = self._raw(name, default)
        try:
            config = environ.Env.cache_url_config(value)
        except Exception:  # noqa: BLE001
            raise ConfigurationError(name, "must be a redis://host:port/db or filecache:///path URL") from None
        if "dummycache" in config.get("BACKEND", "").lower():
            raise ConfigurationError(name, "must be a real cache: login rate limits are stored in it")
        return config

    def email_url(self, name, *, default):
        value, _ = self._raw(name, default)
        try:
            config = environ.Env.email_url_config(value)
        except Exception:  # noqa: BLE001
            raise ConfigurationError(name, "must be smtp://, smtp+tls://, smtp+ssl:// or consolemail://") from None
        return config


env = StrictEnv()
