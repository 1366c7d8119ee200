"""The Bolt app: each Slack request acknowledged at once, answered by a use case.

Socket Mode (no public URL); Bolt acknowledges as soon as ``ack()`` runs and the
listener goes on in its thread pool, so a search never risks Slack's 3-second limit.
Every handler answers the user with a clear message when a use case fails (a git
error, an unknown card) and logs, never raises, on anything unexpected: one bad
payload must not take the app down for everybody.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from kbcli.core import slack_blocks as blocks
from kbcli.errors import KbError

if TYPE_CHECKING:
    from slack_bolt import App
    from slack_sdk import WebClient

    from kbcli.usecases.checkout import Checkout

log = logging.getLogger("kbcli.cli.slack")
Respond = Callable[..., Any]


def build_app(checkout: Checkout, *, bot_token: str, client: WebClient | None = None) -> App:
    """A Bolt app serving ``checkout``; ``client`` points the Web API elsewhere (tests)."""
    from slack_bolt import App

    app = App(token=None if client else bot_token, client=client, logger=log)
    app.error(_on_error)
    handlers = Handlers(checkout)
    app.command("/kb")(handlers.command)
    app.shortcut(blocks.CAPTURE_SHORTCUT)(handlers.capture_shortcut)
    app.action(blocks.ACTION_CAPTURE_NEW)(handlers.capture_new)
    app.action(blocks.ACTION_CAPTURE_APPEND)(handlers.capture_append)
    app.action(blocks.ACTION_SHARE)(handlers.share)
    app.action(blocks.ACTION_ASK)(handlers.ask_button)
    app.action(blocks.ACTION_VERIFY)(handlers.verify)
    app.event("link_shared")(handlers.link_shared)
    return app


def _on_error(error: Exception, body: dict[str, Any]) -> None:
    log.error("kb slack: a request failed (%s): %s", type(error).__name__, error)


def _guarded(work: Callable[[], dict[str, Any] | None], respond: Respond | None) -> None:
    """Run ``work``; send its message (ephemeral unless it says otherwise), or the error."""
    from slack_sdk.errors import SlackApiError

    try:
        message = work()
    except KbError as error:
        message = blocks.error_message(str(error))
    except SlackApiError as error:  # Slack refused a call (a thread gone, a missing scope)
        log.warning("kb slack: %s", error)
        message = blocks.error_message(f"Slack refused: {_slack_error(error)}")
    except Exception as error:  # a bug or a malformed payload: log it, keep serving
        log.exception("kb slack: unexpected error")
        message = blocks.error_message(f"kb hit an unexpected error ({type(error).__name__})")
    if message is None or respond is None:
        return
    message.setdefault("response_type", "ephemeral")
    message.setdefault("replace_original", False)
    try:
        respond(message)
    except Exception:
        log.exception("kb slack: could not send the answer")


def _slack_error(error: Any) -> str:
    """``conversations.replies: thread_not_found`` from a SlackApiError."""
    response = getattr(error, "response", None)
    code = response.get("error") if response is not None else None
    method = str(getattr(response, "api_url", "") or "").rsplit("/", 1)[-1]
    return f"{method}: {code}" if method and code else str(code or error)


def _value(body: dict[str, Any]) -> str:
    actions = body.get("actions") or [{}]
    value = actions[0].get("value")
    if not isinstance(value, str):
        raise KbError("that button carried no value")
    return value


def _thread_ref(value: str) -> dict[str, str]:
    try:
        ref = json.loads(value)
    except ValueError:
        raise KbError("that button's thread reference is damaged") from None
    if not isinstance(ref, dict) or not all(isinstance(ref.get(k), str) for k in ("channel", "ts")):
        raise KbError("that button's thread reference is damaged")
    return {k: str(v) for k, v in ref.items()}


class Handlers:
    """One method per Slack request kind; each acknowledges first, then works."""

    def __init__(self, checkout: Checkout) -> None:
        self.checkout = checkout

    # ---- /kb QUERY and /kb ask QUESTION ---------------------------------------------

    def command(self, ack: Any, command: dict[str, Any], respond: Respond, client: Any) -> None:
        ack()
        text = str(command.get("text") or "").strip()
        user = str(command.get("user_id") or "")
        if text.lower() in ("", "help"):
            _guarded(lambda: blocks.error_message(HELP), respond)
        elif text.lower().startswith("ask ") or text.lower() == "ask":
            question = text[3:].strip()
            _guarded(lambda: self._ask(question, user, client), respond)
        else:
            _guarded(lambda: self._search(text, user), respond)

    def _search(self, query: str, user: str) -> dict[str, Any]:
        from kbcli.usecases.slack_answers import answer

        self._refresh()
        # The checkout syncs the index whenever HEAD moves: no freshness check per answer.
        return answer(self.checkout.workspace(), query, user or None, sync_first=False)

    def _refresh(self) -> None:
        error = self.checkout.refresh()
        if error:
            log.warning("kb slack: pull failed, answering from the last checkout: %s", error)

    def ask_button(self, ack: Any, body: dict[str, Any], respond: Respond, client: Any) -> None:
        ack()
        user = str((body.get("user") or {}).get("id") or "")
        _guarded(lambda: self._ask(_value(body), user, client), respond)

    def _ask(self, question: str, user: str, client: Any) -> dict[str, Any]:
        from kbcli.usecases.ask import ask

        if not question:
            raise KbError("ask a question: /kb ask How do I export invoices as CSV?")
        with self.checkout.lock:
            workspace = self.checkout.before_write()
            asker = self._handle(workspace, user, client) or (f"slack:{user}" if user else None)
            request = ask(workspace, question, asker=asker, source="Slack knowledge request")
            self._publish()
        person = workspace.config.roster.people.get(request.owner or "")
        mention = person.slack if person else None
        owner, warned = request.owner, request.warnings
        message = blocks.request_for_owner(question, request.path, user, mention, owner, warned)
        if mention:
            client.chat_postMessage(channel=mention, **message)
        return message

    def _handle(self, workspace: Any, user: str, client: Any) -> str | None:
        if not user:
            return None
        email = self._email(user, client)
        return workspace.config.roster.handle_for_slack(user, email)

    def _email(self, user: str, client: Any) -> str | None:
        from slack_sdk.errors import SlackApiError

        try:
            profile = client.users_info(user=user).get("user", {}).get("profile", {})
        except SlackApiError as error:
            log.warning("kb slack: users.info %s failed: %s", user, error.response.get("error"))
            return None
        email = profile.get("email") if isinstance(profile, dict) else None
        return email if isinstance(email, str) else None

    def _publish(self) -> None:
        self.checkout.publish()

    # ---- Share in channel ------------------------------------------------------------

    def share(self, ack: Any, body: dict[str, Any], respond: Respond) -> None:
        ack()
        from kbcli.usecases.slack_answers import share

        def work() -> dict[str, Any]:
            try:
                path = json.loads(_value(body))["path"]
            except (ValueError, KeyError, TypeError):
                raise KbError("that button's card reference is damaged") from None
            user = str((body.get("user") or {}).get("id") or "someone")
            return share(self.checkout.workspace(), str(path), user)

        _guarded(work, respond)

    # ---- Capture this thread ---------------------------------------------------------

    def capture_shortcut(
        self, ack: Any, shortcut: dict[str, Any], respond: Respond, client: Any
    ) -> None:
        ack()

        def work() -> dict[str, Any]:
            from kbcli.core.people import skipped_checks
            from kbcli.usecases.slack_capture import candidates, draft_of

            message = shortcut.get("message") or {}
            channel = shortcut.get("channel") or {}
            ref = {
                "channel": str(channel.get("id") or ""),
                "name": str(channel.get("name") or ""),
                "ts": str(message.get("thread_ts") or message.get("ts") or ""),
                "domain": str((shortcut.get("team") or {}).get("domain") or ""),
            }
            if not ref["channel"] or not ref["ts"]:
                raise KbError("Slack did not say which thread this is")
            workspace = self.checkout.workspace()
            thread, users = self._thread(client, ref)
            draft = draft_of(workspace, thread, users, _host(workspace, ref))
            found = candidates(workspace, draft)
            roster, url = workspace.config.roster, workspace.config.handbook.url
            return blocks.capture_choices(draft.title, found, ref, url, skipped_checks(roster))

        _guarded(work, respond)

    def capture_new(self, ack: Any, body: dict[str, Any], respond: Respond, client: Any) -> None:
        ack()
        _guarded(lambda: self._capture(_thread_ref(_value(body)), client, None), respond)

    def capture_append(self, ack: Any, body: dict[str, Any], respond: Respond, client: Any) -> None:
        ack()

        def work() -> dict[str, Any]:
            ref = _thread_ref(_value(body))
            return self._capture(ref, client, ref.get("card"))

        _guarded(work, respond)

    def _capture(self, ref: dict[str, str], client: Any, card: str | None) -> dict[str, Any]:
        from kbcli.usecases.slack_capture import save

        thread, users = self._thread(client, ref)
        saved = save(
            self.checkout, thread, users, _host(self.checkout.workspace(), ref), append_to=card
        )
        return blocks.captured(
            saved.path,
            saved.title,
            saved.created,
            saved.branch,
            saved.commit,
            blocks.capture_went(
                saved.branch, saved.pushed_to, saved.reviewed, saved.review_url, saved.review_error
            ),
            saved.review_url,
        )

    def _thread(self, client: Any, ref: dict[str, str]) -> tuple[Any, Any]:
        from kbcli.usecases.capture_slack import thread_from_api
        from kbcli.usecases.slack_capture import user_ids

        messages: list[Any] = []
        cursor = None
        for _ in range(50):  # 50 pages of 200: a thread longer than that is not one answer
            page = client.conversations_replies(
                channel=ref["channel"], ts=ref["ts"], limit=200, cursor=cursor
            )
            messages += page.get("messages") or []
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                break
        users = [found for uid in user_ids(messages) if (found := self._user(client, uid))]
        return thread_from_api(ref["channel"], ref.get("name", ""), messages, users)

    def _user(self, client: Any, uid: str) -> dict[str, Any] | None:
        """One user of a thread; None (the draft names them by id) when Slack has no such
        user any more: a deactivated guest must not stop the capture."""
        from slack_sdk.errors import SlackApiError

        try:
            found = client.users_info(user=uid).get("user")
        except SlackApiError as error:
            log.warning("kb slack: users.info %s failed: %s", uid, error.response.get("error"))
            return None
        return found if isinstance(found, dict) else None

    # ---- Verify ------------------------------------------------------------------------

    def verify(self, ack: Any, body: dict[str, Any], respond: Respond, client: Any) -> None:
        ack()

        def work() -> dict[str, Any]:
            from kbcli.usecases.verification import check_allowed, slack_me
            from kbcli.usecases.verification import verify as run_verify

            user = str((body.get("user") or {}).get("id") or "")
            path = _value(body)
            with self.checkout.lock:
                workspace = self.checkout.before_write()
                me = slack_me(workspace, user, self._email(user, client))
                card = workspace.card(path)
                check_allowed(workspace, [card], me, force=False, reason=None)
                outcome = run_verify(workspace, [card], me, via=f"Slack user {user}")
                self._publish()
            day = workspace.today.isoformat()
            done = blocks.verified(card.path, day, outcome.commit, me.signature)
            section = {"type": "section", "text": {"type": "mrkdwn", "text": done}}
            return {"text": f"verified {card.path} on {day}", "blocks": [section]}

        _guarded(work, respond)

    # ---- link unfurls ------------------------------------------------------------------

    def link_shared(self, event: dict[str, Any], client: Any) -> None:
        def work() -> dict[str, Any] | None:
            from kbcli.usecases.slack_answers import unfurls

            links = [str(link.get("url")) for link in event.get("links") or [] if link]
            found = unfurls(self.checkout.workspace(), links)
            if found:
                client.chat_unfurl(
                    channel=event.get("channel"), ts=event.get("message_ts"), unfurls=found
                )
            return None

        _guarded(work, None)


def _host(workspace: Any, ref: dict[str, str]) -> str | None:
    """The workspace address for permalinks: kb.toml [capture] slack_url, else Slack's team
    domain from the request."""
    if workspace.config.capture.slack_url:
        return None  # thread_draft uses slack_url itself
    return f"https://{ref['domain']}.slack.com" if ref.get("domain") else None


HELP = (
    "/kb QUERY searches the knowledge base (same query language as kb search, e.g. "
    "/kb refund tag:billing is:verified); /kb ask QUESTION asks an expert."
)


class Running:
    """A connected app: the Socket Mode handler and the thread that keeps the checkout current."""

    def __init__(self, handler: Any, stop: threading.Event) -> None:
        self.handler = handler
        self.stop = stop

    def close(self) -> None:
        self.stop.set()  # then 10 s at most: slack_sdk's close can wait forever (a race)
        closing = threading.Thread(target=self.handler.close, name="kb-slack-close", daemon=True)
        closing.start()
        closing.join(10.0)


def connect(
    checkout: Checkout, *, bot_token: str, app_token: str, api_url: str | None = None
) -> Running:
    """Connect in Socket Mode (Bolt reconnects by itself) and start the periodic pull."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler
    from slack_sdk import WebClient

    client = WebClient(token=bot_token, base_url=api_url) if api_url else None
    app = build_app(checkout, bot_token=bot_token, client=client)
    stop = threading.Event()

    def keep_current() -> None:
        while not stop.wait(checkout.pull_every):
            error = checkout.refresh(force=True)
            if error:
                log.warning("kb slack: git pull failed (will retry): %s", error)

    threading.Thread(target=keep_current, name="kb-pull", daemon=True).start()
    handler = SocketModeHandler(app, app_token)
    handler.connect()
    return Running(handler, stop)


def run(checkout: Checkout, *, bot_token: str, app_token: str, api_url: str | None) -> None:
    """Serve until interrupted."""
    running = connect(checkout, bot_token=bot_token, app_token=app_token, api_url=api_url)
    try:
        threading.Event().wait()
    finally:
        running.close()
