"""Errors of the incident service, placed in Breachdesk's exception tree::

UserInputError
├── UnknownIncident        no incident with that id
└── IncidentClosed         a closed incident was asked to change (reopen it first)
StoreError
└── IncidentBusy           other writers kept changing the incident; nothing was lost
"""

from __future__ import annotations

from breachdesk.errors import StoreError, UserInputError


class UnknownIncident(UserInputError):
    """No incident has the id given."""

    def __init__(self, incident_id: str) -> None:
        super().__init__(f"no incident {incident_id!r}; 'breachdesk incident list' shows them")
        self.incident_id = incident_id


class IncidentClosed(UserInputError):
    """The incident is closed; only reopening it (a new status) is allowed."""


class IncidentBusy(StoreError):
    """Concurrent writers changed the incident every time we tried; retry later."""
