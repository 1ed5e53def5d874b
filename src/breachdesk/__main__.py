"""``python -m breachdesk``: the same as the ``breachdesk`` command."""

from breachdesk.cli.main import run

run()
