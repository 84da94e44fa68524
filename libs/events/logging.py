"""Structured JSON logs (structlog) for every service."""

from __future__ import annotations

import logging
import os

import structlog


def configure_logging(service: str) -> None:
    """JSON lines to stderr; level from PZW_LOG_LEVEL (default INFO)."""
    level = getattr(logging, os.environ.get("PZW_LOG_LEVEL", "INFO").upper(), logging.INFO)
    logging.basicConfig(level=level, format="%(message)s")
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        cache_logger_on_first_use=True,
    )
    structlog.contextvars.bind_contextvars(service=service)
