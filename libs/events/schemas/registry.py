"""The registry holding every published event contract of the platform."""

from libs.events.registry import EventRegistry

registry = EventRegistry()
