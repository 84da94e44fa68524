"""Run the conflict detector: python -m services.matching.conflicts"""

import asyncio
import sys

from libs.events.kafka_admin import ensure_topics
from libs.events.logging import configure_logging
from libs.events.topics import CLIENTS, CONFLICTS, MATCHING, PLANS, event_topic
from libs.events.tracing import configure_tracing
from services.matching.config import MatchingSettings
from services.matching.conflicts.stream_app import create_app


def main() -> None:
    settings = MatchingSettings()
    configure_logging("matching-conflicts")
    configure_tracing("matching-conflicts")
    # faust only creates its own topics: the topics it reads must exist before it subscribes.
    specs = [event_topic(t, settings.topic_partitions, settings.topic_replication)
             for t in (CLIENTS, PLANS, MATCHING, CONFLICTS)]
    asyncio.run(ensure_topics(settings.kafka_bootstrap, specs + [s.dead_letter for s in specs]))
    app = create_app(settings)
    sys.argv = [sys.argv[0], "worker", "--without-web", "--loglevel", "warn"]
    app.main()


if __name__ == "__main__":
    main()
