"""Logging: one JSON object per line in production, readable lines in development.

Every line written while a request or a task runs carries what lets an operator follow
it through the logs without naming anyone:

- ``request_id``: the proxy's ``X-Request-ID`` (nginx sets it, see deploy/nginx.conf),
  or a new UUID; tasks queued by the request carry it too;
- ``user_id``: the account's primary key, never a name or an email;
- ``task_id`` in Celery tasks.

Request lines show the path without its query string: a directory search (``?q=``)
is a name, and a name has no place in a log.
"""

import structlog

# What every line gets, whether it comes from structlog or from a plain stdlib logger
# (Django, Celery, gunicorn's error log when it logs through us).
_SHARED_PROCESSORS = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_logger_name,
    structlog.stdlib.add_log_level,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def logging_config(*, json_lines: bool, level: str) -> dict:
    """The ``LOGGING`` dict: everything to stderr (journald keeps it), as JSON or as text."""
    if json_lines:
        render = [structlog.processors.dict_tracebacks, structlog.processors.JSONRenderer()]
    else:
        render = [structlog.dev.ConsoleRenderer(colors=False)]
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "structured": {
                "()": structlog.stdlib.ProcessorFormatter,
                "processors": [structlog.stdlib.ProcessorFormatter.remove_processors_meta, *render],
                "foreign_pre_chain": [*_SHARED_PROCESSORS, structlog.stdlib.ExtraAdder()],
            },
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
        "root": {"handlers": ["console"], "level": level},
    }


def structlog_configure() -> None:
    """Send structlog's events through the stdlib handlers above (one format for all)."""
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *_SHARED_PROCESSORS,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.processors.StackInfoRenderer(),
            structlog.processors.UnicodeDecoder(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def _request_without_query(sender, request, logger, log_kwargs, **kwargs):
    log_kwargs["request"] = f"{request.method} {request.path}"


def _finished_request_without_query(sender, request, logger, response, log_kwargs, **kwargs):
    log_kwargs["request"] = f"{request.method} {request.path}"


def connect_signals() -> None:
    """Called from the app's ready(): django-structlog's request lines, query strings dropped."""
    from django_structlog import signals

    signals.bind_extra_request_metadata.connect(_request_without_query, dispatch_uid="mentorship-logs-started")
    signals.bind_extra_request_finished_metadata.connect(
        _finished_request_without_query, dispatch_uid="mentorship-logs-finished"
    )
