"""`python -m services.gateway`: serve the web application."""

import uvicorn

from libs.events.logging import configure_logging
from services.gateway.app import build_app
from services.gateway.config import load_settings

settings = load_settings()
configure_logging("PZW gateway")
uvicorn.run(build_app(settings), host=settings.http_host, port=settings.http_port, log_level="warning",
            access_log=False, proxy_headers=True)
