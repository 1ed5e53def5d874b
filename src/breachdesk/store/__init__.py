"""The workspace store: tables, migrations, field encryption and the audit log."""

from breachdesk.store.audit import record_audit, verify_audit_chain
from breachdesk.store.crypto import KEY_ENV, FieldCipher, new_key
from breachdesk.store.database import Store, open_store
from breachdesk.store.persons import add_affected_person, read_affected_persons
from breachdesk.store.tables import Base

__all__ = [
    "KEY_ENV",
    "Base",
    "FieldCipher",
    "Store",
    "add_affected_person",
    "new_key",
    "open_store",
    "read_affected_persons",
    "record_audit",
    "verify_audit_chain",
]
