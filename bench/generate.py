#!/usr/bin/env python3
"""Generate a synthetic, git-backed knowledge base for benchmarking ``kb``.

Why this exists: kb's cost is driven by the *shape* of a knowledge repo (number of cards,
depth of history, rename churn, verification stamps, owners who left), so benchmarks need
a repo that looks like a support KB that has lived for years, and the same repo every time.
Everything here is derived from ``--seed``, so two runs with the same arguments produce
byte-identical histories.

Why ``git fast-import``: creating 50,000 commits with one git process per commit takes
hours; a single fast-import stream writes the whole history in minutes.

Why cards are regenerated instead of stored: keeping every card's text in memory costs
hundreds of MB at 100k cards.  A card is kept as a seed plus one revision counter per body
section; its text is rebuilt on demand, and an edit only bumps one counter, so consecutive
versions differ in one section (as real edits do, which also keeps git's deltas realistic).

Usage::

    python bench/generate.py OUT_DIR --cards 100000 --commits 50000 --seed 1 \\
        [--authors 40] [--years 3] [--end-date 2026-11-01] [--folder-size 400] [--gc]

Up to ~13k cards the repo has the 34 folders of FOLDERS; bigger KBs get topic subfolders
(see ``plan_folders``) so that no folder holds many more than ``--folder-size`` cards.

Only the standard library is used, so the script runs before kb's own dependencies exist.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import functools
import itertools
import json
import math
import os
import random
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TypeVar

T = TypeVar("T")

# --------------------------------------------------------------------------------------
# Vocabulary.  Kept in code (not data files) so the script is a single self-contained file.
# --------------------------------------------------------------------------------------


def words(text: str) -> list[str]:
    """Whitespace-separated word lists read better than long list literals."""
    return text.split()


CONTENT_WORDS = words(
    """
account admin agent alert api app approval archive attachment audit authentication
authorization backup balance bank batch billing browser bug cache calendar callback campaign
card cart certificate change channel charge checkout client cluster config configuration
connection console contract cookie credential credit customer dashboard database deadline
debit default delay deployment device discount domain download duplicate email endpoint
environment error escalation event export failure feature field filter firewall form gateway
group header import incident integration invoice issue key language latency license limit
link log login mailbox manager merchant message migration mobile module notification order
outage owner package page partner password payment payout permission phone plan platform
policy portal price priority profile proxy queue quota receipt record redirect refund region
release report request reset response retry role rollback router schedule scope screen
script server service session settings setup shipment signature subscription support sync
table task tax team template tenant ticket timeout token transaction transfer trial upgrade
upload user vendor version warehouse webhook widget workflow workspace carrier label tracking
return exchange coupon voucher balance statement ledger reconciliation chargeback dispute
fraud risk review threshold rule sandbox production staging replica index search filter
sort column row sheet spreadsheet csv pdf attachment inbox folder tag category segment
cohort metric chart widget banner modal toast tooltip toggle checkbox dropdown button link
status code header payload body parameter query cursor pagination batch job worker cron
deadline sla tier plan seat licence renewal cancellation downgrade proration credit note
"""
)

ACTION_WORDS = words(
    """
check confirm open select click enter verify ensure restart clear update contact escalate
wait retry reload reconnect rotate revoke regenerate reissue resend refund cancel approve
reject assign reassign merge split export import archive restore remove disable enable
configure migrate investigate reproduce document compare copy paste search filter review
"""
)

MODIFIER_WORDS = words(
    """
new old existing correct invalid missing expired failed pending manual automatic temporary
internal external primary secondary latest previous first second each all some only also
usually sometimes immediately again partially fully duplicate stale slow intermittent
legacy enterprise free paid annual monthly regional global default custom shared private
"""
)

FUNCTION_WORDS = words(
    """
the the the a a an to to to and and of of in in for for on with is is are be
when if then after before that this it not can should may by from as or at
"""
)

CODE_TOKENS = [
    "`ERR_CARD_DECLINED`",
    "`/api/v2/refunds`",
    "`billing.retry_limit`",
    "HTTP 502",
    "HTTP 429",
    "`X-Request-Id`",
    "`sso.enforce`",
    "`webhook.secret`",
    "`ORDER_LOCKED`",
    "`TIMEOUT_EXCEEDED`",
    "`exports/pending`",
    "`user.locale`",
    "`invoice_id`",
    "`charge_id`",
    "`tenant_id`",
    "`2fa_required`",
]

EN_VOCAB: tuple[str, ...] = tuple(
    CONTENT_WORDS * 2 + ACTION_WORDS * 2 + MODIFIER_WORDS * 2 + FUNCTION_WORDS * 6 + CODE_TOKENS
)

RU_WORDS = words(
    """
клиент платёж счёт возврат ошибка настройки пользователь доступ пароль аккаунт заказ
доставка подписка оплата карта банк сервер запрос ответ проверить открыть нажать выбрать
ввести обновить перезапустить убедиться новый старый неверный истёкший повторный двойной
списание интеграция уведомление письмо телефон приложение версия страница раздел кнопка
поле форма отчёт данные файл ключ токен сессия журнал поддержка команда менеджер сотрудник
партнёр тариф скидка налог документ договор срок время день неделя месяц регион сеть
браузер устройство система сбой задержка лимит статус причина решение шаг инструкция
администратор компания возможно обычно сначала затем после перед снова также только
"""
)

RU_FUNCTION_WORDS = words("и и в в на на с для не не что как если то по к из это")

RU_VOCAB: tuple[str, ...] = tuple(
    RU_WORDS * 3 + RU_FUNCTION_WORDS * 4 + ["API", "webhook", "SSO", "2FA", "CSV", "PDF"]
)

TITLE_VERBS = words(
    """
Refund Reset Troubleshoot Configure Fix Cancel Migrate Export Rotate Recover Escalate
Investigate Enable Disable Update Transfer Merge Remove Restore Verify Diagnose Resend
Approve Reissue Audit Unlock Reconcile Retry Explain Handle
"""
)

TITLE_OBJECTS = [
    "a duplicate charge",
    "two-factor authentication",
    "SSO login loops",
    "webhook timeouts",
    "failed payouts",
    "invoice PDFs",
    "expired API keys",
    "stuck data exports",
    "a locked account",
    "VAT numbers on invoices",
    "a disputed chargeback",
    "seat licences",
    "a trial extension",
    "password reset emails",
    "shipping labels",
    "carrier tracking links",
    "a partial refund",
    "proration after a downgrade",
    "bounced notification emails",
    "Slack alerts",
    "Salesforce sync errors",
    "CSV imports",
    "a lost shipment",
    "mobile push notifications",
    "the iOS app crash on login",
    "Android login errors",
    "rate limit errors",
    "audit log gaps",
    "GDPR deletion requests",
    "a data access request",
    "custom domains",
    "TLS certificates",
    "workspace ownership",
    "billing contacts",
    "coupon codes",
    "annual renewals",
    "a cancelled subscription",
    "currency conversion",
    "tax exemption certificates",
    "report scheduling",
    "dashboard permissions",
    "team invitations",
    "user roles",
    "a merged customer record",
    "duplicate accounts",
    "a failed bank transfer",
    "card authorisation holds",
    "a return request",
    "warehouse stock mismatches",
    "delivery address changes",
    "SCIM provisioning",
    "session timeouts",
    "API pagination",
    "webhook signatures",
    "sandbox credentials",
    "maintenance notices",
    "an outage status page",
    "release notes",
    "partner referrals",
    "contract amendments",
    "translation strings",
    "time zone mismatches",
]

TITLE_QUALIFIERS = [""] * 20 + [
    " for enterprise customers",
    " in the EU region",
    " after a plan change",
    " on iOS",
    " on Android",
    " via the admin console",
    " for sandbox accounts",
    " during checkout",
    " for marketplace sellers",
    " after a migration",
    " in the US region",
    " for partners",
    " when SSO is enforced",
    " for annual plans",
    " for free plans",
    " in bulk",
    " for legacy accounts",
    " after a failed payment",
    " on the web app",
    " over the API",
]

RU_TITLE_VERBS = words(
    "вернуть настроить проверить отменить восстановить обновить перенести удалить"
)

RU_TITLE_OBJECTS = [
    "двойной платёж",
    "доступ к аккаунту",
    "подписку клиента",
    "пароль администратора",
    "интеграцию с банком",
    "счёт за месяц",
    "уведомления по почте",
    "ключ API",
    "заказ без оплаты",
    "тариф команды",
    "адрес доставки",
    "возврат товара",
]

RU_TITLE_QUALIFIERS = [
    "",
    "",
    "",
    " для корпоративных клиентов",
    " в мобильном приложении",
    " после смены тарифа",
    " через API",
]

TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        words("a b v g d e e zh z i y k l m n o p r s t u f h ts ch sh sch _ y _ e yu ya"),
        strict=True,
    )
)

# (folder, weight): where new cards land.  Nested folders carry most of the weight, as in a
# mature KB where top-level folders only hold a few overview cards.
FOLDERS: list[tuple[str, float]] = [
    ("billing", 1.0),
    ("billing/refunds", 3.0),
    ("billing/invoices", 3.0),
    ("billing/payments", 3.0),
    ("billing/tax", 1.5),
    ("accounts", 1.0),
    ("accounts/sso", 2.5),
    ("accounts/passwords", 2.0),
    ("accounts/2fa", 1.5),
    ("integrations", 1.0),
    ("integrations/webhooks", 2.5),
    ("integrations/api", 3.0),
    ("integrations/slack", 1.0),
    ("integrations/salesforce", 1.5),
    ("shipping", 1.0),
    ("shipping/returns", 2.0),
    ("shipping/carriers", 2.0),
    ("mobile/ios", 1.5),
    ("mobile/android", 1.5),
    ("onboarding", 1.5),
    ("security", 1.0),
    ("security/incidents", 1.0),
    ("privacy/gdpr", 1.0),
    ("reporting", 2.0),
    ("data-export", 1.5),
    ("notifications", 1.5),
    ("infrastructure/outages", 1.0),
    ("infrastructure/maintenance", 1.0),
    ("internal-tools", 1.0),
    ("sales/contracts", 1.0),
    ("partners", 1.0),
    ("localization", 0.7),
    ("troubleshooting", 3.0),
    ("how-to", 3.0),
]

# Subfolders a busy folder is split into once it would exceed --folder-size cards.
SUBTOPICS = words(
    """
enterprise self-serve partners legacy eu us apac web api sandbox migration known-issues
faq escalations policies vendors tier1 tier2 marketplace mobile automation reports
"""
)

TEAMS = [
    "billing-team",
    "accounts-team",
    "integrations-team",
    "support-l2",
    "sre",
    "security-team",
    "docs-team",
    "sales-ops",
]

GHOST_OWNERS = ["jdoe", "old-support", "contractor-7", "mkowalski", "helpdesk-bot", "tmp-agent"]

FIRST_NAMES = words(
    """
Ana Ben Chloe Dmitri Elena Farid Grace Hiro Ines Jonas Kira Liam Maya Noah Olga Pavel Quinn
Rosa Sven Tara Umar Vera Wei Xenia Yusuf Zoe Amir Bianca Carlos Dana Emil Fatima Gustav
Hanna Igor Julia Kofi Lena Marco Nina Oscar Priya Rafael Sofia Tomas Ulla Viktor Wanda
"""
)

LAST_NAMES = words(
    """
Silva Novak Petrov Garcia Kim Muller Rossi Tanaka Jensen Okafor Ivanova Dubois Costa Larsen
Nowak Sato Haddad Fischer Moreau Popescu Schmidt Horvat Lindqvist Mendes Kovacs Yilmaz
"""
)

TIMEZONES = [
    ("+0000", 0),
    ("+0100", 3600),
    ("+0200", 7200),
    ("+0300", 10800),
    ("-0500", -18000),
    ("-0800", -28800),
    ("+0530", 19800),
]

TAG_WORDS = words(
    """
refunds invoices payments tax vat chargebacks disputes payouts subscriptions trials renewals
coupons pricing proration currency sso saml scim passwords 2fa mfa login lockout sessions
permissions roles invitations webhooks api rate-limits pagination sdk slack salesforce
hubspot zapier jira csv import export reporting dashboards analytics notifications email
push sms shipping returns carriers tracking labels warehouse inventory ios android web
desktop onboarding setup migration security incidents outage maintenance gdpr privacy
dsar retention audit compliance soc2 encryption certificates domains dns tls localization
translations timezones accessibility performance latency errors bugs known-issue workaround
escalation tier1 tier2 tier3 vip enterprise smb free-plan self-serve partners resellers
marketplace contracts legal procurement sandbox staging production deprecation beta alpha
feature-flag how-to faq runbook macro template policy internal-only customer-facing
urgent low-priority sla backlog triage ownership handover offboarding training glossary
billing-portal admin-console mobile-app browser-extension cli integrations-hub status-page
data-loss recovery backups restore sync conflicts duplicates merge identity directory
ldap okta azure-ad google-workspace stripe paypal adyen bank-transfer invoicing dunning
"""
)

VERSION_TAGS = [f"v{major}.{minor}" for major in range(1, 5) for minor in range(10)]

ENV_KEYS_EN = [
    "Product",
    "Plan",
    "Region",
    "Browser",
    "App version",
    "OS",
    "Integration",
    "Account type",
    "Feature flag",
    "Affected since",
]
ENV_KEYS_RU = ["Продукт", "Тариф", "Регион", "Браузер", "Версия", "ОС", "Интеграция"]

CODE_SNIPPETS = [
    ("bash", "kbctl refund --charge ch_{n} --reason duplicate\nkbctl charges show ch_{n}"),
    (
        "bash",
        "curl -s -H 'Authorization: Bearer $TOKEN' \\\n  https://api.example.com/v2/"
        "accounts/{n}/sessions | jq '.data[] | .id'",
    ),
    (
        "sql",
        "SELECT id, status, updated_at\nFROM invoices\nWHERE account_id = {n}\n"
        "ORDER BY updated_at DESC\nLIMIT 20;",
    ),
    ("json", '{{\n  "event": "payment.failed",\n  "attempt": {m},\n  "account_id": {n}\n}}'),
    (
        "text",
        "ERROR 2025-03-0{m} worker[{n}]: webhook delivery failed: timeout after 30s\n"
        "WARN  retry scheduled in {m}m",
    ),
    (
        "yaml",
        "sso:\n  enforce: true\n  provider: okta\n  fallback_login: false\n  session_hours: {m}",
    ),
]

SECTION_SHARES = {"Issue": 0.2, "Environment": 0.12, "Cause": 0.2, "Resolution": 0.48}
EXTRA_SECTIONS = ["Workaround", "Notes", "See also", "Escalation"]
MAX_SECTIONS = len(SECTION_SHARES) + len(EXTRA_SECTIONS)

VERIFY_EVERY_CHOICES = [
    (None, 60),
    ("30d", 6),
    ("6w", 8),
    ("3m", 8),
    ("6m", 5),
    ("1y", 10),
    ("never", 3),
]
DEFAULT_VERIFY_EVERY = "3m"
# [folders.<path>] overrides written to kb.toml; kb uses the longest matching prefix.
FOLDER_VERIFY_EVERY = {"infrastructure": "1m", "security/incidents": "6w"}
WARN_WITHIN_DAYS = 14
EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
DAY = 86400

# --------------------------------------------------------------------------------------
# Small pure helpers
# --------------------------------------------------------------------------------------


def iso(ordinal: int) -> str:
    """Render a date ordinal as YYYY-MM-DD (cards and people.yaml store plain dates)."""
    return dt.date.fromordinal(ordinal).isoformat()


def local_ordinal(ts: int, tz_seconds: int) -> int:
    """The author's calendar date of a commit, which is what they would type as verified_at."""
    return EPOCH_ORDINAL + (ts + tz_seconds) // DAY


def slugify(text: str) -> str:
    """A filesystem-safe, ASCII, lowercase file stem (Cyrillic is transliterated)."""
    lowered = "".join(TRANSLIT.get(ch, ch) for ch in text.lower())
    slug = re.sub(r"[^a-z0-9]+", "-", lowered).strip("-")
    return slug[:60].rstrip("-") or "card"


def yaml_scalar(text: str) -> str:
    """Quote a string only when a plain YAML scalar would be misread."""
    if re.search(r"[:#\[\]{},&*!|>%@`\"]", text) or text[:1] in "-?' ":
        return json.dumps(text, ensure_ascii=False)
    return text


def add_period(ordinal: int, spec: str) -> int | None:
    """Expiry date of a verification made on ``ordinal``; None when it never expires."""
    if spec == "never":
        return None
    amount, unit = int(spec[:-1]), spec[-1]
    if unit == "d":
        return ordinal + amount
    if unit == "w":
        return ordinal + 7 * amount
    months = amount * (12 if unit == "y" else 1)
    day = dt.date.fromordinal(ordinal)
    year, month = divmod(day.month - 1 + months, 12)
    for dom in (day.day, 30, 29, 28):
        try:
            return dt.date(day.year + year, month + 1, dom).toordinal()
        except ValueError:
            continue
    raise AssertionError("unreachable: day 28 exists in every month")


def folder_cadence(path: str) -> str:
    """The cadence kb applies to a card without ``verify_every`` (longest folder prefix)."""
    best, best_len = DEFAULT_VERIFY_EVERY, -1
    for folder, every in FOLDER_VERIFY_EVERY.items():
        if path.startswith(folder + "/") and len(folder) > best_len:
            best, best_len = every, len(folder)
    return best


def verification_state(verified_at: int | None, every: str, today: int) -> str:
    """Classify a card the way kb would: verified, due (within warn window), expired, never."""
    if verified_at is None:
        return "never"
    expiry = add_period(verified_at, every)
    if expiry is None or today < expiry - WARN_WITHIN_DAYS:
        return "verified"
    return "due" if today < expiry else "expired"


def weighted_choice(rng: random.Random, pairs: Sequence[tuple[T, float]]) -> T:
    """Pick one value from (value, weight) pairs."""
    return rng.choices([value for value, _ in pairs], [weight for _, weight in pairs])[0]


# --------------------------------------------------------------------------------------
# Card body text
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Pre-built sentences and short phrases of one language.

    Why a pool: drawing every word separately made rendering the bottleneck (a 100k-card run
    renders cards ~250k times).  Picking whole sentences from a large pool is ~10x cheaper
    and keeps the same word distribution for search benchmarks.
    """

    sentences: tuple[str, ...]
    phrases: tuple[str, ...]
    env_keys: tuple[str, ...]


@functools.cache
def lexicon(lang: str | None) -> Lexicon:
    """The sentence pool of a language; built once, from a fixed seed, so it is the same
    for every ``--seed`` (card seeds decide which sentences a card uses)."""
    rng = random.Random(f"kb-bench-lexicon-{lang}")
    vocab, keys, size = (
        (RU_VOCAB, ENV_KEYS_RU, 1 << 13) if lang == "ru" else (EN_VOCAB, ENV_KEYS_EN, 1 << 15)
    )
    pool = []
    for _ in range(size):
        text = " ".join(rng.choices(vocab, k=rng.randint(5, 15)))
        pool.append(text[0].upper() + text[1:] + ".")
    phrases = [" ".join(rng.choices(vocab, k=rng.randint(1, 3))) for _ in range(size // 4)]
    return Lexicon(tuple(pool), tuple(phrases), tuple(keys))


def pick_sentences(rng: random.Random, lex: Lexicon, n_words: int) -> list[str]:
    """About ``n_words`` words of prose (pool sentences average ten words)."""
    return rng.choices(lex.sentences, k=max(1, (n_words + 5) // 10))


def paragraphs(rng: random.Random, lex: Lexicon, n_words: int) -> str:
    """Prose in paragraphs of 4-9 sentences, as support articles usually are."""
    picked = pick_sentences(rng, lex, n_words)
    parts: list[str] = []
    i = 0
    while i < len(picked):
        j = i + 4 + int(rng.random() * 6)
        parts.append(" ".join(picked[i:j]))
        i = j
    return "\n\n".join(parts)


def environment_list(rng: random.Random, lex: Lexicon, n_words: int) -> str:
    """A "key: value" bullet list describing where the issue happens."""
    items = min(10, max(2, n_words // 4))
    keys = rng.choices(lex.env_keys, k=items)
    values = rng.choices(lex.phrases, k=items)
    return "\n".join(f"- {key}: {value}" for key, value in zip(keys, values, strict=True))


def code_block(rng: random.Random) -> str:
    """A fenced snippet: commands, queries or log lines, as found in real runbooks."""
    lang, template = rng.choice(CODE_SNIPPETS)
    body = template.format(n=rng.randint(1000, 999999), m=rng.randint(1, 9))
    return f"```{lang}\n{body}\n```"


def numbered_steps(rng: random.Random, lex: Lexicon, n_words: int) -> str:
    """Resolution steps of one or two sentences, sometimes with a code block in the middle."""
    picked = pick_sentences(rng, lex, n_words)
    lines: list[str] = []
    i = 0
    while i < len(picked):
        j = i + 1 + (rng.random() < 0.4)
        lines.append(f"{len(lines) + 1}. {' '.join(picked[i:j])}")
        i = j
    if rng.random() < 0.3:
        lines.insert(rng.randint(1, len(lines)), "\n" + code_block(rng) + "\n")
    return "\n".join(lines)


def bullet_list(rng: random.Random, lex: Lexicon, n_words: int) -> str:
    """Short bullets (see-also lists, escalation contacts)."""
    return "\n".join(f"- {text}" for text in pick_sentences(rng, lex, n_words))


SectionRenderer = Callable[[random.Random, Lexicon, int], str]

SECTION_RENDERERS: dict[str, SectionRenderer] = {
    "Issue": paragraphs,
    "Environment": environment_list,
    "Cause": paragraphs,
    "Resolution": numbered_steps,
    "Workaround": paragraphs,
    "Notes": paragraphs,
    "See also": bullet_list,
    "Escalation": bullet_list,
}


LAYOUTS = (tuple(SECTION_SHARES), tuple(name for name in SECTION_SHARES if name != "Cause"))


@dataclass(frozen=True, slots=True)
class CardPlan:
    """The base sections of a card and their word budgets; fixed for the card's lifetime."""

    layout: tuple[str, ...]
    budgets: tuple[int, ...]


def card_plan(seed: int) -> CardPlan:
    """Word counts follow a log-normal distribution (median ~190 words, about 1.5 KB),
    clamped so bodies stay between roughly 300 B and 8 KB; 30% of cards have no Cause."""
    rng = random.Random(seed)
    total = int(min(700.0, max(45.0, rng.lognormvariate(5.25, 0.6))))
    layout = LAYOUTS[0] if rng.random() < 0.7 else LAYOUTS[1]
    share_sum = sum(SECTION_SHARES[name] for name in layout)
    budgets = tuple(max(5, int(total * SECTION_SHARES[name] / share_sum)) for name in layout)
    return CardPlan(layout, budgets)


# --------------------------------------------------------------------------------------
# Domain state
# --------------------------------------------------------------------------------------


@dataclass(slots=True)
class Person:
    """A roster entry; ``listed`` tracks whether people.yaml currently contains them."""

    handle: str
    name: str
    emails: list[str]
    team: str
    tz: str
    tz_seconds: int
    weight: float
    join_ts: int | None = None
    leave_ts: int | None = None
    left: int | None = None
    listed: bool = False


@dataclass(slots=True)
class Card:
    """Everything needed to re-render a card; the body is rebuilt from ``seed`` + ``revs``."""

    seed: int
    path: str
    title: str
    owner: str | None
    verifiers: list[str]
    verified_at: int | None
    verify_every: str | None
    tags: list[str]
    status: str
    audience: str
    lang: str | None
    plan: CardPlan
    revs: list[int]
    num: int = -1

    @property
    def neglected(self) -> bool:
        """About one card in ten is never verified by anyone (the 'never verified' bucket)."""
        return self.seed % 10 == 0

    @property
    def folder(self) -> str:
        return self.path.rsplit("/", 1)[0]


class CardPool:
    """Cards with O(1) add, remove and random pick (a list plus positions by card number)."""

    def __init__(self) -> None:
        self.items: list[Card] = []
        self.pos: dict[int, int] = {}

    def __len__(self) -> int:
        return len(self.items)

    def add(self, card: Card) -> None:
        self.pos[card.num] = len(self.items)
        self.items.append(card)

    def remove(self, card: Card) -> None:
        """Swap the last card into the hole, so removal stays O(1)."""
        index = self.pos.pop(card.num)
        last = self.items.pop()
        if last is not card:
            self.items[index] = last
            self.pos[last.num] = index

    def pick(self, rng: random.Random) -> Card:
        return self.items[rng.randrange(len(self.items))]

    def sample(self, rng: random.Random, count: int) -> list[Card]:
        """Distinct random cards (fewer if the pool is smaller than ``count``)."""
        count = min(count, len(self.items))
        if count == 1:
            return [self.pick(rng)]
        return [self.items[i] for i in rng.sample(range(len(self.items)), count)]


def render_card(card: Card) -> bytes:
    """The full markdown file of a card at its current revision."""
    lines = ["---", f"title: {yaml_scalar(card.title)}"]
    if card.owner:
        lines.append(f"owner: {card.owner}")
    if card.verifiers:
        lines.append(f"verifiers: [{', '.join(card.verifiers)}]")
    if card.verified_at is not None:
        lines.append(f"verified_at: {iso(card.verified_at)}")
    if card.verify_every:
        lines.append(f"verify_every: {card.verify_every}")
    lines.append(f"tags: [{', '.join(card.tags)}]")
    lines.append(f"status: {card.status}")
    lines.append(f"audience: {card.audience}")
    if card.lang:
        lines.append(f"lang: {card.lang}")
    lines.append("---")
    lines.append(f"# {card.title}")
    lines.append("")
    lines.append(render_body(card))
    return "\n".join(lines).encode()


def render_body(card: Card) -> str:
    """Rebuild the section text; section ``i`` at revision ``r`` always renders the same."""
    lex = lexicon(card.lang)
    layout, budgets = card.plan.layout, card.plan.budgets
    parts: list[str] = []
    for i, rev in enumerate(card.revs):
        rng = random.Random((card.seed << 20) + (i << 14) + rev)
        if i < len(layout):
            name, budget = layout[i], budgets[i]
            budget = max(5, budget + rng.randint(-budget // 8, budget // 8))
        else:
            name = EXTRA_SECTIONS[(i - len(layout)) % len(EXTRA_SECTIONS)]
            budget = rng.randint(20, 110)
        parts.append(f"## {name}\n\n{SECTION_RENDERERS[name](rng, lex, budget)}\n")
    return "\n".join(parts)


class Roster:
    """The people who can author commits, with activity-weighted picking."""

    def __init__(self, people: list[Person]) -> None:
        self.people = people
        self.by_handle = {p.handle: p for p in people}
        self.active: list[Person] = []
        self.cum_weights: list[float] = []

    def refresh(self) -> None:
        """Recompute the author pool after someone joins or leaves."""
        self.active = [p for p in self.people if p.listed and p.left is None]
        self.cum_weights = list(itertools.accumulate(p.weight for p in self.active))

    def pick(self, rng: random.Random) -> Person:
        """A random active person; a few prolific authors write most commits, as in real KBs."""
        return rng.choices(self.active, cum_weights=self.cum_weights)[0]

    def active_owner(self, handle: str | None) -> Person | None:
        """The person behind an owner handle, if they are still around to do the work."""
        person = self.by_handle.get(handle) if handle else None
        return person if person is not None and person.listed and person.left is None else None

    def render(self) -> bytes:
        """people.yaml as it stands right now."""
        lines = ["# Generated by bench/generate.py: handle -> person", ""]
        for p in self.people:
            if not p.listed:
                continue
            lines.append(f"{p.handle}:")
            lines.append(f"  name: {p.name}")
            lines.append(f"  emails: [{', '.join(p.emails)}]")
            lines.append(f"  team: {p.team}")
            if p.left is not None:
                lines.append(f"  left: {iso(p.left)}")
        return ("\n".join(lines) + "\n").encode()


def make_people(rng: random.Random, count: int, start_ts: int, end_ts: int) -> list[Person]:
    """Authors with unique handles, teams, time zones, join and leave dates.

    The first three never leave and are there from day one, so there is always someone to
    author a commit.  About 35% join later and about 20% leave before the end.
    """
    people: list[Person] = []
    handles: set[str] = set()
    span = end_ts - start_ts
    for idx in range(count):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        handle = first.lower()
        if handle in handles:
            handle = f"{first.lower()}{last[0].lower()}"
        while handle in handles:
            handle = f"{first.lower()}{last[0].lower()}{rng.randint(2, 99)}"
        handles.add(handle)
        emails = [f"{handle}@example.com"]
        if rng.random() < 0.3:
            emails.append(f"{first.lower()}.{last.lower()}@corp.example.org")
        tz, tz_seconds = rng.choice(TIMEZONES)
        person = Person(
            handle,
            f"{first} {last}",
            emails,
            rng.choice(TEAMS),
            tz,
            tz_seconds,
            weight=rng.lognormvariate(0.0, 0.9),
        )
        if idx >= 3 and rng.random() < 0.35:
            person.join_ts = start_ts + int(span * rng.uniform(0.03, 0.9))
        if idx >= 3 and rng.random() < 0.2:
            earliest = (person.join_ts or start_ts) + 90 * DAY
            if earliest < end_ts - 14 * DAY:
                person.leave_ts = rng.randint(earliest, end_ts - 14 * DAY)
        people.append(person)
    return people


def make_timestamps(rng: random.Random, count: int, start_ord: int, end_ord: int) -> list[int]:
    """Sorted commit times: weekdays, office hours, activity growing as the KB matures."""
    days = list(range(start_ord + 1, end_ord + 1))
    span = max(1, len(days))
    weights = [
        (0.12 if dt.date.fromordinal(d).weekday() >= 5 else 1.0) * (0.6 + 0.8 * k / span)
        for k, d in enumerate(days)
    ]
    picked = rng.choices(days, weights, k=max(0, count - 1))
    stamps = []
    for day in picked:
        second = int(min(21.5, max(6.0, rng.gauss(13.5, 2.8))) * 3600) + rng.randint(0, 59)
        stamps.append((day - EPOCH_ORDINAL) * DAY + second)
    stamps.sort()
    return [(start_ord - EPOCH_ORDINAL) * DAY + 9 * 3600, *stamps]


# --------------------------------------------------------------------------------------
# fast-import stream
# --------------------------------------------------------------------------------------


# fast-import allocates and frees a large buffer per tree it writes; by default glibc hands
# that memory back to the kernel every time, and the page faults cost ~25% of its CPU.
MALLOC_TUNABLES = (
    "glibc.malloc.trim_threshold=536870912:glibc.malloc.top_pad=268435456:"
    "glibc.malloc.mmap_threshold=536870912"
)


class FastImport:
    """One ``git fast-import`` process fed through a large buffered pipe."""

    def __init__(self, repo: Path, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            ["git", "fast-import", "--quiet", "--done"],
            cwd=repo,
            env={**env, "GLIBC_TUNABLES": MALLOC_TUNABLES},
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            bufsize=1 << 20,
        )
        assert self.proc.stdin is not None
        self.out: IO[bytes] = self.proc.stdin
        self.commits = 0

    def commit(
        self, person: Person, email: str, ts: int, message: str, ops: Iterable[bytes]
    ) -> None:
        """Write one commit on refs/heads/main; ``ops`` are prepared file commands."""
        ident = f"{person.name} <{email}> {ts} {person.tz}".encode()
        msg = message.encode()
        write = self.out.write
        write(b"commit refs/heads/main\nauthor " + ident + b"\ncommitter " + ident + b"\n")
        write(b"data %d\n" % len(msg) + msg + b"\n")
        self.out.writelines(ops)
        write(b"\n")
        self.commits += 1

    def abort(self) -> None:
        """End the stream without ``done``: with ``--done`` git then refuses to finish."""
        self.out.close()
        self.proc.wait()

    def close(self) -> None:
        """Finish the stream and fail loudly if git rejected any of it."""
        self.out.write(b"done\n")
        self.out.close()
        if self.proc.wait() != 0:
            raise SystemExit(f"git fast-import failed with exit code {self.proc.returncode}")


def op_modify(path: str, content: bytes) -> bytes:
    """An inline ``M`` command (no marks needed: the blob travels with the commit)."""
    return b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(content), content)


def op_delete(path: str) -> bytes:
    """A ``D`` command."""
    return b"D %s\n" % path.encode()


def op_rename(old: str, new: str) -> bytes:
    """An ``R`` command: the same tree change as deleting ``old`` and adding its blob as ``new``,
    without re-sending the content."""
    return b"R %s %s\n" % (old.encode(), new.encode())


# --------------------------------------------------------------------------------------
# History simulation
# --------------------------------------------------------------------------------------


@dataclass
class Options:
    """Parsed command line."""

    out_dir: Path
    cards: int
    commits: int
    seed: int
    authors: int
    years: int
    end_date: dt.date
    folder_size: int
    gc: bool


@dataclass
class Stats:
    """What was generated, for the summary."""

    created: int = 0
    deleted: int = 0
    renamed: int = 0
    verifications: int = 0
    kinds: Counter[str] = field(default_factory=Counter)


class History:
    """Plans the commit sequence and replays it into a fast-import stream."""

    def __init__(self, opts: Options, stream: FastImport) -> None:
        self.opts = opts
        self.rng = random.Random(opts.seed)
        self.stream = stream
        self.end_ord = opts.end_date.toordinal()
        self.start_ord = _years_before(opts.end_date, opts.years).toordinal()
        self.times = make_timestamps(self.rng, opts.commits, self.start_ord, self.end_ord)
        start_ts = self.times[0]
        end_ts = (self.end_ord - EPOCH_ORDINAL + 1) * DAY
        self.roster = Roster(make_people(self.rng, opts.authors, start_ts, end_ts))
        self.live = CardPool()
        self.by_folder: dict[str, CardPool] = {}
        self.paths: set[str] = set()
        layout = plan_folders(opts.cards, opts.folder_size)
        self.folders = [folder for folder, _ in layout]
        self.folder_cum = list(itertools.accumulate(weight for _, weight in layout))
        self.tags = _tag_universe()
        self.tag_cum = list(itertools.accumulate(1 / (k + 1) ** 0.7 for k in range(len(self.tags))))
        self.stats = Stats()
        self.kinds: list[str] = ["init"] + [""] * (opts.commits - 1)
        self.create_counts: dict[int, int] = {}
        self.roster_events: dict[int, tuple[str, Person]] = {}
        self.initial_cards = opts.cards
        self._plan()

    # ---- planning ------------------------------------------------------------------

    def _plan(self) -> None:
        """Assign a kind to every commit slot: roster changes, bulk re-verifications, card
        creations, then a time-dependent mix of edits, verifications and housekeeping."""
        self._place_roster_events()
        self._place_bulk_verifications()
        self._place_creations()
        for i, kind in enumerate(self.kinds):
            if not kind:
                self.kinds[i] = self._pick_kind(i / len(self.kinds))
        self._ensure_kinds("rename", "delete")

    def _ensure_kinds(self, *kinds: str) -> None:
        """Small histories still get at least one of each rare kind, so tests and
        benchmarks of ``--follow`` and deleted-card handling always have something to find."""
        for kind in kinds:
            edits = [i for i, k in enumerate(self.kinds) if k == "edit"]
            if kind not in self.kinds and edits:
                self.kinds[self.rng.choice(edits)] = kind

    def _free_slot_near(self, index: int) -> int | None:
        """The free slot closest to ``index`` (searching forward first)."""
        n = len(self.kinds)
        for delta in range(n):
            for cand in (index + delta, index - delta):
                if 1 <= cand < n and not self.kinds[cand]:
                    return cand
        return None

    def _place_roster_events(self) -> None:
        """Joins and leaves become commits that edit people.yaml.  If the history is too
        short to hold them, the person is simply present (or marked left) from the start."""
        budget = (len(self.kinds) - 1) // 4
        for person in self.roster.people:
            for event, ts in (("join", person.join_ts), ("leave", person.leave_ts)):
                if ts is None:
                    continue
                slot = None
                if budget > 0:
                    slot = self._free_slot_near(max(1, bisect.bisect_left(self.times, ts)))
                if slot is None:
                    if event == "leave":
                        person.left = local_ordinal(ts, person.tz_seconds)
                    continue
                if event == "leave" and person.join_ts is not None:
                    join_slots = [
                        s for s, (e, p) in self.roster_events.items() if p is person and e == "join"
                    ]
                    if join_slots and slot <= join_slots[0]:
                        continue
                self.kinds[slot] = event
                self.roster_events[slot] = (event, person)
                budget -= 1
        joined_later = {p.handle for e, p in self.roster_events.values() if e == "join"}
        for person in self.roster.people:
            person.listed = person.handle not in joined_later
        self.roster.refresh()

    def _place_bulk_verifications(self) -> None:
        """A few campaign-style re-verifications, half of them in the last fifth of history."""
        n = len(self.kinds)
        if n < 30:
            return
        count = max(2, n // 1500)
        for k in range(count):
            low = int(n * 0.8) if k % 2 == 0 else 1
            slot = self._free_slot_near(self.rng.randint(low, n - 1))
            if slot is not None:
                self.kinds[slot] = "bulk"

    def _place_creations(self) -> None:
        """About 40% of the cards arrive in the initial import; the rest are spread over a
        quarter of the remaining commits in batches of varying size."""
        total = self.opts.cards
        free = [i for i, kind in enumerate(self.kinds) if not kind]
        later = total - max(1, round(total * 0.4))
        slots = min(len(free), max(1, round(len(self.kinds) * 0.25)), later)
        if slots <= 0 or later <= 0:
            return
        self.initial_cards = total - later
        chosen = sorted(self.rng.sample(free, slots))
        cuts = sorted(self.rng.sample(range(1, later), slots - 1)) if slots > 1 else []
        sizes = [b - a for a, b in zip([0, *cuts], [*cuts, later], strict=True)]
        for slot, size in zip(chosen, sizes, strict=True):
            self.kinds[slot] = "create"
            self.create_counts[slot] = size

    def _pick_kind(self, frac: float) -> str:
        """Everyday work; verification becomes more common as the team adopts the process."""
        weights = {
            "edit": 40.0,
            "verify": 18.0 + 45.0 * frac * frac,
            "owner": 4.0,
            "meta": 5.0,
            "status": 3.0,
            "rename": 1.5,
            "delete": 0.5,
        }
        return self.rng.choices(list(weights), list(weights.values()))[0]

    # ---- replay --------------------------------------------------------------------

    def run(self) -> None:
        """Replay the plan commit by commit, in chronological order."""
        handlers: dict[str, Callable[[int], None]] = {
            "create": self._commit_create,
            "edit": self._commit_edit,
            "verify": self._commit_verify,
            "bulk": self._commit_bulk,
            "owner": self._commit_owner,
            "meta": self._commit_meta,
            "status": self._commit_status,
            "rename": self._commit_rename,
            "delete": self._commit_delete,
            "join": self._commit_roster,
            "leave": self._commit_roster,
        }
        self._commit_initial()
        for slot in range(1, len(self.kinds)):
            kind = self.kinds[slot]
            handlers[kind](slot)
            self.stats.kinds[kind] += 1

    def _emit(self, slot: int, author: Person, message: str, ops: Iterable[bytes]) -> None:
        """Write a commit; authors occasionally use their second address (mailmap fodder)."""
        email = (
            author.emails[-1]
            if len(author.emails) > 1 and self.rng.random() < 0.2
            else author.emails[0]
        )
        self.stream.commit(author, email, self.times[slot], message + "\n", ops)

    def _today(self, slot: int, person: Person) -> int:
        """The author's date for verified_at, never after --end-date (kb would read a
        future verified_at as invalid)."""
        return min(local_ordinal(self.times[slot], person.tz_seconds), self.end_ord)

    def _commit_initial(self) -> None:
        """Import of the existing KB: config, roster and the first batch of cards, with
        verification stamps from the old system (up to 400 days before the import)."""
        author = self.roster.people[0]
        self.stats.kinds["init"] += 1
        message = f"Import existing knowledge base ({self.initial_cards} cards)"
        self._emit(0, author, message, self._initial_ops(author))

    def _initial_ops(self, author: Person) -> Iterator[bytes]:
        """A generator, so the biggest commit streams into git instead of sitting in memory."""
        yield op_modify("kb.toml", _kb_toml())
        yield op_modify("people.yaml", self.roster.render())
        yield op_modify("README.md", _readme())
        for _ in range(self.initial_cards):
            card = self._new_card(0, author, self._random_folder(), initial=True)
            yield op_modify(card.path, render_card(card))

    def _commit_create(self, slot: int) -> None:
        """A batch of new cards, mostly in one folder (someone documenting an area)."""
        author = self.roster.pick(self.rng)
        count = self.create_counts[slot]
        home = self._random_folder()
        ops = []
        titles = []
        for _ in range(count):
            folder = home if self.rng.random() < 0.85 else self._random_folder()
            card = self._new_card(slot, author, folder, initial=False)
            ops.append(op_modify(card.path, render_card(card)))
            titles.append(card.title)
        message = f"Add {titles[0]}" if count == 1 else f"Add {count} cards"
        self._emit(slot, author, message, ops)

    def _commit_edit(self, slot: int) -> None:
        """Body edits: rewrite one section, add one, or drop an extra one; sometimes the
        editor re-verifies the card while at it."""
        author = self.roster.pick(self.rng)
        first = self.live.pick(self.rng)
        touched = [first]
        if self.rng.random() < 0.2:
            neighbours = self.by_folder[first.folder].sample(self.rng, self.rng.randint(2, 3))
            touched += [c for c in neighbours if c is not first]
        for card in touched:
            roll = self.rng.random()
            layout_len = len(card.plan.layout)
            if roll < 0.2 and len(card.revs) < MAX_SECTIONS:
                card.revs.append(0)
            elif roll < 0.27 and len(card.revs) > layout_len:
                card.revs.pop()
            else:
                card.revs[self.rng.randrange(len(card.revs))] += 1
            if self.rng.random() < 0.25 and not card.neglected:
                card.verified_at = self._today(slot, author)
                self.stats.verifications += 1
        message = f"Edit {touched[0].title}" if len(touched) == 1 else f"Edit {len(touched)} cards"
        self._emit(slot, author, message, [op_modify(c.path, render_card(c)) for c in touched])

    def _commit_verify(self, slot: int) -> None:
        """Only the verified_at line changes; usually by the owner of the first card, who
        then checks a few more cards in the same folder."""
        first = self._pick_for_verification(self.live)
        owner = self.roster.active_owner(first.owner)
        author = (
            owner if owner is not None and self.rng.random() < 0.75 else self.roster.pick(self.rng)
        )
        extra = int(self.rng.expovariate(1 / self._verify_batch_mean()))
        cards = {first.num: first}
        neighbours = self.by_folder[first.folder]
        for _ in range(extra):
            card = self._pick_for_verification(neighbours)
            cards[card.num] = card
        today = self._today(slot, author)
        for card in cards.values():
            card.verified_at = today
        self.stats.verifications += len(cards)
        message = (
            f"Mark {first.title} as verified"
            if len(cards) == 1
            else f"Mark {len(cards)} cards as verified"
        )
        self._emit(
            slot, author, message, [op_modify(c.path, render_card(c)) for c in cards.values()]
        )

    def _commit_bulk(self, slot: int) -> None:
        """A campaign re-stamping 20-200 cards of one area at once without touching their
        bodies (the area is a folder and its parent folder's direct cards)."""
        author = self.roster.pick(self.rng)
        folder = self.live.pick(self.rng).folder
        pools = [self.by_folder[folder]]
        parent = folder.rsplit("/", 1)[0]
        if parent != folder and parent in self.by_folder:
            pools.append(self.by_folder[parent])
        wanted = self.rng.randint(20, 200)
        cards = [c for pool in pools for c in pool.sample(self.rng, wanted) if not c.neglected]
        cards = cards[:wanted]
        today = self._today(slot, author)
        for card in cards:
            card.verified_at = today
        self.stats.verifications += len(cards)
        self._emit(
            slot,
            author,
            f"Bulk re-verify {len(cards)} cards after quarterly review",
            [op_modify(c.path, render_card(c)) for c in cards],
        )

    def _commit_owner(self, slot: int) -> None:
        """Reassign a card, preferring ones whose owner has left or is missing."""
        author = self.roster.pick(self.rng)
        candidates = self.live.sample(self.rng, 4)
        card = next(
            (c for c in candidates if self.roster.active_owner(c.owner) is None), candidates[0]
        )
        old = card.owner
        new_owner = (
            rng_team(self.rng) if self.rng.random() < 0.1 else self.roster.pick(self.rng).handle
        )
        card.owner = new_owner
        card.verifiers = [new_owner] + [v for v in card.verifiers if v not in (old, new_owner)]
        self._emit(
            slot,
            author,
            f"Reassign {card.title} from {old or 'nobody'} to {new_owner}",
            [op_modify(card.path, render_card(card))],
        )

    def _commit_meta(self, slot: int) -> None:
        """Front-matter housekeeping: tags, title wording or audience."""
        author = self.roster.pick(self.rng)
        card = self.live.pick(self.rng)
        roll = self.rng.random()
        if roll < 0.55:
            if len(card.tags) > 1 and self.rng.random() < 0.4:
                card.tags.pop(self.rng.randrange(1, len(card.tags)))
            else:
                tag = self._random_tags(1)[0]
                if tag not in card.tags:
                    card.tags.append(tag)
            message = f"Retag {card.title}"
        elif roll < 0.8:
            card.title = self._title(card.lang, card.seed + self.rng.randint(1, 1 << 30))
            message = f"Reword title of {card.path}"
        else:
            card.audience = "public" if card.audience == "internal" else "internal"
            message = f"Make {card.title} {card.audience}"
        self._emit(slot, author, message, [op_modify(card.path, render_card(card))])

    def _commit_status(self, slot: int) -> None:
        """Publish a draft, archive an obsolete card, or (rarely) bring one back."""
        author = self.roster.pick(self.rng)
        card = self.live.pick(self.rng)
        if card.status in ("draft", "archived"):
            card.status = "published"
        else:
            card.status = "archived" if self.rng.random() < 0.7 else "draft"
        verb = {"published": "Publish", "archived": "Archive", "draft": "Unpublish"}[card.status]
        self._emit(slot, author, f"{verb} {card.title}", [op_modify(card.path, render_card(card))])

    def _commit_rename(self, slot: int) -> None:
        """Move a card to another folder or give it a new file name; content is unchanged so
        git's rename detection (and ``git log --follow``) links the two paths."""
        author = self.roster.pick(self.rng)
        card = self.live.pick(self.rng)
        folder, name = card.path.rsplit("/", 1)
        if self.rng.random() < 0.5:
            new_folder = self._random_folder()
            stem = name[:-3]
        else:
            new_folder = folder
            stem = f"{name[:-3]}-{self.rng.choice(['guide', 'faq', 'legacy', 'howto', 'v2'])}"
        new_path = self._unique_path(new_folder, stem)
        self.paths.discard(card.path)
        self._unregister(card)
        old, card.path = card.path, new_path
        self._register(card)
        self.stats.renamed += 1
        self._emit(slot, author, f"Move {old} to {new_path}", [op_rename(old, new_path)])

    def _commit_delete(self, slot: int) -> None:
        """Remove an obsolete card (never the last one, so later edits always have a target)."""
        if len(self.live) <= 1:
            self._commit_edit(slot)
            return
        author = self.roster.pick(self.rng)
        card = self.live.pick(self.rng)
        self._unregister(card)
        self.paths.discard(card.path)
        self.stats.deleted += 1
        self._emit(slot, author, f"Remove obsolete card {card.title}", [op_delete(card.path)])

    def _commit_roster(self, slot: int) -> None:
        """Someone joins (added to people.yaml) or leaves (gets a ``left`` date)."""
        event, person = self.roster_events[slot]
        if event == "join":
            person.listed = True
            message = f"Add {person.handle} to people.yaml"
        else:
            person.left = self._today(slot, person)
            message = f"Mark {person.handle} as left"
        author = person if event == "join" else self.roster.pick(self.rng)
        self.roster.refresh()
        self._emit(slot, author, message, [op_modify("people.yaml", self.roster.render())])

    # ---- card helpers --------------------------------------------------------------

    def _new_card(self, slot: int, author: Person, folder: str, *, initial: bool) -> Card:
        """Create a card in ``folder`` and register it as live."""
        rng = self.rng
        seed = rng.getrandbits(40)
        lang = "ru" if rng.random() < 0.03 else None
        title = self._title(lang, seed)
        owner = self._initial_owner(author)
        verifiers = self._initial_verifiers(owner)
        every = weighted_choice(rng, VERIFY_EVERY_CHOICES)
        if initial:
            status = (
                "draft"
                if rng.random() < 0.03
                else "archived"
                if rng.random() < 0.03
                else "published"
            )
            verified = self.start_ord - rng.randint(0, 400) if rng.random() < 0.7 else None
        else:
            status = "draft" if rng.random() < 0.08 else "published"
            verified = self._today(slot, author) if rng.random() < 0.75 else None
        plan = card_plan(seed)
        card = Card(
            seed=seed,
            path="",
            title=title,
            owner=owner,
            verifiers=verifiers,
            verified_at=None,
            verify_every=every,
            tags=[],
            status=status,
            audience="public" if rng.random() < 0.3 else "internal",
            lang=lang,
            plan=plan,
            revs=[0] * len(plan.layout),
        )
        if not card.neglected:
            card.verified_at = verified
        top = folder.split("/", 1)[0]
        card.tags = ([top] if top in self.tags else []) + [
            t for t in self._random_tags(rng.randint(1, 3)) if t != top
        ]
        card.tags = list(dict.fromkeys(card.tags))
        card.path = self._unique_path(folder, slugify(title))
        card.num = self.stats.created
        self._register(card)
        self.stats.created += 1
        return card

    def _initial_owner(self, author: Person) -> str | None:
        """Mostly a person (often the author), sometimes a team, nobody, or a stale handle."""
        roll = self.rng.random()
        if roll < 0.05:
            return None
        if roll < 0.09:
            return rng_team(self.rng)
        if roll < 0.12:
            return self.rng.choice(GHOST_OWNERS)
        return author.handle if self.rng.random() < 0.6 else self.roster.pick(self.rng).handle

    def _initial_verifiers(self, owner: str | None) -> list[str]:
        """The owner, often their team, sometimes a colleague."""
        if owner is None:
            return []
        verifiers = [owner]
        person = self.roster.by_handle.get(owner)
        if person is not None and self.rng.random() < 0.4:
            verifiers.append(person.team)
        if self.rng.random() < 0.15:
            other = self.roster.pick(self.rng).handle
            if other not in verifiers:
                verifiers.append(other)
        return verifiers

    def _title(self, lang: str | None, seed: int) -> str:
        """A support-style title ("Refund a duplicate charge for enterprise customers")."""
        rng = random.Random(seed)
        if lang == "ru":
            return (
                f"Как {rng.choice(RU_TITLE_VERBS)} {rng.choice(RU_TITLE_OBJECTS)}"
                f"{rng.choice(RU_TITLE_QUALIFIERS)}"
            )
        return (
            f"{rng.choice(TITLE_VERBS)} {rng.choice(TITLE_OBJECTS)}{rng.choice(TITLE_QUALIFIERS)}"
        )

    def _random_folder(self) -> str:
        return self.rng.choices(self.folders, cum_weights=self.folder_cum)[0]

    def _random_tags(self, count: int) -> list[str]:
        """Tags follow a Zipf-like popularity curve over the ~200-tag universe."""
        return self.rng.choices(self.tags, cum_weights=self.tag_cum, k=count)

    def _unique_path(self, folder: str, stem: str) -> str:
        """``folder/stem.md``, suffixed -2, -3... when the name is taken."""
        path = f"{folder}/{stem}.md"
        n = 2
        while path in self.paths:
            path = f"{folder}/{stem}-{n}.md"
            n += 1
        self.paths.add(path)
        return path

    def _register(self, card: Card) -> None:
        """Make a card pickable, globally and within its folder."""
        self.live.add(card)
        self.by_folder.setdefault(card.folder, CardPool()).add(card)

    def _unregister(self, card: Card) -> None:
        self.live.remove(card)
        self.by_folder[card.folder].remove(card)

    def _pick_for_verification(self, pool: CardPool) -> Card:
        """People verify what looks stalest: the stalest of a few random cards, skipping
        neglected and archived ones when possible."""
        best: Card | None = None
        for _ in range(6):
            card = pool.pick(self.rng)
            if card.neglected or card.status == "archived":
                continue
            if best is None or (card.verified_at or 0) < (best.verified_at or 0):
                best = card
        return best if best is not None else pool.pick(self.rng)

    def _verify_batch_mean(self) -> float:
        """Extra cards per verification commit; scales with cards per commit so that the
        end state keeps a mix of verified, due and expired cards at any size ratio."""
        return max(0.5, 4.5 * self.opts.cards / max(1, self.opts.commits))

    # ---- summary -------------------------------------------------------------------

    def verification_mix(self) -> Counter[str]:
        """Final verification states relative to --end-date."""
        return Counter(
            verification_state(
                c.verified_at, c.verify_every or folder_cadence(c.path), self.end_ord
            )
            for c in self.live.items
        )


def rng_team(rng: random.Random) -> str:
    """A team handle (cards owned by a team rather than a person)."""
    return rng.choice(TEAMS)


def plan_folders(cards: int, folder_size: int) -> list[tuple[str, float]]:
    """Leaf folders and their share of new cards.

    Up to ~13k cards this is FOLDERS as is (34 folders).  Larger KBs get topic subfolders
    (``billing/refunds/enterprise``) so no folder grows far beyond ``folder_size`` cards.
    Why: real KBs that size are organised deeper, and git rewrites a whole tree object
    for every commit touching a folder, so 3,000-card folders would make fast-import (and
    every kb operation that reads trees) several times slower than a realistic layout.
    """
    total = sum(weight for _, weight in FOLDERS)
    layout: list[tuple[str, float]] = []
    for folder, weight in FOLDERS:
        expected = cards * weight / total
        parts = math.ceil(expected / folder_size) if expected > 1.5 * folder_size else 1
        if parts == 1:
            layout.append((folder, weight))
            continue
        share = weight / parts
        layout.append((folder, share))
        for k in range(parts - 1):
            name = SUBTOPICS[k % len(SUBTOPICS)]
            suffix = f"-{k // len(SUBTOPICS) + 1}" if k >= len(SUBTOPICS) else ""
            layout.append((f"{folder}/{name}{suffix}", share))
    return layout


def _tag_universe() -> list[str]:
    """About 200 tags: top-level folder names first (the most used), then topics, versions."""
    tops = [f.split("/", 1)[0] for f, _ in FOLDERS]
    return list(dict.fromkeys(tops + TAG_WORDS + VERSION_TAGS))


def _years_before(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` earlier (Feb 29 falls back to Feb 28)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _kb_toml() -> bytes:
    """kb.toml listing the top-level card folders (nested folders live inside them)."""
    tops = list(dict.fromkeys(f.split("/", 1)[0] for f, _ in FOLDERS))
    folders = ", ".join(f'"{t}"' for t in tops)
    overrides = "".join(
        f'[folders."{folder}"]\nverify_every = "{every}"\n\n'
        for folder, every in FOLDER_VERIFY_EVERY.items()
    )
    return (
        "# Generated by bench/generate.py\n"
        f"[cards]\nfolders = [{folders}]\n\n"
        f'[verification]\nverify_every = "{DEFAULT_VERIFY_EVERY}"\n'
        f'warn_within = "{WARN_WITHIN_DAYS}d"\n\n'
        f"{overrides}"
        '[handbook]\ntitle = "Generated KB"\n'
    ).encode()


def _readme() -> bytes:
    """A root README that is not a card (kb must only read the configured folders)."""
    return b"# Generated knowledge base\n\nCreated by bench/generate.py for kb benchmarks.\n"


# --------------------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------------------


def git_env() -> dict[str, str]:
    """Isolate git from the user's and system configuration (autocrlf, hooks, templates)."""
    env = dict(os.environ)
    env.update(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull, GIT_TERMINAL_PROMPT="0")
    return env


def git(repo: Path, *args: str, env: dict[str, str]) -> None:
    """Run a git command in ``repo`` and stop the generator if it fails."""
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, stdout=subprocess.DEVNULL)


def directory_size(root: Path) -> int:
    """Total bytes of regular files below ``root`` (what ``du -sb`` would say, roughly)."""
    total = 0
    stack = [root]
    while stack:
        with os.scandir(stack.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(Path(entry.path))
                elif entry.is_file(follow_symlinks=False):
                    total += entry.stat(follow_symlinks=False).st_size
    return total


def prepare_out_dir(out_dir: Path) -> None:
    """Refuse to write into a non-empty directory: the generator owns the whole repo."""
    if out_dir.exists() and any(out_dir.iterdir()):
        raise SystemExit(f"{out_dir} exists and is not empty")
    out_dir.mkdir(parents=True, exist_ok=True)


@dataclass
class Summary:
    """Figures printed after a run (and returned to callers importing this module)."""

    out_dir: Path
    cards: int
    commits: int
    created: int
    deleted: int
    renamed: int
    folders: int
    people: int
    left: int
    status: dict[str, int]
    verification: dict[str, int]
    kinds: dict[str, int]
    import_seconds: float
    elapsed_seconds: float
    git_dir_bytes: int
    repo_bytes: int

    def lines(self) -> list[str]:
        """Human-readable report; the ``cards:`` and ``commits:`` lines are for scripts."""
        mib = 1024 * 1024
        return [
            f"generated {self.out_dir}",
            f"cards: {self.cards}",
            f"commits: {self.commits}",
            f"created: {self.created}  deleted: {self.deleted}  renamed: {self.renamed}",
            f"folders: {self.folders}",
            f"people: {self.people} ({self.left} left)",
            f"status: {json.dumps(self.status, sort_keys=True)}",
            f"verification at end date: {json.dumps(self.verification)}",
            f"commit kinds: {json.dumps(self.kinds, sort_keys=True)}",
            f"elapsed: {self.elapsed_seconds:.1f} s "
            f"(history written after {self.import_seconds:.1f} s, then checkout)",
            f"repo size: {self.repo_bytes / mib:.1f} MiB (.git {self.git_dir_bytes / mib:.1f} MiB)",
        ]


def generate(opts: Options) -> Summary:
    """Build the repository and return summary figures."""
    started = time.monotonic()
    prepare_out_dir(opts.out_dir)
    env = git_env()
    git(opts.out_dir, "init", "-q", "-b", "main", env=env)
    stream = FastImport(opts.out_dir, env)
    history = History(opts, stream)
    try:
        history.run()
    except BaseException:
        stream.abort()
        raise
    stream.close()
    imported = time.monotonic()
    # Parallel checkout (one worker per core): writing 100k files is most of this step.
    git(opts.out_dir, "-c", "checkout.workers=0", "reset", "-q", "--hard", "main", env=env)
    if opts.gc:
        git(opts.out_dir, "gc", "-q", "--aggressive", env=env)
    elapsed = time.monotonic() - started
    mix = history.verification_mix()
    return Summary(
        out_dir=opts.out_dir,
        cards=len(history.live),
        commits=stream.commits,
        created=history.stats.created,
        deleted=history.stats.deleted,
        renamed=history.stats.renamed,
        folders=sum(1 for pool in history.by_folder.values() if len(pool)),
        people=len(history.roster.people),
        left=sum(p.left is not None for p in history.roster.people),
        status=dict(Counter(c.status for c in history.live.items)),
        verification={k: mix.get(k, 0) for k in ("verified", "due", "expired", "never")},
        kinds=dict(history.stats.kinds),
        import_seconds=imported - started,
        elapsed_seconds=elapsed,
        git_dir_bytes=directory_size(opts.out_dir / ".git"),
        repo_bytes=directory_size(opts.out_dir),
    )


def parse_args(argv: list[str] | None = None) -> Options:
    """Command-line options; see the module docstring for an example."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path, help="new or empty directory for the repository")
    parser.add_argument("--cards", type=int, default=2000, help="cards created over history")
    parser.add_argument("--commits", type=int, default=1000, help="total number of commits")
    parser.add_argument("--seed", type=int, default=1, help="random seed (output is deterministic)")
    parser.add_argument("--authors", type=int, default=40, help="people in the roster")
    parser.add_argument("--years", type=int, default=3, help="length of the simulated history")
    parser.add_argument(
        "--end-date",
        type=dt.date.fromisoformat,
        default=dt.date(2026, 11, 1),
        help="date of the last commit and 'today' for verification states",
    )
    parser.add_argument(
        "--folder-size",
        type=int,
        default=400,
        help="split folders into topic subfolders beyond about this many cards",
    )
    parser.add_argument("--gc", action="store_true", help="run git gc --aggressive afterwards")
    ns = parser.parse_args(argv)
    if min(ns.cards, ns.commits, ns.years, ns.folder_size) < 1 or ns.authors < 3:
        parser.error("--cards, --commits, --years, --folder-size must be >= 1; --authors >= 3")
    return Options(
        out_dir=ns.out_dir,
        cards=ns.cards,
        commits=ns.commits,
        seed=ns.seed,
        authors=ns.authors,
        years=ns.years,
        end_date=ns.end_date,
        folder_size=ns.folder_size,
        gc=ns.gc,
    )


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    opts = parse_args(argv)
    print("\n".join(generate(opts).lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
