"""``kb slack``: the Slack app, a surface of kb beside the command line (Bolt for Python,
Socket Mode), as ``mcp_server.py`` and ``lsp_server.py`` are.

Like the commands, it only turns requests into use-case calls and results into messages;
what it does is in ``kbcli.usecases``, its messages in ``kbcli.core.slack_blocks`` and its
manifest in ``kbcli.core.slack_manifest``.
"""
