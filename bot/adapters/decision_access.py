"""Closing a group's channel to a member by the group's decision, and letting them back in.

An exclusion denies View Channel, Send Messages and Connect on the group's channel for that one
member, with the audit-log reason "group decision" and nothing else; other bits of an overwrite
the member already had are kept, and letting them back in removes only these three (the whole
overwrite if nothing else is left).

Which overwrites are the bot's is recorded by coded key (``channel_denials``, via
``DecisionRepository.denials``) before the overwrite is made, and forgotten only once it is
gone. A refused close is reported to the group once and dropped (the decision still ends on its
own). A refused lift is never dropped: the group is told plainly what permission is missing and
it is tried again (:class:`~bot.runtime.decisions.port.NotYet`) until it is done; a member or
overwrite Discord no longer knows is nothing to lift.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable

import discord

from bot.core.pseudonyms import Pseudonym
from bot.errors import DiscordGone, DiscordRefused
from bot.guild import Directory, refusals
from bot.i18n import msg
from bot.runtime.clock import Clock
from bot.runtime.decisions import reaching, texts
from bot.runtime.decisions.port import NotYet, Undeliverable
from bot.runtime.decisions.texts import Text
from bot.store.decisions import DecisionRepository
from bot.store.groups import GroupRecord

log = logging.getLogger(__name__)

AUDIT_REASON = "group decision"
GroupChannel = discord.TextChannel | discord.VoiceChannel | discord.StageChannel
Post = Callable[[GroupRecord, Text], Awaitable[object]]  # said in the group's language
Missing = Callable[[GroupRecord], Awaitable[list[str]]]


def _keep_out() -> discord.PermissionOverwrite:
    return discord.PermissionOverwrite(view_channel=False, send_messages=False, connect=False)


class ChannelAccess:
    def __init__(
        self,
        client: discord.Client,
        *,
        directory: Directory,
        repo: DecisionRepository,
        clock: Clock,
        post: Post,
        missing: Missing,
    ) -> None:
        self._client = client
        self._directory = directory
        self._repo = repo
        self._clock = clock
        self._post = post
        self._missing = missing

    async def _in_force(self, group: GroupRecord, target: Pseudonym) -> bool:
        exclusion = await self._repo.exclusion(group.id, target)
        return exclusion is not None and exclusion.in_force(self._clock.now())

    async def close(
        self, group: GroupRecord, channel: GroupChannel | None, member: discord.Member | None,
        target: Pseudonym,
    ) -> None:  # fmt: skip
        if not await self._in_force(group, target):
            return  # lifted meanwhile: a stale step never undoes newer state
        if channel is None or member is None:
            return  # not in the server now: closed again if they come back (on_member_join)
        overwrite = channel.overwrites_for(member)
        overwrite.update(view_channel=False, send_messages=False, connect=False)
        await self._repo.denials.note(group.id, target)  # before: so a crash can't lose it
        try:
            with refusals(msg("keep a member out of a group's channel")):
                await channel.set_permissions(member, overwrite=overwrite, reason=AUDIT_REASON)
        except DiscordRefused:
            if await self._repo.mark_reported(group.id, target):
                missing = await self._missing(group) or ["Manage Permissions"]
                await self._post(group, texts.missing_permission_report(missing))
            raise Undeliverable from None
        log.info("A member's time away began: the group's channel is closed to them")
        if not await self._in_force(group, target):
            # It ended while Discord was answering (a lift that ran first): undo at once.
            await self.open(group, channel, target)

    async def open(
        self, group: GroupRecord, channel: GroupChannel | None, target: Pseudonym
    ) -> None:
        """Let ``target`` back in; raises :class:`NotYet` while Discord refuses."""
        if await self._in_force(group, target):
            return  # a newer exclusion: a stale lift never undoes it
        if channel is None:
            await self._repo.denials.lifted(group.id, target)
            raise Undeliverable  # the channel is gone: nobody is kept out of it
        guild = channel.guild
        ours = _keep_out()
        for holder, overwrite in channel.overwrites.items():
            if isinstance(holder, discord.Role):
                continue
            if self._directory.who(guild.id, holder) != target:
                continue
            allow, deny = overwrite.pair()
            rest = discord.PermissionOverwrite.from_pair(allow, deny)
            rest.update(**{name: None for name, value in ours if value is not None})
            try:
                with refusals(msg("reopen a group's channel to a member")):
                    await self._reopen(channel, holder, rest)
            except DiscordGone:
                pass  # the member or the overwrite is gone: nothing to lift
            except DiscordRefused:
                if await self._repo.denials.claim_report(group.id, target):
                    missing = await self._missing(group) or ["Manage Permissions"]
                    with contextlib.suppress(Undeliverable):  # the lift matters, not the words
                        await self._post(group, reaching.cannot_let_back(missing))
                raise NotYet from None
            else:
                log.info("A member's time away ended: the group's channel is open to them again")
            break
        if await self._repo.denials.lifted(group.id, target):
            with contextlib.suppress(Undeliverable):
                await self._post(group, reaching.LET_BACK_AFTER_ALL)

    async def _reopen(
        self,
        channel: GroupChannel,
        holder: discord.Member | discord.Object,
        rest: discord.PermissionOverwrite,
    ) -> None:
        """Remove our three bits from a member's overwrite, keeping whatever else it had."""
        http = self._client.http
        if rest.is_empty():
            await http.delete_channel_permissions(channel.id, holder.id, reason=AUDIT_REASON)
            return
        kept_allow, kept_deny = rest.pair()
        await http.edit_channel_permissions(
            channel.id,
            holder.id,
            str(kept_allow.value),
            str(kept_deny.value),
            1,
            reason=AUDIT_REASON,
        )
