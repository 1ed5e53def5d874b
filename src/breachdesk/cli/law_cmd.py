"""``breachdesk law``: who must be told, by when and why; rules, drafts and overrides."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from breachdesk.cli.output import console, emit_json, safe
from breachdesk.cli.state import state_of
from breachdesk.errors import UserInputError

if TYPE_CHECKING:
    from breachdesk.law import Assessment

app = typer.Typer(help="Who must be told, by when and why (decision support for counsel).")

IncidentArg = Annotated[str | None, typer.Argument(help="Incident id (stores the result).")]
CaseOption = Annotated[
    Path | None, typer.Option("--case", help="A case file (JSON) with the facts of the breach.")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


@app.command("assess")
def assess_cmd(
    ctx: typer.Context,
    incident: IncidentArg = None,
    case: CaseOption = None,
    cause: Annotated[
        str | None,
        typer.Option("--cause", help="malicious|accidental|internal, when building from scope."),
    ] = None,
    encrypted: Annotated[bool, typer.Option("--encrypted", help="Data was encrypted.")] = False,
    key_compromised: Annotated[
        bool, typer.Option("--key-compromised", help="The encryption key was taken too.")
    ] = False,
    actor: Annotated[str, typer.Option("--actor", help="Who runs it (audit log).")] = "cli",
    json_out: JsonOption = False,
) -> None:
    """Apply the jurisdiction rules to an incident or a case file; list every conclusion."""
    from breachdesk.law import assess_case, assess_incident, load_case

    if incident is None and case is None:
        raise UserInputError("give an INCIDENT id or --case FILE.json")
    loaded = load_case(case) if case is not None else None
    if incident is None:
        assert loaded is not None
        result = assess_case(loaded)
    else:
        result = assess_incident(
            state_of(ctx).workspace(),
            incident,
            case=loaded,
            cause=cause,
            encrypted=encrypted,
            key_compromised=key_compromised,
            actor=actor,
        )
    if json_out:
        emit_json(result.to_json())
        return
    _print_assessment(result)


@app.command("rules")
def rules_cmd(json_out: JsonOption = False) -> None:
    """List the jurisdictions the rule files cover, with their law, authority and confidence."""
    from breachdesk.law import coverage

    rows = coverage()
    if json_out:
        emit_json({"jurisdictions": [r.to_json() for r in rows]})
        return
    table = Table("code", "name", "regime", "authority", "recipients", "rules", "authority data")
    for r in rows:
        table.add_row(
            safe(r.code),
            safe(r.name),
            safe(r.regime),
            safe(r.authority, limit=60),
            safe(", ".join(r.recipients)),
            safe(r.confidence),
            safe(r.authority_confidence),
        )
    console.print(table)
    verified = sum(1 for r in rows if r.confidence == "verified")
    console.print(
        f"{len(rows)} jurisdictions: {verified} verified, {len(rows) - verified} secondary-source"
    )


@app.command("draft")
def draft_cmd(
    ctx: typer.Context,
    incident: IncidentArg = None,
    case: CaseOption = None,
    kind: Annotated[
        str, typer.Option("--kind", help="art33 (report to the authority) or notice-checklist.")
    ] = "art33",
    jurisdiction: Annotated[
        str | None, typer.Option("--jurisdiction", help="e.g. FR, GB, US-CA.")
    ] = None,
    phase: Annotated[int, typer.Option("--phase", min=1, help="Art. 33(4) phase number.")] = 1,
    out: Annotated[Path | None, typer.Option("--out", help="Write the draft to FILE.")] = None,
    json_out: JsonOption = False,
) -> None:
    """Draft the GDPR Art. 33(3) report or the checklist of what a notice must contain."""
    from breachdesk.law import (
        art33_report,
        assess_case,
        controller_of,
        current_assessment,
        load_case,
        notice_checklists,
    )

    if kind not in ("art33", "notice-checklist"):
        raise UserInputError(f"--kind {kind!r}: use art33 or notice-checklist")
    workspace = None
    if case is not None:
        result = assess_case(load_case(case))
    elif incident is not None:
        workspace = state_of(ctx).workspace()
        result = current_assessment(workspace, incident)
    else:
        raise UserInputError("give an INCIDENT id or --case FILE.json")
    if kind == "art33":
        text = art33_report(
            result, controller=controller_of(workspace), phase=phase, jurisdiction=jurisdiction
        )
    else:
        text = notice_checklists(
            result, jurisdiction=jurisdiction.upper() if jurisdiction else None
        )
    if out is not None:
        try:
            out.write_text(text + "\n", encoding="utf-8")
        except OSError as exc:
            raise UserInputError(f"cannot write {out}: {exc.strerror}") from None
    if json_out:
        emit_json(
            {
                "kind": kind,
                "jurisdiction": jurisdiction,
                "out": str(out) if out else None,
                "text": text,
            }
        )
    elif out is None:
        console.print(safe(text, limit=200_000), soft_wrap=True)
    else:
        console.print(f"draft written to {safe(out)}")


@app.command("override")
def override_cmd(
    ctx: typer.Context,
    incident: Annotated[str, typer.Argument(help="Incident id.")],
    target: Annotated[
        str, typer.Argument(help="'risk' or a conclusion key such as FR:individuals.")
    ],
    justification: Annotated[
        str, typer.Option("--justification", help="Why (kept in the store and audit log).")
    ],
    required: Annotated[
        bool | None,
        typer.Option("--required/--not-required", help="The conclusion counsel reached."),
    ] = None,
    level: Annotated[
        str | None, typer.Option("--level", help="low|medium|high|very high (for 'risk').")
    ] = None,
    actor: Annotated[str, typer.Option("--actor", help="Who decides (audit log).")] = "cli",
    json_out: JsonOption = False,
) -> None:
    """Override the risk level or one conclusion, with a recorded justification; re-assess."""
    from breachdesk.law import override_conclusion

    result = override_conclusion(
        state_of(ctx).workspace(),
        incident,
        target,
        justification=justification,
        actor=actor,
        required=required,
        level=level,
    )
    if json_out:
        emit_json(result.to_json())
        return
    _print_assessment(result)


def _print_assessment(result: Assessment) -> None:
    from breachdesk.law import DISCLAIMER
    from breachdesk.law.deadlines import iso_utc

    risk = result.risk
    console.print(
        f"[bold]Risk {safe(risk.level)}[/] (ENISA SE = {risk.dpc:g} x {risk.ei:g} + {risk.cb:g}"
        f" = {risk.score:g})"
    )
    for line in risk.explanation:
        console.print(f"  {safe(line, limit=400)}")
    table = Table("jurisdiction", "to", "required", "deadline (UTC)", "citation", show_lines=False)
    for c in result.conclusions:
        who = c.authority or c.recipient
        mark = "[bold red]yes[/]" if c.required else "no"
        if c.needs_review:
            mark += " (review)"
        table.add_row(
            safe(c.key),
            safe(who, limit=50),
            mark,
            safe(iso_utc(c.deadline) or "—"),
            safe(c.citation, limit=60),
        )
    console.print(table)
    for c in result.conclusions:
        console.print(f"[bold]{safe(c.key)}[/]: {safe(c.reason, limit=1000)}")
        console.print(f"  deadline rule: {safe(c.deadline_rule, limit=400)}")
    console.print(f"[dim]{safe(DISCLAIMER, limit=400)}[/]")
