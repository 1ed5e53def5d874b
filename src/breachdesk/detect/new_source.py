"""New source: person data read from a network or user agent the principal never used before.

A principal's first ``learning_days`` are learnt, not judged; after that a network (/24 for
IPv4, /48 for IPv6) or user agent is "new" for ``window_hours`` after its first use.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from breachdesk.detect.hits import SUSPICIOUS, WEAK, hit_table, hourly
from breachdesk.detect.observations import Observations, network_of

DETECTOR = "new_source"


def detect_new_source(obs: Observations) -> ir.Table:
    """Principal-hours of person reads from a network or user agent new to the principal."""
    params = obs.params
    rows = obs.rows
    learning = ibis.interval(days=params.learning_days)
    fresh = ibis.interval(hours=params.new_source.window_hours)
    # One pass over the rows: the first use of each (principal, address, agent); the first
    # uses of a principal, an address and an agent are taken from that much smaller table.
    combos = rows.group_by(["principal", "src_ip", "user_agent"]).aggregate(
        first_use=rows.time.min()
    )
    known = combos.group_by("principal").aggregate(principal_first=combos.first_use.min())
    # First use of each address, then of each network: the network is computed once per
    # (principal, address), not once per event.
    per_ip = combos.filter(combos.src_ip.notnull()).group_by(["principal", "src_ip"])
    per_ip = per_ip.aggregate(ip_first=ibis._.first_use.min())
    per_ip = per_ip.mutate(network=network_of(per_ip.src_ip))
    per_network = per_ip.group_by(["principal", "network"]).aggregate(
        network_first=per_ip.ip_first.min()
    )
    networks = per_ip.join(per_network, ["principal", "network"]).select(
        "principal", "src_ip", "network", "network_first"
    )
    # Only principals with a network or agent first used after their learning period can
    # have a hit: their reads alone are joined with the first uses, row by row.
    late = per_network.join(known, "principal")
    late = late.filter(late.network_first >= late.principal_first + learning)
    candidates = late.select("principal")
    if params.new_source.user_agents:
        agents = combos.filter(combos.user_agent.notnull()).group_by(["principal", "user_agent"])
        agents = agents.aggregate(agent_first=ibis._.first_use.min())
        late_agents = agents.join(known, "principal")
        late_agents = late_agents.filter(
            late_agents.agent_first >= late_agents.principal_first + learning
        )
        candidates = candidates.union(late_agents.select("principal"))
    reads = rows.filter(rows.person_read & ~rows.anonymous).semi_join(candidates, "principal")
    reads = reads.join(known, "principal")
    reads = reads.left_join(networks, ["principal", "src_ip"]).select(
        ~ibis.selectors.endswith("_right")
    )
    if params.new_source.user_agents:
        reads = reads.left_join(agents, ["principal", "user_agent"]).select(
            ~ibis.selectors.endswith("_right")
        )
    new_network = (
        reads.network_first.notnull()
        & (reads.network_first >= reads.principal_first + learning)
        & (reads.time < reads.network_first + fresh)
    )
    new_agent: ir.BooleanValue = ibis.literal(False)
    if params.new_source.user_agents:
        new_agent = (
            reads.agent_first.notnull()
            & (reads.agent_first >= reads.principal_first + learning)
            & (reads.time < reads.agent_first + fresh)
        )
    flagged = reads.mutate(
        new_network=new_network.fill_null(False), new_agent=new_agent.fill_null(False)
    )
    flagged = flagged.filter(flagged.new_network | flagged.new_agent)
    summary = hourly(
        flagged,
        networks=flagged.network.nunique(),
        both=(flagged.new_network & flagged.new_agent).any(),
        any_network=flagged.new_network.any(),
    )
    # A new source alone is never strong evidence: people travel and change browsers.
    strength = ibis.ifelse(summary.both, SUSPICIOUS, WEAK)
    reason = ibis.cases(
        (summary.both, "person data read from a new network with a new user agent"),
        (summary.any_network, "person data read from a network new for this principal"),
        else_="person data read with a user agent new for this principal",
    )
    return hit_table(summary, DETECTOR, strength=strength, reason=reason)
