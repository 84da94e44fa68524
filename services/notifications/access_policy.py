"""Who may call which route of the notifications service (docs/access-control.md): everyone signed in reads
their own inbox and preferences."""

from libs.events.auth.policy import AccessPolicy, Rule
from libs.events.auth.roles import EVERYONE

OWN = Rule("own inbox and preferences: every signed-in person", EVERYONE)

POLICY = AccessPolicy("notifications", {
    ("GET", "/inbox"): OWN,
    ("POST", "/inbox/{notification_id}/read"): OWN,
    ("GET", "/inbox/stream"): OWN,
    ("GET", "/preferences"): OWN,
    ("PUT", "/preferences"): OWN,
    ("GET", "/routing"): OWN,
})
