"""The rotation's :class:`~bot.runtime.rotation.port.RotationPort` on Discord.

Who holds a rotation role is read from Discord's member list (kept in memory, fetched once per
server); members are found again behind their pseudonyms through
:class:`~bot.guild.Directory`. A role change waits briefly for Discord's own event, so
the next read of the role's members sees it. Discord's "no" to creating or giving roles becomes
the project's errors (:class:`~bot.runtime.rotation.port.MissingManageRoles`,
:class:`~bot.runtime.rotation.port.RoleTooHigh`). The words come from the service in the group's
language; the buttons under them, and the audit log's reason, are labelled in it here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable, Mapping, Sequence

import discord

from bot.adapters.sending import once_per_key, send_once
from bot.core.pseudonyms import Pseudonym, Pseudonymizer
from bot.errors import DiscordGone, DiscordRefused, NotAllowed
from bot.guild import Directory, ensure_members, in_group, refusals
from bot.i18n import SOURCE, render
from bot.runtime.languages import GroupLanguages
from bot.runtime.rotation import texts
from bot.runtime.rotation.port import MissingManageRoles, Person, RoleTooHigh, User
from bot.store.groups import GroupRecord
from bot.ui.rotation import ask_view, reminder_view, swap_view

log = logging.getLogger(__name__)

#: How long to wait for Discord to confirm a role change before reading the member list again.
ROLE_EVENT_SECONDS = 3.0


class DiscordRotation:
    def __init__(
        self,
        client: discord.Client,
        pseudonyms: Pseudonymizer,
        languages: GroupLanguages | None = None,
    ) -> None:
        self._client = client
        self._directory = Directory(client, pseudonyms)
        self._languages = languages

    async def _locale(self, group: GroupRecord) -> str:
        """The group's language: of its channel, its server's roles and the bot's own DMs."""
        return SOURCE if self._languages is None else await self._languages.of_group(group)

    # --- people ----------------------------------------------------------------------------------

    def _person(self, group: GroupRecord, user: discord.Member | discord.abc.User) -> Person:
        member = user if isinstance(user, discord.Member) else None
        if member is None:
            # A press in a DM (a swap request) comes from a user: look for them in the server,
            # so the one membership rule applies there too.
            guild = self._directory.guild(group.guild_id)
            member = None if guild is None else guild.get_member(user.id)
        return Person(
            user_id=user.id,
            who=self._directory.who(group.guild_id, user),
            name=user.display_name,
            mention=user.mention,
            in_group=member is not None and in_group(group, member),
            joined_at=member.joined_at if member is not None else None,
        )

    def person(self, group: GroupRecord, user: User) -> Person:
        return self._person(group, user)

    async def _guild(self, group: GroupRecord) -> discord.Guild:
        guild = self._directory.guild(group.guild_id)
        if guild is None:
            raise NotAllowed(texts.SERVER_UNREACHABLE)
        # Who holds a rotation role is read from Discord's member list (kept in memory).
        await ensure_members(guild)
        return guild

    async def holders(
        self, group: GroupRecord, role_ids: Mapping[str, int | None]
    ) -> dict[str, list[Person]]:
        guild = await self._guild(group)
        holding: dict[str, list[Person]] = {}
        for name, role_id in role_ids.items():
            role = guild.get_role(role_id) if role_id is not None else None
            members = role.members if role is not None else []
            holding[name] = [self._person(group, m) for m in members if not m.bot]
        return holding

    async def find(
        self, group: GroupRecord, wanted: Iterable[Pseudonym], hint: Mapping[Pseudonym, int]
    ) -> dict[Pseudonym, Person]:
        guild = self._directory.guild(group.guild_id)
        if guild is None:
            return {}
        await ensure_members(guild)
        found = self._directory.find(guild, wanted, hint)
        return {who: self._person(group, member) for who, member in found.items()}

    def channel_name(self, group: GroupRecord) -> str | None:
        guild = self._directory.guild(group.guild_id)
        channel = guild.get_channel(group.channel_id) if guild is not None else None
        return channel.name if channel is not None else None

    def present(self, group: GroupRecord, user_id: int) -> bool:
        guild = self._directory.guild(group.guild_id)
        channel = guild.get_channel(group.channel_id) if guild is not None else None
        if not isinstance(channel, discord.VoiceChannel | discord.StageChannel):
            return False
        return any(member.id == user_id for member in channel.members)

    # --- roles -----------------------------------------------------------------------------------

    async def ensure_roles(
        self, group: GroupRecord, wanted: Sequence[tuple[int | None, str]]
    ) -> list[int]:
        guild = await self._guild(group)
        me = await self._directory.me(guild)
        if not me.guild_permissions.manage_roles:
            raise MissingManageRoles
        found: list[int] = []
        reason = render(await self._locale(group), texts.AUDIT_REASON)
        for role_id, name in wanted:
            existing = guild.get_role(role_id) if role_id is not None else None
            if existing is None:
                try:
                    with refusals("create the rotation's roles"):
                        existing = await guild.create_role(
                            name=name,
                            permissions=discord.Permissions.none(),
                            mentionable=False,
                            reason=reason,
                        )
                except DiscordRefused:
                    raise MissingManageRoles from None
            if existing >= me.top_role:
                raise RoleTooHigh
            found.append(existing.id)
        return found

    async def _member(self, group: GroupRecord, user_id: int) -> discord.Member | None:
        guild = self._directory.guild(group.guild_id)
        if guild is None:
            return None
        try:
            return await self._directory.member(guild, user_id)
        except discord.HTTPException:
            return None

    async def set_role(self, group: GroupRecord, user_id: int, role_id: int, give: bool) -> bool:
        member = await self._member(group, user_id)
        if member is None:
            return False
        return await self._set_role(member, role_id, give, await self._locale(group))

    async def _set_role(
        self, member: discord.Member, role_id: int, give: bool, locale: str = SOURCE
    ) -> bool:
        """Give or take a role, then wait briefly until Discord's event updates the cache, so
        the next read of the role's members sees the change."""
        if (member.get_role(role_id) is not None) == give:
            return True

        def confirmed(before: discord.Member, after: discord.Member) -> bool:
            return (
                after.id == member.id
                and after.guild.id == member.guild.id
                and (after.get_role(role_id) is not None) == give
            )

        waiter = asyncio.ensure_future(
            self._client.wait_for("member_update", check=confirmed, timeout=ROLE_EVENT_SECONDS)
        )
        role = discord.Object(role_id)
        reason = render(locale, texts.AUDIT_REASON)
        try:
            if give:
                await member.add_roles(role, reason=reason)
            else:
                await member.remove_roles(role, reason=reason)
        except discord.HTTPException as error:
            waiter.cancel()
            log.warning("Could not change a rotation role (HTTP %s)", error.status)
            return False
        with contextlib.suppress(TimeoutError):
            await waiter
        return True

    async def hand_role(
        self,
        group: GroupRecord,
        role_id: int,
        holders: frozenset[Pseudonym],
        hint: Mapping[Pseudonym, int],
    ) -> None:
        guild = self._directory.guild(group.guild_id)
        if guild is None:
            return
        try:
            await ensure_members(guild)
            role = guild.get_role(role_id)
            if role is None:
                return
            locale = await self._locale(group)
            for member in list(role.members):
                if self._directory.who(guild.id, member) not in holders:
                    await self._set_role(member, role_id, False, locale)
            for member in self._directory.find(guild, holders, hint).values():
                await self._set_role(member, role_id, True, locale)
        except discord.HTTPException:
            log.warning("Could not update a temporary rotation role")

    # --- messages --------------------------------------------------------------------------------

    async def post(
        self,
        group: GroupRecord,
        text: str,
        *,
        ping: Sequence[Person] = (),
        ask_for_meeting: int | None = None,
    ) -> None:
        channel = self._client.get_partial_messageable(group.channel_id, guild_id=group.guild_id)
        mentions = _pinging(ping)
        try:
            if ask_for_meeting is None:
                await channel.send(text[:2000], allowed_mentions=mentions)
            else:
                view = ask_view(group.id, ask_for_meeting, await self._locale(group))
                await channel.send(text[:2000], view=view, allowed_mentions=mentions)
        except discord.Forbidden:
            log.warning("Missing permission to post a rotation message in a group's channel")
        except discord.HTTPException:
            log.exception("Could not post a rotation message")

    async def announce(
        self,
        group: GroupRecord,
        text: str,
        *,
        key: str,
        ping: Sequence[Person],
        ask_for_meeting: int | None,
    ) -> bool:
        channel = self._client.get_partial_messageable(group.channel_id, guild_id=group.guild_id)
        locale = await self._locale(group)
        view = None if ask_for_meeting is None else ask_view(group.id, ask_for_meeting, locale)
        try:
            with once_per_key(key), refusals("post who is up next in a group's channel"):
                await send_once(channel, text[:2000], view, mentions=_pinging(ping))
        except (DiscordRefused, DiscordGone):
            return False  # logged by refusals(); 5xx and rate limits raise: tried again later
        return True

    async def ready(self) -> None:
        await self._client.wait_until_ready()

    async def dm(
        self,
        group: GroupRecord,
        user_id: int,
        text: str,
        *,
        swap: int | None = None,
        ask_for_meeting: int | None = None,
    ) -> bool:
        member = await self._member(group, user_id)
        if member is None:
            return False
        quiet = discord.AllowedMentions.none()
        locale = await self._locale(group)  # the bot writes on its own: the group's language
        try:
            if swap is not None:
                view = swap_view(group.id, swap, locale)
                await member.send(text, view=view, allowed_mentions=quiet)
            elif ask_for_meeting is not None:
                view = reminder_view(group.id, ask_for_meeting, locale)
                await member.send(text, view=view, allowed_mentions=quiet)
            else:
                await member.send(text, allowed_mentions=quiet)
        except discord.HTTPException:
            log.info("A private rotation note could not be delivered (DMs closed)")
            return False
        return True


def _pinging(people: Sequence[Person]) -> discord.AllowedMentions:
    """Mentions that ping exactly these people (nobody, if none)."""
    if not people:
        return discord.AllowedMentions.none()
    return discord.AllowedMentions(
        users=[discord.Object(person.user_id) for person in people], everyone=False, roles=False
    )
