"""The formats a group can see and use: the built-in ones and those it uploaded.

A format is named by a reference: a built-in id (``open-discussion``) or ``group:<n>`` for the
group's own upload number n. Uploads are validated before anything is stored; an invalid one
stores nothing. A valid upload is a candidate until the group adopts it.
"""

from __future__ import annotations

import asyncio
from functools import lru_cache
from typing import TYPE_CHECKING

from bot.core.formats import CompiledFormat, builtin_formats, load_builtin_format
from bot.core.lazy_dataclasses import lazy_dataclass
from bot.errors import InvalidInput, NoGroupHere, NotAllowed
from bot.i18n import msg, msg_n, render
from bot.runtime.markup import echo
from bot.store import Store
from bot.store.group_formats import UploadedFormat
from bot.store.groups import GroupRecord

if TYPE_CHECKING:
    from bot.core.formats.loader import Problem

# The format loader (its schema: pydantic models, YAML) is imported where a format is read, the
# first time one is: not at start-up (issue 18).

GROUP_PREFIX = "group:"


@lazy_dataclass(frozen=True)
class FormatEntry:
    ref: str
    name: str
    minutes: int
    status: str  # "built-in", "candidate", "adopted"
    in_use: bool


class FormatProblems(InvalidInput):
    """An uploaded format did not validate; ``problems`` are ``file:line:column`` lines (in
    English; :meth:`words` shows them in the reader's language)."""

    def __init__(self, problems: list[str], found: list[Problem] | None = None) -> None:
        self.problems = problems
        self.found = found
        super().__init__(format_problems(problems))

    def words(self, locale: str) -> str:
        if self.found is None:
            return format_problems(self.problems, locale=locale)
        lines = [render(locale, problem.as_msg()) for problem in self.found]
        return format_problems(lines, locale=locale)


def format_problems(problems: list[str], limit: int = 1800, *, locale: str = "en") -> str:
    """The problems, as many as fit in one message, and how many more there are."""
    head = render(
        locale,
        msg("That format has some problems, so I didn't save it. Fix these and upload it again:"),
    )
    lines: list[str] = []
    used = len(head)
    for index, problem in enumerate(problems):
        line = f"• {problem}"
        if used + len(line) + 40 > limit:
            more = len(problems) - index
            lines.append(render(locale, msg_n("…and {n} more.", "…and {n} more.", more)))
            break
        lines.append(line)
        used += len(line) + 1
    return "\n".join([head, "```", *lines, "```"]) if lines else head


@lru_cache(maxsize=32)
def _builtin(format_id: str) -> CompiledFormat:
    return load_builtin_format(format_id)


@lru_cache(maxsize=64)
def _compiled(source: str, filename: str) -> CompiledFormat:
    from bot.core.formats.loader import load_format

    return load_format(source, filename=filename)


async def _compile_off_loop(source: str, filename: str) -> CompiledFormat:
    """A group's uploaded format, compiled once (cached) and never on the event loop."""
    return await asyncio.to_thread(_compiled, source, filename)


class FormatLibrary:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def _group(self, channel_id: int | None) -> GroupRecord:
        group = None if channel_id is None else await self._store.groups.by_channel(channel_id)
        if group is None:
            raise NoGroupHere
        return group

    def builtin(self, format_id: str) -> CompiledFormat:
        if format_id not in builtin_formats():
            raise InvalidInput(msg("I don't know a format called `{name}`.", name=echo(format_id)))
        return _builtin(format_id)

    async def compiled(self, group: GroupRecord | None, ref: str) -> CompiledFormat:
        """The compiled format a reference names, as seen from ``group`` (if any)."""
        if not ref.startswith(GROUP_PREFIX):
            return self.builtin(ref)
        upload = await self._upload(group, ref)
        return await _compile_off_loop(upload.source, f"{upload.label}.yaml")

    async def _upload(self, group: GroupRecord | None, ref: str) -> UploadedFormat:
        number = ref.removeprefix(GROUP_PREFIX)
        upload = None
        if group is not None and number.isdigit():
            upload = await self._store.group_formats.get(group.id, int(number))
        if upload is None:
            raise InvalidInput(
                msg("This group has no format `{name}`. `/format list` shows them.", name=echo(ref))
            )
        return upload

    async def current(self, group: GroupRecord) -> CompiledFormat:
        """The format the group meets with now."""
        from bot.core.formats.loader import FormatError

        try:
            return await self.compiled(group, group.format_id)
        except (FormatError, InvalidInput):
            raise InvalidInput(
                msg(
                    "This group's format (`{name}`) can't be read any more. The group can "
                    "choose another one.",
                    name=group.format_id,
                )
            ) from None

    async def resolve(self, channel_id: int | None, ref: str) -> CompiledFormat:
        group = None if channel_id is None else await self._store.groups.by_channel(channel_id)
        return await self.compiled(group, ref)

    async def entries(self, channel_id: int | None) -> list[FormatEntry]:
        group = None if channel_id is None else await self._store.groups.by_channel(channel_id)
        from bot.core.formats.loader import FormatError

        in_use = group.format_id if group else None
        found = [
            FormatEntry(
                ref=format_id,
                name=_builtin(format_id).name,
                minutes=round(_builtin(format_id).planned_length_seconds() / 60),
                status="built-in",
                in_use=format_id == in_use,
            )
            for format_id in builtin_formats()
        ]
        if group is not None:
            for upload in await self._store.group_formats.for_group(group.id):
                ref = f"{GROUP_PREFIX}{upload.number}"
                try:
                    plan = await _compile_off_loop(upload.source, f"{upload.label}.yaml")
                except FormatError:
                    continue  # stored formats were valid when stored; skip one a newer bot rejects
                found.append(
                    FormatEntry(
                        ref=ref,
                        name=plan.name,
                        minutes=round(plan.planned_length_seconds() / 60),
                        status=upload.status,
                        in_use=ref == in_use,
                    )
                )
        return found

    async def upload(
        self, channel_id: int | None, filename: str, size: int, data: bytes, now: float
    ) -> tuple[str, CompiledFormat]:
        """Validate an uploaded format and store it as the group's candidate."""
        from bot.core.formats.loader import MAX_FORMAT_BYTES, FormatError, load_format

        group = await self._group(channel_id)
        if size > MAX_FORMAT_BYTES or len(data) > MAX_FORMAT_BYTES:
            raise InvalidInput(
                msg(
                    "That file is too big for a format ({size} KiB; the most is {most} KiB). "
                    "Nothing was saved.",
                    size=size // 1024,
                    most=MAX_FORMAT_BYTES // 1024,
                )
            )
        if not filename.lower().endswith((".yaml", ".yml")):
            raise InvalidInput(
                msg(
                    "Please upload the format as a `.yaml` file (see the format guide). "
                    "Nothing was saved."
                )
            )
        try:
            # A hostile file may take a while to refuse: never on the bot's event loop.
            plan = await asyncio.to_thread(load_format, data, filename=filename)
        except FormatError as error:
            raise FormatProblems(
                [str(problem) for problem in error.problems], error.problems
            ) from None
        number = await self._store.group_formats.add(
            group.id, label=filename.rsplit(".", 1)[0][:100], source=data.decode("utf-8"), now=now
        )
        return f"{GROUP_PREFIX}{number}", plan

    async def still_setting_up(self, channel_id: int | None) -> bool:
        """The group has not held a meeting yet: its starting format may still be chosen."""
        group = await self._group(channel_id)
        return group.meetings_held == 0

    async def adopt_while_setting_up(
        self, channel_id: int | None, ref: str, now: float, *, meeting_under_way: bool
    ) -> CompiledFormat:
        """Choose the starting format directly, before the group's first meeting only."""
        if meeting_under_way or not await self.still_setting_up(channel_id):
            raise NotAllowed(
                msg(
                    "This group has already met, so its format is the group's decision now: "
                    "propose it with `/propose change what:format value:{ref}`.",
                    ref=ref,
                )
            )
        return await self.adopt(channel_id, ref, now)

    async def adopt(self, channel_id: int | None, ref: str, now: float) -> CompiledFormat:
        """Make a format the group's own (from the next meeting on)."""
        group = await self._group(channel_id)
        plan = await self.compiled(group, ref)
        await self._store.group_formats.adopt(group.id, ref, now)
        return plan
