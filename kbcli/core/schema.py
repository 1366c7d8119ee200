"""A JSON Schema (draft 2020-12) of card front matter, for editors such as VS Code.

It mirrors ``cards.parse_meta``: the same keys, the same accepted forms. Unknown keys
are allowed, because teams add their own.
"""

from __future__ import annotations

from typing import Any

from kbcli.core.cards import Audience, Status

DURATION_PATTERN = r"^(never|[1-9][0-9]*\s*[dwmyDWMY])$"


def card_schema() -> dict[str, Any]:
    text_list = {"type": "array", "items": {"type": "string"}}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://kb.invalid/schema/card.json",
        "title": "kb card front matter",
        "type": "object",
        "properties": {
            "title": {"type": "string", "description": "Defaults to the first # heading."},
            "owner": {"type": "string", "description": "A person or team handle from the roster."},
            "verifiers": {**text_list, "description": "Who may verify; defaults to the owner."},
            "verified_at": {
                "type": "string",
                "anyOf": [{"format": "date"}, {"format": "date-time"}],
                "description": "When the card was last checked (ISO date or datetime, UTC).",
            },
            "verify_every": {
                "type": "string",
                "pattern": DURATION_PATTERN,
                "description": "Re-verification cadence: 30d, 6w, 3m, 1y or never.",
            },
            "tags": {**text_list, "description": "Topics, for search filters and tag pages."},
            "status": {"enum": [s.value for s in Status]},
            "audience": {"enum": [a.value for a in Audience]},
            "lang": {"type": "string", "description": "Language code for search (en, ru, uk, he)."},
            "aliases": {**text_list, "description": "Old paths or ids that still find this card."},
            "depends_on": {
                **text_list,
                "description": "Globs of repo files whose change needs a review.",
            },
            "template": {"type": "string", "description": "The template the card was made from."},
            "flags": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "by": {"type": "string"},
                        "at": {"type": "string", "format": "date"},
                        "reason": {"type": "string"},
                        "resolved": {"type": "boolean"},
                    },
                    "required": ["by", "reason"],
                },
                "description": "Problems reported with kb flag; kb verify clears resolved ones.",
            },
        },
        "additionalProperties": True,
    }
