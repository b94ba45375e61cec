"""REST routes: interaction callbacks and the interaction webhook (followups, @original).

Discord's rules, as the fake applies them:

* The callback must come within 3 seconds of the interaction (configurable), else 404 10062
  "Unknown interaction"; a second callback gets 400 40060 "Interaction has already been
  acknowledged.". The token lives 15 minutes; after that the webhook answers 401 50027.
* ``?with_response=true`` returns an InteractionCallbackResponse
  (``{"interaction": {...}, "resource": {...}}``); without it the answer is 204.
* Types: 4 message, 5 deferred message ("thinking", a LOADING message), 6 deferred update and
  7 update (component and modal-submit-from-component interactions only), 8 autocomplete
  (autocomplete only), 9 modal (not for a modal submit).
* An ephemeral (flags 64) response or followup exists only for the interaction; others become
  channel messages with ``interaction_metadata`` and produce MESSAGE_CREATE.
* After a deferred type 5, the first followup replaces the loading message (and keeps the
  deferral's ephemerality).
"""

from __future__ import annotations

import copy
import time
from typing import Any

from . import errors
from .messages import (
    CHAT_INPUT_COMMAND,
    CONTEXT_MENU_COMMAND,
    DEFAULT,
    EPHEMERAL,
    LOADING,
    Author,
    MessageOptions,
    apply_edit,
    new_message,
)
from .rest_channels import make_attachments
from .rest_core import Reply, Req, RestApi
from .state import InteractionCallback, InteractionRecord, StoredMessage
from .validation import validate_message_body, validate_modal

JSON = dict[str, Any]

PING, APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 1, 2, 3, 4, 5
ALLOWED_CALLBACKS = {
    APPLICATION_COMMAND: {4, 5, 9},
    MESSAGE_COMPONENT: {4, 5, 6, 7, 9},
    AUTOCOMPLETE: {8},
    MODAL_SUBMIT: {4, 5, 6, 7},
}


def register(api: RestApi) -> None:
    state = api.state
    events = api.events
    app_author = Author(state.bot_user, via_application=True)

    def metadata(record: InteractionRecord) -> JSON:
        data: JSON = {
            "id": str(record.id),
            "type": record.type,
            "user": state.users[record.user_id].payload(),
            "authorizing_integration_owners": {"0": str(record.guild_id)}
            if record.guild_id
            else {"1": str(record.user_id)},
        }
        if record.original_message_id is not None:
            data["original_response_message_id"] = str(record.original_message_id)
        if record.source_message_id is not None:
            data["interacted_message_id"] = str(record.source_message_id)
        inner = record.payload.get("data") or {}
        if record.type == APPLICATION_COMMAND and inner.get("target_id"):
            key = "target_message_id" if inner.get("type") == 3 else "target_user_id"
            data[key] = inner["target_id"]
        return data

    def message_type(record: InteractionRecord) -> int:
        if record.type != APPLICATION_COMMAND:
            return DEFAULT
        return (
            CHAT_INPUT_COMMAND
            if (record.payload["data"].get("type") or 1) == 1
            else CONTEXT_MENU_COMMAND
        )

    def create(
        record: InteractionRecord, body: JSON, *, ephemeral: bool, loading: bool, req: Req
    ) -> StoredMessage:
        channel = state.channel(record.channel_id)
        attachments = make_attachments(state, api.config.base_url, channel.id, body, req.files)
        options = MessageOptions(
            msg_type=message_type(record),
            interaction_metadata=metadata(record),
            ephemeral_for=record.user_id if ephemeral else None,
            flags_extra=LOADING if loading else 0,
            attachments=attachments,
        )
        stored = new_message(state, channel, app_author, body, options)
        if record.type == APPLICATION_COMMAND:
            name = _command_name(record.payload["data"])
            stored.data["interaction"] = {
                "id": str(record.id),
                "type": record.type,
                "name": name,
                "user": state.users[record.user_id].payload(),
            }
        stored.ready_at = time.monotonic()
        state.add_message(stored)
        if not ephemeral:
            events.message_create(stored)
        return stored

    def edit(stored: StoredMessage, body: JSON, req: Req) -> None:
        attachments = make_attachments(
            state, api.config.base_url, stored.channel_id, body, req.files
        )
        apply_edit(state, stored, body, author=app_author, new_attachments=attachments)
        if stored.ephemeral_for is None:
            events.message_update(stored)

    # ---- the callback -----------------------------------------------------------------------
    @api.route("POST", "/interactions/{interaction_id}/{interaction_token}/callback", auth=False)
    async def callback(req: Req) -> Reply | None:
        record = state.interactions.get(
            int(req.params["interaction_id"]) if req.params["interaction_id"].isdigit() else -1
        )
        if record is None or record.token != req.params["interaction_token"]:
            raise errors.not_found(errors.UNKNOWN_INTERACTION)
        if record.callback is not None:
            raise errors.already_acknowledged()
        deadline = api.config.interaction_ack_timeout
        if deadline is not None and time.monotonic() - record.created_at > deadline:
            raise errors.not_found(errors.UNKNOWN_INTERACTION)
        body = req.body()
        ctype = body.get("type")
        data = body.get("data")
        if ctype not in ALLOWED_CALLBACKS.get(record.type, set()) or (
            ctype in (6, 7) and record.source_message_id is None
        ):
            raise errors.form_error(
                errors.field_error(
                    ["type"],
                    "INTERACTION_RESPONSE_TYPE_INVALID",
                    "Invalid interaction response type",
                )
            )
        resource: JSON = {"type": ctype}
        if ctype == 4:
            validate_message_body((data or {}) | ({"attachments": [1]} if req.files else {}))
            stored = create(
                record,
                data or {},
                ephemeral=bool(int((data or {}).get("flags") or 0) & EPHEMERAL),
                loading=False,
                req=req,
            )
            record.original_message_id = stored.id
            resource["message"] = copy.deepcopy(stored.data)
        elif ctype == 5:
            stored = create(
                record,
                {"content": ""},
                ephemeral=bool(int((data or {}).get("flags") or 0) & EPHEMERAL),
                loading=True,
                req=req,
            )
            record.original_message_id = stored.id
            record.loading = True
            resource["message"] = copy.deepcopy(stored.data)
        elif ctype in (6, 7):
            source = state.messages[record.source_message_id or 0]
            if ctype == 7:
                validate_message_body(data or {}, editing=True)
                edit(source, data or {}, req)
            record.original_message_id = source.id
            resource["message"] = copy.deepcopy(source.data)
        elif ctype == 9:
            validate_modal(data or {})
        record.callback = InteractionCallback(
            ctype, copy.deepcopy(data) if data is not None else None
        )
        record.responded.set()
        if req.query.get("with_response") not in ("1", "true", "True"):
            return None
        interaction: JSON = {
            "id": str(record.id),
            "type": record.type,
            "activity_instance_id": None,
            "response_message_id": None,
            "response_message_loading": record.loading,
            "response_message_ephemeral": False,
        }
        if record.original_message_id is not None:
            original = state.messages[record.original_message_id]
            interaction["response_message_id"] = str(original.id)
            interaction["response_message_ephemeral"] = original.ephemeral_for is not None
        return Reply({"interaction": interaction, "resource": resource})

    # ---- the interaction webhook ------------------------------------------------------------
    def webhook_record(req: Req) -> InteractionRecord:
        record = state.interactions_by_token.get(req.params["interaction_token"])
        if req.params["application_id"] != str(state.application_id):
            raise errors.not_found(errors.UNKNOWN_WEBHOOK)
        if (
            record is None
            or time.monotonic() - record.created_at > api.config.interaction_token_lifetime
        ):
            raise errors.invalid_webhook_token()
        if record.callback is None:
            raise errors.not_found(errors.UNKNOWN_WEBHOOK)
        return record

    def owned_message(record: InteractionRecord, message_id: str) -> StoredMessage:
        if message_id == "@original":
            target = record.original_message_id
        else:
            target = int(message_id) if message_id.isdigit() else -1
            if target != record.original_message_id and target not in record.followup_ids:
                target = None
        stored = state.messages.get(target) if target is not None else None
        if stored is None or stored.deleted:
            raise errors.not_found(errors.UNKNOWN_MESSAGE)
        return stored

    @api.route("POST", "/webhooks/{application_id}/{interaction_token}", auth=False)
    async def followup(req: Req) -> JSON | None:
        record = webhook_record(req)
        body = req.body()
        validate_message_body(body | ({"attachments": [1]} if req.files else {}))
        if record.loading and record.original_message_id is not None:
            stored = state.messages[record.original_message_id]
            edit(stored, {k: v for k, v in body.items() if k != "flags"}, req)
            record.loading = False
        else:
            ephemeral = bool(int(body.get("flags") or 0) & EPHEMERAL)
            stored = create(record, body, ephemeral=ephemeral, loading=False, req=req)
        record.followup_ids.append(stored.id)
        if req.query.get("wait") in ("1", "true", "True"):
            return copy.deepcopy(stored.data)
        return None

    async def get_webhook_message(req: Req) -> JSON:
        return copy.deepcopy(owned_message(webhook_record(req), req.params["message_id"]).data)

    async def edit_webhook_message(req: Req) -> JSON:
        record = webhook_record(req)
        stored = owned_message(record, req.params["message_id"])
        body = req.body()
        validate_message_body(body, editing=True)
        edit(stored, body, req)
        if stored.id == record.original_message_id:
            record.loading = False
        return copy.deepcopy(stored.data)

    async def delete_webhook_message(req: Req) -> None:
        stored = owned_message(webhook_record(req), req.params["message_id"])
        stored.deleted = True
        if stored.ephemeral_for is None:
            events.message_delete(stored)

    # "{message_id}" is either a followup's id or "@original".
    message_route = "/webhooks/{application_id}/{interaction_token}/messages/{message_id}"
    api.route("GET", message_route, auth=False)(get_webhook_message)
    api.route("PATCH", message_route, auth=False)(edit_webhook_message)
    api.route("DELETE", message_route, auth=False)(delete_webhook_message)


def _command_name(data: JSON) -> str:
    """The full command name ("group settings") from an application-command payload."""
    parts = [str(data.get("name"))]
    options = data.get("options") or []
    while options and options[0].get("type") in (1, 2):
        parts.append(str(options[0]["name"]))
        options = options[0].get("options") or []
    return " ".join(parts)
