"""Run the reporting service: python -m services.reporting"""

from libs.events.service_app import serve
from services.reporting.bootstrap import build_app
from services.reporting.config import ReportingSettings

if __name__ == "__main__":
    settings = ReportingSettings()
    serve(build_app(settings), settings)
