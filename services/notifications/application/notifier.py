"""Turning a cause into stored notifications: route, choose channels, append NotificationSent exactly once."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

import structlog

from libs.events.db import Connection
from libs.events.envelope import Actor, Metadata, NewEvent
from libs.events.errors import ConcurrencyError
from libs.events.ids import derived_id, new_id
from libs.events.metrics import notifications_sent
from libs.events.schemas.notifications import Channel, NotificationSent
from libs.events.store import NO_STREAM, PostgresEventStore, StreamAppend
from libs.events.topics import NOTIFICATIONS
from services.notifications.adapters.mail_queue import MailQueue
from services.notifications.adapters.notifications_table import NotificationsTable
from services.notifications.adapters.preferences_table import PreferencesTable
from services.notifications.adapters.routing_directory import routing_context
from services.notifications.domain.preferences import Preferences, channels_for
from services.notifications.domain.reminders import digest_slot
from services.notifications.domain.routing import Cause, Party, recipients
from services.notifications.domain.rules import RoutingRules
from services.notifications.domain.texts import single_mail, title_and_body

log = structlog.get_logger(__name__)

STREAM_TYPE = "notification"
NOTIFIER = Actor.system("notifications")

Clock = Callable[[], datetime]


def notification_id(cause: Cause, recipient: str, channel: Channel) -> uuid.UUID:
    """The id of the notification a cause gives a recipient on a channel: the same inputs, the same id."""
    return derived_id(cause.cause_id, recipient, cause.kind.value, channel.value)


class Notifier:
    """Stores the notifications of a cause inside the caller's transaction (a projection's, or the timer loop's)."""

    def __init__(self, rules: RoutingRules, store: Callable[[], PostgresEventStore], preferences: PreferencesTable,
                 clock: Clock) -> None:
        self.rules = rules
        self._store = store
        self._preferences = preferences
        self._clock = clock

    async def notify(self, conn: Connection, cause: Cause) -> list[NotificationSent]:
        """Store every notification `cause` gives; return those that are new (none when it was handled before)."""
        rule = self.rules.rule(cause.kind)
        if rule is None:
            return []
        context = await routing_context(conn, cause.client_id)
        parties = recipients(rule, cause, context, self.rules.supervisors)
        title, body = title_and_body(rule, cause.facts)
        now = self._clock()
        stored = []
        for party in parties:
            preferences = await self._preferences.of(party.worker, conn)
            for channel in channels_for(cause.kind, preferences, self.rules):
                sent = NotificationSent(
                    notification_id=notification_id(cause, party.worker, channel),
                    recipient=party.worker, institution_id=party.institution_id, kind=cause.kind, channel=channel,
                    client_id=cause.client_id, title=title, body=body, cause_event_id=cause.event_id, sent_at=now)
                if await self._store_one(conn, sent, cause, party, preferences):
                    stored.append(sent)
                    # Counted when stored; a batch rolled back and retried is counted again (metrics, not records).
                    notifications_sent.add(1, {"kind": cause.kind.value, "channel": channel.value})
        if parties and not stored:
            log.debug("cause already notified", cause_id=str(cause.cause_id), kind=cause.kind.value)
        return stored

    async def _store_one(self, conn: Connection, sent: NotificationSent, cause: Cause, party: Party,
                         preferences: Preferences) -> bool:
        """Claim the row, append the notification's own stream at NO_STREAM, queue its e-mail; False: sent before.

        Why both a claimed row and NO_STREAM: the row makes a repeat cheap (no failed statement); the stream is the
        record that counts, so even with the row gone (a table restored from backup) a repeat appends nothing.
        """
        digest_due = digest_slot(sent.sent_at, self.rules.timing) if sent.channel is Channel.DIGEST else None
        if not await NotificationsTable.claim(conn, sent, cause.cause_id, digest_due):
            return False
        metadata = Metadata(actor=NOTIFIER, correlation_id=cause.correlation_id or new_id(),
                            causation_id=cause.event_id, partition_key=sent.recipient)
        try:
            async with conn.transaction():  # a savepoint: a lost race must not abort the caller's transaction
                await self._store().append(StreamAppend(
                    STREAM_TYPE, str(sent.notification_id), NO_STREAM, [NewEvent(sent, sent.sent_at)], metadata,
                    NOTIFICATIONS), conn=conn)
        except ConcurrencyError:
            return False
        if sent.channel is Channel.EMAIL and preferences.email:
            # Queued in the same transaction as the notification: the e-mail is sent only once it is stored, and
            # never forgotten once it is (see Mailer).
            mail = single_mail(self.rules.email, sent.title, sent.body)
            await MailQueue.enqueue(conn, sent.notification_id, party.worker, preferences.email, mail.subject,
                                    mail.body, sent.sent_at)
        return True
