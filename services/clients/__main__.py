"""Run the clients service: python -m services.clients"""

from libs.events.service_app import serve
from services.clients.bootstrap import build_app
from services.clients.config import ClientsSettings

if __name__ == "__main__":
    settings = ClientsSettings()
    serve(build_app(settings), settings)
