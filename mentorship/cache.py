"""The shared cache, degrading to this process's memory while Redis is unreachable.

Login rate limits live in the cache. With plain Django ``RedisCache`` a stopped Redis
makes every sign-in (and any page that touches the cache) answer 500. Here a
connection error is logged once as a warning, and for ``RETRY_AFTER`` the process
uses a local-memory cache instead of waiting on Redis again; then it tries Redis
once more. While degraded, rate limits count per web process (weaker, never off),
and counts made meanwhile are not carried back to Redis.
"""

import logging
import threading
import time

import redis
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

RETRY_AFTER = 10.0  # seconds
# Connection errors only: a wrong command or a bad value is a bug, not an outage.
UNREACHABLE = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)

_state = threading.Lock()
_down_until: dict[str, float] = {}  # location -> monotonic time to try Redis again


class FallbackRedisCache(RedisCache):
    """``django.core.cache.backends.redis.RedisCache`` that never fails because Redis is down.

    Set automatically when ``CACHE_URL`` is a ``redis://`` URL (see settings)."""

    def __init__(self, server, params):
        options = params.setdefault("OPTIONS", {})
        # Fail fast: a page must not hang on a Redis that doesn't answer.
        options.setdefault("socket_connect_timeout", 1)
        options.setdefault("socket_timeout", 1)
        options.setdefault("retry", redis.retry.Retry(redis.backoff.NoBackoff(), 0))
        super().__init__(server, params)
        self._location = str(server)
        self._display = self._location.rsplit("@", 1)[-1]  # never log a password
        self._fallback = LocMemCache(f"fallback:{self._location}", {"TIMEOUT": params.get("TIMEOUT", 300)})

    def is_degraded(self) -> bool:
        """True while this process uses its local fallback instead of Redis."""
        return time.monotonic() < _down_until.get(self._location, 0.0)

    def ping(self) -> None:
        """Raise if Redis cannot be reached now (for /healthz), whatever the fallback state."""
        self._cache.get_client(write=False).ping()

    def _reachable(self) -> None:
        with _state:
            recovered = _down_until.pop(self._location, None) is not None
        if recovered:
            logger.warning("Cache at %s answers again; using it", self._display)

    def _unreachable(self, error: Exception) -> None:
        with _state:
            was_up = not self.is_degraded()
            _down_until[self._location] = time.monotonic() + RETRY_AFTER
        if was_up:
            logger.warning(
                "Cache at %s unreachable (%s); using this process's memory until it answers again",
                self._display,
                error,
            )


def _falls_back(name: str):
    redis_method = getattr(RedisCache, name)

    def method(self, *args, **kwargs):
        if not self.is_degraded():
            try:
                result = redis_method(self, *args, **kwargs)
            except UNREACHABLE as error:
                self._unreachable(error)
            else:
                if self._location in _down_until:
                    self._reachable()
                return result
        return getattr(self._fallback, name)(*args, **kwargs)

    method.__name__ = name
    method.__doc__ = redis_method.__doc__
    return method


# Every method RedisCache implements itself; the rest of BaseCache is built on these.
for _name in (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "has_key",
    "incr",
    "set_many",
    "delete_many",
    "clear",
):
    setattr(FallbackRedisCache, _name, _falls_back(_name))
