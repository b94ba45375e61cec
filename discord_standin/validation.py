"""Request-body validation with Discord's limits, answered as Discord does: 400, code 50035
"Invalid Form Body" and a nested ``errors`` object naming the field.

Limits are the documented ones: content 2000 characters; up to 10 embeds with title 256,
description 4096, 25 fields (name 256, value 1024), footer 2048, author 256, 6000 characters in
all; up to 5 action rows of up to 5 buttons or one select; custom_id 1-100 characters, unique
within a message; button label 80; select options 25, placeholder 150; components v2 (flag
32768) excludes content and embeds and allows 40 components; modals: title 45, 1-5
components, text input label 45, value and lengths up to 4000; application commands: names
1-32 lowercase, descriptions 1-100, 25 options, required options first, 25 choices.
"""

from __future__ import annotations

import re
from typing import Any

from .errors import DiscordError, field_error, form_error, merge_errors

JSON = dict[str, Any]
Path = list[str | int]

IS_COMPONENTS_V2 = 1 << 15
EPHEMERAL = 1 << 6
SUPPRESS_EMBEDS = 1 << 2
SUPPRESS_NOTIFICATIONS = 1 << 12

ACTION_ROW, BUTTON, STRING_SELECT, TEXT_INPUT = 1, 2, 3, 4
AUTO_SELECTS = frozenset({5, 6, 7, 8})  # user, role, mentionable, channel selects
SECTION, TEXT_DISPLAY, THUMBNAIL, MEDIA_GALLERY, FILE, SEPARATOR, CONTAINER, LABEL = (
    9,
    10,
    11,
    12,
    13,
    14,
    17,
    18,
)
V2_TOP_LEVEL = frozenset(
    {ACTION_ROW, SECTION, TEXT_DISPLAY, MEDIA_GALLERY, FILE, SEPARATOR, CONTAINER}
)


class _Errors:
    """Collects field errors, then raises one 50035 with all of them."""

    def __init__(self) -> None:
        self.tree: JSON = {}

    def add(self, path: Path, code: str, message: str) -> None:
        merge_errors(self.tree, field_error(path, code, message))

    def max_length(self, path: Path, value: object, limit: int) -> None:
        if isinstance(value, str) and len(value) > limit:
            self.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")

    def length_between(self, path: Path, value: object, low: int, high: int) -> None:
        if not isinstance(value, str) or not low <= len(value) <= high:
            self.add(
                path,
                "BASE_TYPE_BAD_LENGTH",
                f"Must be between {low} and {high} in length.",
            )

    def raise_if_any(self) -> None:
        if self.tree:
            raise form_error(self.tree)


# ---- messages ---------------------------------------------------------------------------------
def validate_message_body(body: JSON, *, editing: bool = False) -> None:
    """Validate a create/edit message body (channel messages, interaction responses,
    webhook/followup messages). Raises ``DiscordError`` like Discord."""
    err = _Errors()
    flags = int(body.get("flags") or 0)
    content = body.get("content")
    embeds = body.get("embeds") or []
    components = body.get("components") or []
    if content is not None and not isinstance(content, str):
        err.add(["content"], "BASE_TYPE_STRING", "Must be a string.")
    err.max_length(["content"], content, 2000)
    if flags & IS_COMPONENTS_V2:
        if content:
            err.add(
                ["content"],
                "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
                "The 'content' field cannot be used when using MessageFlags.IS_COMPONENTS_V2",
            )
        if embeds:
            err.add(
                ["embeds"],
                "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
                "The 'embeds' field cannot be used when using MessageFlags.IS_COMPONENTS_V2",
            )
    _validate_embeds(err, embeds)
    _validate_components(err, components, v2=bool(flags & IS_COMPONENTS_V2))
    _validate_allowed_mentions(err, body.get("allowed_mentions"))
    err.raise_if_any()
    if not editing and not (
        content
        or embeds
        or components
        or body.get("sticker_ids")
        or body.get("attachments")
        or body.get("poll")
    ):
        raise DiscordError(400, 50006, "Cannot send an empty message")


def _validate_embeds(err: _Errors, embeds: Any) -> None:
    if not isinstance(embeds, list):
        err.add(["embeds"], "BASE_TYPE_ARRAY", "Must be an array.")
        return
    if len(embeds) > 10:
        err.add(["embeds"], "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
    total = 0
    for i, embed in enumerate(embeds):
        path: Path = ["embeds", i]
        if not isinstance(embed, dict):
            err.add(path, "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType")
            continue
        for key, limit in (("title", 256), ("description", 4096)):
            err.max_length([*path, key], embed.get(key), limit)
            total += len(embed.get(key) or "")
        footer = embed.get("footer") or {}
        err.max_length([*path, "footer", "text"], footer.get("text"), 2048)
        total += len(footer.get("text") or "")
        author = embed.get("author") or {}
        err.max_length([*path, "author", "name"], author.get("name"), 256)
        total += len(author.get("name") or "")
        fields = embed.get("fields") or []
        if len(fields) > 25:
            err.add([*path, "fields"], "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
        for j, fld in enumerate(fields):
            fpath: Path = [*path, "fields", j]
            for key, limit in (("name", 256), ("value", 1024)):
                value = fld.get(key)
                if not value:
                    err.add([*fpath, key], "BASE_TYPE_REQUIRED", "This field is required")
                err.max_length([*fpath, key], value, limit)
                total += len(value or "")
    if total > 6000:
        err.add(["embeds"], "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000")


def _validate_components(err: _Errors, components: Any, *, v2: bool) -> None:
    if not isinstance(components, list):
        err.add(["components"], "BASE_TYPE_ARRAY", "Must be an array.")
        return
    seen: set[str] = set()
    count = [0]
    if not v2 and len(components) > 5:
        err.add(["components"], "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.")
    for i, component in enumerate(components):
        path: Path = ["components", i]
        ctype = component.get("type") if isinstance(component, dict) else None
        allowed = V2_TOP_LEVEL if v2 else {ACTION_ROW}
        if ctype not in allowed:
            err.add(
                [*path, "type"],
                "UNION_TYPE_CHOICES",
                f'Value of field "type" must be one of {sorted(allowed)}.',
            )
            continue
        _validate_component(err, component, path, seen, count)
    if v2 and count[0] > 40:
        err.add(["components"], "BASE_TYPE_MAX_LENGTH", "Must be 40 or fewer in length.")


def _validate_component(
    err: _Errors, component: JSON, path: Path, seen: set[str], count: list[int]
) -> None:
    count[0] += 1
    ctype = component.get("type")
    if ctype == ACTION_ROW:
        children = component.get("components") or []
        if not 1 <= len(children) <= 5:
            err.add(
                [*path, "components"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length."
            )
        kinds = {c.get("type") for c in children}
        if len(children) > 1 and kinds & ({STRING_SELECT} | AUTO_SELECTS):
            err.add(
                [*path, "components"],
                "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                "The specified component exceeds the maximum width",
            )
        for j, child in enumerate(children):
            _validate_component(err, child, [*path, "components", j], seen, count)
    elif ctype == BUTTON:
        _validate_button(err, component, path, seen)
    elif ctype == STRING_SELECT or ctype in AUTO_SELECTS:
        _check_custom_id(err, component, path, seen)
        err.max_length([*path, "placeholder"], component.get("placeholder"), 150)
        if ctype == STRING_SELECT:
            options = component.get("options") or []
            if not 1 <= len(options) <= 25:
                err.add(
                    [*path, "options"],
                    "BASE_TYPE_BAD_LENGTH",
                    "Must be between 1 and 25 in length.",
                )
            for k, option in enumerate(options):
                for key in ("label", "value"):
                    err.length_between([*path, "options", k, key], option.get(key), 1, 100)
                err.max_length([*path, "options", k, "description"], option.get("description"), 100)
    elif ctype in (SECTION, CONTAINER):
        for j, child in enumerate(component.get("components") or []):
            _validate_component(err, child, [*path, "components", j], seen, count)
        accessory = component.get("accessory")
        if isinstance(accessory, dict):
            _validate_component(err, accessory, [*path, "accessory"], seen, count)
    elif ctype == TEXT_DISPLAY:
        err.length_between([*path, "content"], component.get("content"), 1, 4000)


def _validate_button(err: _Errors, button: JSON, path: Path, seen: set[str]) -> None:
    style = button.get("style")
    if style not in (1, 2, 3, 4, 5, 6):
        err.add([*path, "style"], "BASE_TYPE_CHOICES", "Value must be one of (1, 2, 3, 4, 5, 6).")
        return
    err.max_length([*path, "label"], button.get("label"), 80)
    if style == 5:
        if not button.get("url"):
            err.add(
                [*path, "url"], "BUTTON_LINK_URL_REQUIRED", "A URL is required for a link button"
            )
        if "custom_id" in button:
            err.add(
                [*path, "custom_id"],
                "BUTTON_LINK_CUSTOM_ID_NOT_ALLOWED",
                "A custom id cannot be set on a link button",
            )
    elif style in (1, 2, 3, 4):
        _check_custom_id(err, button, path, seen)
        if not button.get("label") and not button.get("emoji"):
            err.add(
                [*path, "label"], "BUTTON_LABEL_OR_EMOJI_REQUIRED", "A label or emoji is required"
            )


def _check_custom_id(err: _Errors, component: JSON, path: Path, seen: set[str]) -> None:
    custom_id = component.get("custom_id")
    if not isinstance(custom_id, str) or not custom_id:
        err.add([*path, "custom_id"], "BASE_TYPE_REQUIRED", "This field is required")
        return
    err.max_length([*path, "custom_id"], custom_id, 100)
    if custom_id in seen:
        err.add(
            [*path, "custom_id"],
            "COMPONENT_CUSTOM_ID_DUPLICATED",
            "Component custom id cannot be duplicated",
        )
    seen.add(custom_id)


def _validate_allowed_mentions(err: _Errors, allowed: Any) -> None:
    if allowed is None:
        return
    parse = allowed.get("parse") or []
    for i, kind in enumerate(parse):
        if kind not in ("roles", "users", "everyone"):
            err.add(
                ["allowed_mentions", "parse", i],
                "BASE_TYPE_CHOICES",
                "Value must be one of ('roles', 'users', 'everyone').",
            )
    for kind in ("users", "roles"):
        if kind in parse and allowed.get(kind):
            err.add(
                ["allowed_mentions"],
                "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                f'parse:["{kind}"] and {kind}: [ids...] are mutually exclusive.',
            )
        if len(allowed.get(kind) or []) > 100:
            err.add(
                ["allowed_mentions", kind],
                "BASE_TYPE_MAX_LENGTH",
                "Must be 100 or fewer in length.",
            )


# ---- modals -----------------------------------------------------------------------------------
def validate_modal(data: JSON) -> None:
    """Validate the data of a MODAL (type 9) interaction callback."""
    err = _Errors()
    err.length_between(["data", "custom_id"], data.get("custom_id"), 1, 100)
    err.length_between(["data", "title"], data.get("title"), 1, 45)
    components = data.get("components") or []
    if not 1 <= len(components) <= 5:
        err.add(
            ["data", "components"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length."
        )
    for i, component in enumerate(components):
        path: Path = ["data", "components", i]
        ctype = component.get("type")
        if ctype == ACTION_ROW:
            for j, child in enumerate(component.get("components") or []):
                _validate_text_input(err, child, [*path, "components", j], in_label=False)
        elif ctype == LABEL:
            err.length_between([*path, "label"], component.get("label"), 1, 45)
            err.max_length([*path, "description"], component.get("description"), 100)
            child = component.get("component") or {}
            if child.get("type") == TEXT_INPUT:
                _validate_text_input(err, child, [*path, "component"], in_label=True)
            else:
                _check_custom_id(err, child, [*path, "component"], set())
        elif ctype != TEXT_DISPLAY:
            err.add(
                [*path, "type"],
                "UNION_TYPE_CHOICES",
                'Value of field "type" must be one of (1, 10, 18).',
            )
    err.raise_if_any()


def _validate_text_input(err: _Errors, text_input: JSON, path: Path, *, in_label: bool) -> None:
    if text_input.get("type") != TEXT_INPUT:
        err.add([*path, "type"], "UNION_TYPE_CHOICES", 'Value of field "type" must be one of (4,).')
        return
    _check_custom_id(err, text_input, path, set())
    if text_input.get("style") not in (1, 2):
        err.add([*path, "style"], "BASE_TYPE_CHOICES", "Value must be one of (1, 2).")
    if in_label:
        if "label" in text_input:
            err.add(
                [*path, "label"],
                "TEXT_INPUT_LABEL_NOT_ALLOWED",
                "label is not allowed inside a Label component",
            )
    else:
        err.length_between([*path, "label"], text_input.get("label"), 1, 45)
    err.max_length([*path, "placeholder"], text_input.get("placeholder"), 100)
    err.max_length([*path, "value"], text_input.get("value"), 4000)
    low = text_input.get("min_length")
    high = text_input.get("max_length")
    if low is not None and not 0 <= low <= 4000:
        err.add([*path, "min_length"], "NUMBER_TYPE_MAX", "int value should be between 0 and 4000.")
    if high is not None and not 1 <= high <= 4000:
        err.add([*path, "max_length"], "NUMBER_TYPE_MAX", "int value should be between 1 and 4000.")


# ---- application commands ---------------------------------------------------------------------
_NAME_RE = re.compile(r"^[-_\w]{1,32}$", re.UNICODE)
SUB_COMMAND, SUB_COMMAND_GROUP = 1, 2
#: Discord's locales (its Reference, "Locales"): the keys a ``*_localizations`` map may have.
LOCALES = frozenset(
    [
        "id",
        "da",
        "de",
        "en-GB",
        "en-US",
        "es-ES",
        "es-419",
        "fr",
        "hr",
        "it",
        "lt",
        "hu",
        "nl",
        "no",
        "pl",
        "pt-BR",
        "ro",
        "fi",
        "sv-SE",
        "vi",
        "tr",
        "cs",
        "el",
        "bg",
        "ru",
        "uk",
        "hi",
        "th",
        "zh-CN",
        "ja",
        "zh-TW",
        "ko",
    ]
)


def _validate_localizations(err: _Errors, item: JSON, path: Path, *, slash: bool) -> None:
    """``name_localizations`` and ``description_localizations``: known locales only; each name
    follows the same rule as the default name, each description 1 to 100 characters."""
    for key in ("name_localizations", "description_localizations"):
        given = item.get(key)
        if given is None:
            continue
        if not isinstance(given, dict):
            err.add(
                [*path, key], "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType"
            )
            continue
        for locale, text in given.items():
            where = [*path, key, locale]
            if locale not in LOCALES:
                err.add(where, "LOCALE_INVALID", f"Invalid locale: {locale!r}")
            elif key == "description_localizations":
                err.length_between(where, text, 1, 100)
            elif not slash:  # a context menu's name: any 1 to 32 characters
                err.length_between(where, text, 1, 32)
            elif not isinstance(text, str) or not _NAME_RE.match(text) or text != text.lower():
                err.add(
                    where, "APPLICATION_COMMAND_INVALID_NAME", f"Command name is invalid: {text!r}"
                )


def validate_commands(commands: Any) -> None:
    """Validate a bulk-overwrite body (PUT .../commands)."""
    err = _Errors()
    if not isinstance(commands, list):
        raise form_error(field_error([], "BASE_TYPE_ARRAY", "Must be an array."))
    names: set[tuple[int, str]] = set()
    per_type: dict[int, int] = {}
    for i, command in enumerate(commands):
        ctype = int(command.get("type") or 1)
        per_type[ctype] = per_type.get(ctype, 0) + 1
        key = (ctype, str(command.get("name")))
        if key in names:
            err.add(
                [i, "name"],
                "APPLICATION_COMMANDS_DUPLICATE_NAME",
                f"Application command names must be unique: {key[1]}",
            )
        names.add(key)
        validate_command(command, err=err, path=[i])
    for ctype, limit in ((1, 100), (2, 15), (3, 15)):
        if per_type.get(ctype, 0) > limit:
            err.add([], "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")
    err.raise_if_any()


def validate_command(
    command: JSON, *, err: _Errors | None = None, path: Path | None = None
) -> None:
    own = err is None
    err = err or _Errors()
    path = path or []
    ctype = int(command.get("type") or 1)
    name = command.get("name")
    if ctype == 1:
        if not isinstance(name, str) or not _NAME_RE.match(name) or name != name.lower():
            err.add(
                [*path, "name"],
                "APPLICATION_COMMAND_INVALID_NAME",
                f"Command name is invalid: {name!r}",
            )
        err.length_between([*path, "description"], command.get("description"), 1, 100)
        _validate_localizations(err, command, path, slash=True)
        _validate_options(err, command.get("options") or [], [*path, "options"], depth=0)
    else:
        err.length_between([*path, "name"], name, 1, 32)
        _validate_localizations(err, command, path, slash=False)
    if own:
        err.raise_if_any()


def _validate_options(err: _Errors, options: list[JSON], path: Path, *, depth: int) -> None:
    if len(options) > 25:
        err.add(path, "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    seen_optional = False
    names: set[str] = set()
    for i, option in enumerate(options):
        opath: Path = [*path, i]
        name = option.get("name")
        if not isinstance(name, str) or not _NAME_RE.match(name) or name != name.lower():
            err.add(
                [*opath, "name"],
                "APPLICATION_COMMAND_INVALID_NAME",
                f"Command name is invalid: {name!r}",
            )
        if name in names:
            err.add(
                [*opath, "name"],
                "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS",
                "Option names must be unique",
            )
        names.add(str(name))
        err.length_between([*opath, "description"], option.get("description"), 1, 100)
        _validate_localizations(err, option, opath, slash=True)
        otype = option.get("type")
        if otype in (SUB_COMMAND, SUB_COMMAND_GROUP):
            if depth >= (1 if otype == SUB_COMMAND_GROUP else 2):
                err.add(
                    [*opath, "type"],
                    "APPLICATION_COMMAND_OPTION_TYPE_INVALID",
                    "Sub-command nesting is too deep",
                )
            children = option.get("options") or []
            if otype == SUB_COMMAND_GROUP and any(c.get("type") != SUB_COMMAND for c in children):
                err.add(
                    [*opath, "options"],
                    "APPLICATION_COMMAND_OPTION_TYPE_INVALID",
                    "Groups may only contain sub-commands",
                )
            _validate_options(err, children, [*opath, "options"], depth=depth + 1)
            continue
        if option.get("required"):
            if seen_optional:
                err.add(
                    [*opath, "required"],
                    "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                    "Required options must be placed before non-required options",
                )
        else:
            seen_optional = True
        choices = option.get("choices") or []
        if len(choices) > 25:
            err.add([*opath, "choices"], "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
        for c, choice in enumerate(choices):  # a choice's name is shown, not typed: 1 to 100
            for locale, text in (choice.get("name_localizations") or {}).items():
                where = [*opath, "choices", c, "name_localizations", locale]
                if locale not in LOCALES:
                    err.add(where, "LOCALE_INVALID", f"Invalid locale: {locale!r}")
                else:
                    err.length_between(where, text, 1, 100)
        if choices and option.get("autocomplete"):
            err.add(
                [*opath, "autocomplete"],
                "APPLICATION_COMMAND_AUTOCOMPLETE_INVALID",
                "Autocomplete cannot be set with choices",
            )
