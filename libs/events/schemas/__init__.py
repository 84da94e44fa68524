"""Published event contracts of every bounded context; importing this package registers all of them."""

from libs.events.schemas import clients, conflicts, matching, notifications, plans, regional
from libs.events.schemas.registry import registry

__all__ = ["clients", "conflicts", "matching", "notifications", "plans", "regional", "registry"]
