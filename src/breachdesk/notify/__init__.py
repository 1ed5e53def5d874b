"""Notify: one verifiable notice per affected person, delivered exactly once.

Plan (one notice covering all of a person's obligations, deterministic id, verification
code), render (Jinja2 + Babel catalogues), deliver (outbox → SMTP with aiosmtplib, optional
DKIM), track bounces, and answer the public portal.
"""

from breachdesk.notify.bounces import BounceReport, Dsn, parse_dsn, process_bounces
from breachdesk.notify.catalog import LANGUAGES, language_of
from breachdesk.notify.codes import code_index, normalise_code, notice_id, verification_code
from breachdesk.notify.demo import notify_stage
from breachdesk.notify.outbox import STATES, Outbox, Recovery
from breachdesk.notify.plan import CampaignPlan, default_campaign, plan_campaign
from breachdesk.notify.portal import PortalService, RateLimited, Verdict, portal_router
from breachdesk.notify.public_notice import public_notice
from breachdesk.notify.sanitize import BadAddress, clean_address, clean_name
from breachdesk.notify.smtp import SmtpConfig, smtp_config
from breachdesk.notify.status import (
    CampaignStatus,
    OtherChannel,
    Preview,
    campaign_status,
    needs_other_channel,
    preview_notice,
)
from breachdesk.notify.worker import WorkReport, run_worker

__all__ = [
    "LANGUAGES",
    "STATES",
    "BadAddress",
    "BounceReport",
    "CampaignPlan",
    "CampaignStatus",
    "Dsn",
    "OtherChannel",
    "Outbox",
    "PortalService",
    "Preview",
    "RateLimited",
    "Recovery",
    "SmtpConfig",
    "Verdict",
    "WorkReport",
    "campaign_status",
    "clean_address",
    "clean_name",
    "code_index",
    "default_campaign",
    "language_of",
    "needs_other_channel",
    "normalise_code",
    "notice_id",
    "notify_stage",
    "parse_dsn",
    "plan_campaign",
    "portal_router",
    "preview_notice",
    "process_bounces",
    "public_notice",
    "run_worker",
    "smtp_config",
    "verification_code",
]
