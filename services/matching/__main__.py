"""Run the matching service's HTTP side: python -m services.matching"""

from libs.events.service_app import serve
from services.matching.bootstrap import build_app
from services.matching.config import MatchingSettings

if __name__ == "__main__":
    settings = MatchingSettings()
    serve(build_app(settings), settings)
