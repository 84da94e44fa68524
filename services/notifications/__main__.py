"""Run the notifications service: python -m services.notifications (`migrate`: only its tables and topics)."""

from libs.events.service_app import serve
from services.notifications.bootstrap import build_app
from services.notifications.config import NotificationsSettings

if __name__ == "__main__":
    settings = NotificationsSettings()
    serve(build_app(settings), settings)
