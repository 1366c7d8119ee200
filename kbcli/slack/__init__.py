"""``kb slack``: the Slack app, a surface beside the CLI (Bolt for Python, Socket Mode).

Like ``kbcli.cli``, it only turns requests into use-case calls and results into
messages; everything it does is in ``kbcli.usecases`` and ``kbcli.core.slack_blocks``.
"""
