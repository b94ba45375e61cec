"""Groups: binding a peer group to a meeting channel, and reading its settings."""

from __future__ import annotations

from bot.core.formats import CompiledFormat, builtin_formats
from bot.core.lazy_dataclasses import lazy_dataclass
from bot.errors import InvalidInput, NoGroupHere, NotAllowed
from bot.i18n import msg
from bot.runtime.events import EventBus, GuildLeft
from bot.runtime.formats import FormatLibrary
from bot.runtime.markup import echo
from bot.store import Store
from bot.store.groups import GroupRecord


@lazy_dataclass(frozen=True)
class GroupView:
    """What `/group settings` shows."""

    group: GroupRecord
    format: CompiledFormat


class GroupService:
    def __init__(self, store: Store, formats: FormatLibrary, bus: EventBus) -> None:
        self._store = store
        self._formats = formats
        self._bus = bus

    def format_choices(self) -> dict[str, str]:
        """Built-in format id -> its name, for the setup menu."""
        return {format_id: self._formats.builtin(format_id).name for format_id in builtin_formats()}

    async def setup(
        self,
        *,
        guild_id: int,
        channel_id: int,
        format_id: str,
        member_role_id: int | None,
        now: float,
    ) -> GroupView:
        if format_id not in builtin_formats():
            known = ", ".join(builtin_formats())
            raise InvalidInput(
                msg(
                    "I don't know a format called `{name}`. Choose one of: {known}.",
                    name=echo(format_id),
                    known=known,
                )
            )
        created = await self._store.groups.create(
            guild_id=guild_id,
            channel_id=channel_id,
            format_id=format_id,
            member_role_id=member_role_id,
            now=now,
        )
        if created is None:
            raise NotAllowed(
                msg(
                    "This channel already has a group. Its format and settings now belong to the "
                    "group: changing them is something the members decide together."
                )
            )
        return GroupView(created, self._formats.builtin(format_id))

    async def view(self, channel_id: int | None) -> GroupView:
        group = None if channel_id is None else await self._store.groups.by_channel(channel_id)
        if group is None:
            raise NoGroupHere
        return GroupView(group, await self._formats.current(group))

    async def forget_guild(self, guild_id: int) -> int:
        """Delete every row of every group in a server the bot has left, then tell the
        features that keep something about it in memory (:class:`GuildLeft`)."""
        removed = await self._store.groups.delete_guild(guild_id)
        await self._bus.publish(GuildLeft(guild_id))
        return removed
