"""Run the plans service: python -m services.plans"""

from libs.events.service_app import serve
from services.plans.bootstrap import build_app
from services.plans.config import PlansSettings

if __name__ == "__main__":
    settings = PlansSettings()
    serve(build_app(settings), settings)
