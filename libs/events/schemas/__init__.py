"""Published event contracts of every bounded context; importing this package registers all of them."""

from libs.events.schemas import access, clients, conflicts, matching, notifications, plans, regional
from libs.events.schemas.registry import registry

__all__ = ["access", "clients", "conflicts", "matching", "notifications", "plans", "regional", "registry"]
