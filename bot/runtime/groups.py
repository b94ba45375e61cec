"""Groups: binding a peer group to a meeting channel, and reading its settings."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.formats import CompiledFormat, FormatError, builtin_formats, load_builtin_format
from bot.errors import InvalidInput, NoGroupHere, NotAllowed
from bot.store import Store
from bot.store.repositories import GroupRecord


@dataclass(frozen=True, slots=True)
class GroupView:
    """What `/group settings` shows."""

    group: GroupRecord
    format: CompiledFormat


class GroupService:
    def __init__(self, store: Store) -> None:
        self._store = store

    @staticmethod
    def format_choices() -> dict[str, str]:
        """Built-in format id -> its name, for the setup menu."""
        choices = {}
        for format_id in builtin_formats():
            choices[format_id] = load_builtin_format(format_id).name
        return choices

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
                f"I don't know a format called `{format_id}`. Choose one of: {known}."
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
                "This channel already has a group. Its format and settings now belong to the "
                "group: changing them is something the members decide together."
            )
        return GroupView(created, load_builtin_format(format_id))

    async def view(self, channel_id: int | None) -> GroupView:
        group = None if channel_id is None else await self._store.groups.by_channel(channel_id)
        if group is None:
            raise NoGroupHere
        try:
            compiled = load_builtin_format(group.format_id)
        except (KeyError, FormatError):
            raise InvalidInput(
                f"This group's format (`{group.format_id}`) can't be read any more. "
                "The group can choose another one."
            ) from None
        return GroupView(group, compiled)

    async def forget_guild(self, guild_id: int) -> int:
        """Delete every row of every group in a server the bot has left."""
        return await self._store.groups.delete_guild(guild_id)
