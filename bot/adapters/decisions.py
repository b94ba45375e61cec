"""The decision service's Discord side: who is who, who may vote, and carrying out the work.

People are found by computing pseudonyms over the candidates Discord gives (the server's
members, the channel's member overwrites) and matching (:class:`~bot.guild.Directory`);
no id is ever stored. Who belongs to a group is :func:`~bot.guild.in_group`'s answer.
Every message goes out with ``AllowedMentions.none()``: a proposal or ballot names the member
it is about as a mention that pings nobody.

Permission overwrites: an exclusion denies View Channel, Send Messages and Connect on the
group's channel for that one member, with the audit-log reason "group decision" and nothing
else; other bits of an overwrite the member already had are kept, and lifting removes only
these three (the whole overwrite if nothing else is left). A 403 is never retried: the group is
told once what permission is missing, and the work is dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime

import discord

from bot.core.decisions import (
    DecisionSettings,
    ExcludeMember,
    Motion,
    Proposal,
    ProposalState,
    VoterFacts,
    is_eligible_voter,
)
from bot.core.decisions import effects as fx
from bot.core.decisions.proposals import concerned_member
from bot.core.formats import CompiledFormat
from bot.core.pseudonyms import Pseudonym
from bot.errors import DiscordGone, DiscordRefused, InvalidInput
from bot.guild import Directory, ensure_members, in_group, refusals
from bot.runtime.clock import Clock
from bot.runtime.decisions import texts
from bot.runtime.decisions.outbox import About, AdoptFormat, Work
from bot.runtime.decisions.port import Person, Undeliverable, Unexcludable, User
from bot.runtime.decisions.settings import FORMAT, decision_settings
from bot.runtime.formats import FormatLibrary
from bot.store.decisions import DecisionRepository
from bot.store.groups import GroupRecord
from bot.ui.decisions import ballot_view, hearing_view, second_view

log = logging.getLogger(__name__)

AUDIT_REASON = "group decision"
NONE = discord.AllowedMentions.none()
GroupChannel = discord.TextChannel | discord.VoiceChannel | discord.StageChannel


def _keep_out() -> discord.PermissionOverwrite:
    return discord.PermissionOverwrite(view_channel=False, send_messages=False, connect=False)


class DiscordDecisions:
    """Implements :class:`bot.runtime.decisions.port.DecisionPort` with discord.py."""

    def __init__(
        self,
        client: discord.Client,
        *,
        directory: Directory,
        repo: DecisionRepository,
        formats: FormatLibrary,
        clock: Clock,
    ) -> None:
        self._client = client
        self._directory = directory
        self._repo = repo
        self._formats = formats
        self._clock = clock

    async def ready(self) -> None:
        await self._client.wait_until_ready()

    # --- who is who ---------------------------------------------------------------------------

    def _guild(self, group: GroupRecord) -> discord.Guild | None:
        return self._directory.guild(group.guild_id)

    def _channel(self, group: GroupRecord) -> GroupChannel | None:
        guild = self._guild(group)
        channel = None if guild is None else guild.get_channel(group.channel_id)
        return channel if isinstance(channel, GroupChannel) else None

    async def _member(self, group: GroupRecord, user: User) -> discord.Member | None:
        if isinstance(user, discord.Member) and user.guild.id == group.guild_id:
            return user
        guild = self._guild(group)
        return None if guild is None else await self._directory.member(guild, int(user.id))

    async def _find(
        self, group: GroupRecord, target: Pseudonym, hint: Mapping[Pseudonym, User]
    ) -> discord.Member | None:
        """The server member with this pseudonym, if they are in the server."""
        known = hint.get(target)
        if known is not None:
            member = await self._member(group, known)
            if member is not None:
                return member
        guild = self._guild(group)
        if guild is None:
            return None
        found = self._directory.find_one(guild, target)
        if found is None and not guild.chunked and await ensure_members(guild):
            found = self._directory.find_one(guild, target)
        return found

    async def person(self, group: GroupRecord, user: User) -> Person:
        member = await self._member(group, user)
        if member is None:
            return Person(int(user.id), bool(getattr(user, "bot", False)), False, None)
        return Person(member.id, member.bot, in_group(group, member), member.joined_at)

    async def cannot_exclude(self, group: GroupRecord, user: User) -> Unexcludable | None:
        member = await self._member(group, user)
        if member is None:
            return None
        guild = member.guild
        if member.id == guild.owner_id:
            return Unexcludable.OWNER
        if member.guild_permissions.administrator:
            return Unexcludable.ADMINISTRATOR
        if member.top_role >= (await self._directory.me(guild)).top_role:
            return Unexcludable.ROLE_TOO_HIGH
        return None

    async def cannot_exclude_member(
        self, group: GroupRecord, target: Pseudonym
    ) -> Unexcludable | None:
        member = await self._find(group, target, {})
        return None if member is None else await self.cannot_exclude(group, member)

    async def missing_permissions(self, group: GroupRecord) -> list[str]:
        guild, channel = self._guild(group), self._channel(group)
        if guild is None or channel is None:
            return ["View Channel"]
        mine = channel.permissions_for(await self._directory.me(guild))
        needed = {
            "Manage Permissions": mine.manage_roles,
            "View Channel": mine.view_channel,
            "Send Messages": mine.send_messages,
        }
        if isinstance(channel, discord.VoiceChannel | discord.StageChannel):
            needed["Connect"] = mine.connect
        return [name for name, has in needed.items() if not has]

    async def roll(
        self, group: GroupRecord, proposal: Proposal, settings: DecisionSettings, now: datetime
    ) -> frozenset[Pseudonym]:
        guild = self._guild(group)
        if guild is None:
            return frozenset()
        await ensure_members(guild)
        concerned = concerned_member(proposal.motion)
        voters = set()
        for member in guild.members:
            if member.joined_at is None:
                continue
            who = self._directory.who(guild.id, member)
            facts = VoterFacts(
                is_bot=member.bot,
                in_group=in_group(group, member),
                joined_server_at=member.joined_at,
                is_concerned_member=who == concerned,
            )
            if is_eligible_voter(
                facts, proposed_at=proposal.created_at, now=now, min_days=settings.voter_min_days
            ):
                voters.add(who)
        return frozenset(voters)

    # --- carrying out -------------------------------------------------------------------------

    async def carry_out(
        self, group: GroupRecord, work: Work, hint: Mapping[Pseudonym, User]
    ) -> None:
        task, about = work.task, work.about
        match task:
            case fx.SendConcernNote(target=target, guideline=key):
                plan = await self._formats.current(group)
                guideline = plan.guideline(key)
                title, text = (guideline.title, guideline.text) if guideline else (key, "")
                await self._dm(
                    group, target, hint, texts.concern_note(self._place(group), title, text)
                )
            case fx.AskForSecond(proposal_id=proposal_id, second_by=second_by):
                about = _need(about)
                titles, name = await self._words(group, about.motion)
                mention = await self._mention(group, about.motion, hint)
                content = texts.ask_for_second(about.motion, mention, second_by, titles, name)
                message = await self._post(group, content, second_view(proposal_id))
                await self._repo.set_message(proposal_id, message.id)
            case fx.AnnounceSeconded(ballot_opens=opens):
                about = _need(about)
                _, name = await self._words(group, about.motion)
                mention = await self._mention(group, about.motion, hint)
                content = texts.seconded_notice(about.motion, mention, opens, name)
                await self._replace(group, about.message_id, content)
            case fx.SendNotice(
                target=target, proposal_id=proposal_id, meetings=meetings, hearing_ends=opens
            ):
                titles = await self._titles(group, task.guidelines)
                settings_ = await self._settings(group)
                content = texts.notice(self._place(group), meetings, titles, opens, settings_)
                await self._dm(group, target, hint, content, hearing_view(proposal_id))
            case fx.PostBallot(proposal_id=proposal_id):
                await self._post_ballot(group, proposal_id, hint)
            case fx.ShowStatement(proposal_id=proposal_id):
                await self._show_statement(group, proposal_id, hint)
            case fx.AnnounceResult(result=result):
                about = _need(about)
                _, name = await self._words(group, about.motion)
                # The proposal and the ballot stop naming the member, and the statement goes.
                closed = texts.ballot_closed(about.motion, name)
                await self._replace(group, about.ballot_message_id, closed, post_if_missing=False)
                decided = texts.proposal_decided(about.motion, name)
                await self._replace(group, about.message_id, decided, post_if_missing=False)
                await self._post(group, texts.result(about.motion, result, about.quorum, name))
            case fx.AnnounceLapsed():
                about = _need(about)
                _, name = await self._words(group, about.motion)
                await self._replace(group, about.message_id, texts.lapsed(about.motion, name))
            case fx.AnnounceCancelled(reason=reason):
                about = _need(about)
                _, name = await self._words(group, about.motion)
                content = texts.cancelled(about.motion, reason, name)
                await self._replace(group, about.ballot_message_id, content, post_if_missing=False)
                await self._replace(group, about.message_id, content)
            case fx.SendNotCarried(target=target):
                await self._dm(group, target, hint, texts.not_carried(self._place(group)))
            case fx.ApplyExclusion(target=target):
                await self._apply_exclusion(group, target, hint)
            case fx.SendExclusionNotice(
                target=target, meetings=meetings, ends_by=ends_by, after_this_meeting=after
            ):
                content = texts.excluded(self._place(group), meetings, ends_by, after)
                await self._dm(group, target, hint, content)
            case fx.RemoveExclusion(target=target):
                await self._remove_exclusion(group, target, hint)
            case fx.SendWelcomeBack(target=target):
                await self._dm(group, target, hint, texts.welcome_back(self._place(group)))
            case AdoptFormat(ref=ref):
                try:
                    await self._formats.adopt(group.channel_id, ref, self._clock.timestamp())
                except InvalidInput:
                    raise Undeliverable from None
            case _:
                raise TypeError(f"unknown Discord work {task!r}")

    # --- messages -----------------------------------------------------------------------------

    def _place(self, group: GroupRecord) -> str:
        guild, channel = self._guild(group), self._channel(group)
        if guild is None or channel is None:
            return "your peer group"
        return f"the group that meets in #{channel.name} on {guild.name}"

    async def _settings(self, group: GroupRecord) -> DecisionSettings:
        return decision_settings(await self._repo.settings(group.id))

    async def _plan(self, group: GroupRecord) -> CompiledFormat | None:
        try:
            return await self._formats.current(group)
        except InvalidInput:
            return None

    async def _titles(self, group: GroupRecord, keys: Iterable[str]) -> list[str]:
        plan = await self._plan(group)
        titles = []
        for key in keys:
            guideline = None if plan is None else plan.guideline(key)
            titles.append(guideline.title if guideline else key)
        return titles

    async def _words(self, group: GroupRecord, motion: Motion) -> tuple[list[str], str | None]:
        """The guideline titles of an exclusion, and the name of a proposed format."""
        if isinstance(motion, ExcludeMember):
            return await self._titles(group, motion.guidelines), None
        subject = getattr(motion, "subject", None)
        if subject == FORMAT:
            try:
                plan = await self._formats.compiled(group, getattr(motion, "value", ""))
            except Exception:
                return [], None
            return [], plan.name
        return [], None

    async def _mention(
        self, group: GroupRecord, motion: Motion, hint: Mapping[Pseudonym, User]
    ) -> str | None:
        target = concerned_member(motion)
        member = None if target is None else await self._find(group, target, hint)
        return None if member is None else member.mention

    async def _post(
        self, group: GroupRecord, content: str, view: discord.ui.View | None = None
    ) -> discord.Message:
        channel = self._channel(group)
        if channel is None:
            raise Undeliverable
        try:
            with refusals("post in a group's channel"):
                if view is None:
                    return await channel.send(content, allowed_mentions=NONE)
                return await channel.send(content, view=view, allowed_mentions=NONE)
        except DiscordRefused:
            raise Undeliverable from None

    async def _replace(
        self,
        group: GroupRecord,
        message_id: int | None,
        content: str,
        *,
        post_if_missing: bool = True,
    ) -> None:
        """Edit one of our messages (removing its buttons), or post the text if it is gone."""
        channel = self._channel(group)
        if channel is None:
            raise Undeliverable
        if message_id is not None:
            try:
                with refusals("edit a decision message in a group's channel"):
                    await channel.get_partial_message(message_id).edit(content=content, view=None)
                return
            except DiscordGone:
                pass  # deleted: post the text instead
            except DiscordRefused:
                raise Undeliverable from None
        if post_if_missing:
            await self._post(group, content)

    async def _dm(
        self,
        group: GroupRecord,
        target: Pseudonym,
        hint: Mapping[Pseudonym, User],
        content: str,
        view: discord.ui.View | None = None,
    ) -> None:
        member = await self._find(group, target, hint)
        if member is None:
            raise Undeliverable  # they left the server: there is nobody to tell
        try:
            with refusals("send a member a private message"):
                if view is None:
                    await member.send(content, allowed_mentions=NONE)
                else:
                    await member.send(content, view=view, allowed_mentions=NONE)
        except DiscordRefused:  # they don't accept private messages from the bot
            raise Undeliverable from None

    async def _post_ballot(
        self, group: GroupRecord, proposal_id: str, hint: Mapping[Pseudonym, User]
    ) -> None:
        stored = await self._repo.proposal(proposal_id)
        if stored is None or stored.proposal.state is not ProposalState.VOTING:
            return  # closed meanwhile
        proposal = stored.proposal
        content = await self._ballot_text(group, proposal, hint)
        message = await self._post(group, content, ballot_view(proposal_id))
        await self._repo.set_ballot_message(proposal_id, message.id)

    async def _show_statement(
        self, group: GroupRecord, proposal_id: str, hint: Mapping[Pseudonym, User]
    ) -> None:
        stored = await self._repo.proposal(proposal_id)
        if stored is None or stored.proposal.state is not ProposalState.VOTING:
            return
        if stored.ballot_message_id is None:
            return  # the ballot isn't posted yet; it will carry the statement when it is
        channel = self._channel(group)
        if channel is None:
            raise Undeliverable
        content = await self._ballot_text(group, stored.proposal, hint)
        try:
            with refusals("show a statement on a ballot"):
                await channel.get_partial_message(stored.ballot_message_id).edit(content=content)
        except (DiscordGone, DiscordRefused):
            raise Undeliverable from None

    async def _ballot_text(
        self, group: GroupRecord, proposal: Proposal, hint: Mapping[Pseudonym, User]
    ) -> str:
        _, name = await self._words(group, proposal.motion)
        mention = await self._mention(group, proposal.motion, hint)
        return texts.ballot(
            proposal.motion,
            mention,
            proposal.statement,
            proposal.threshold,
            proposal.quorum,
            proposal.deadline,
            name,
        )

    # --- overwrites ---------------------------------------------------------------------------

    async def _apply_exclusion(
        self, group: GroupRecord, target: Pseudonym, hint: Mapping[Pseudonym, User]
    ) -> None:
        exclusion = await self._repo.exclusion(group.id, target)
        if exclusion is None or not exclusion.in_force(self._clock.now()):
            return  # lifted meanwhile: a stale step never undoes newer state
        channel = self._channel(group)
        member = await self._find(group, target, hint)
        if channel is None or member is None:
            return  # not in the server now: re-applied if they come back (on_member_join)
        overwrite = channel.overwrites_for(member)
        overwrite.update(view_channel=False, send_messages=False, connect=False)
        try:
            with refusals("keep a member out of a group's channel"):
                await channel.set_permissions(member, overwrite=overwrite, reason=AUDIT_REASON)
        except DiscordRefused:
            if await self._repo.mark_reported(group.id, target):
                missing = await self.missing_permissions(group) or ["Manage Permissions"]
                await self._post(group, texts.missing_permission_report(missing))
            raise Undeliverable from None
        log.info("A member's time away began: the group's channel is closed to them")

    async def _remove_exclusion(
        self, group: GroupRecord, target: Pseudonym, hint: Mapping[Pseudonym, User]
    ) -> None:
        current = await self._repo.exclusion(group.id, target)
        if current is not None and current.in_force(self._clock.now()):
            return  # a newer exclusion: a stale lift never undoes it
        channel = self._channel(group)
        if channel is None:
            raise Undeliverable
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
                with refusals("reopen a group's channel to a member"):
                    await self._reopen(channel, holder, rest)
            except DiscordGone:
                return
            except DiscordRefused:
                missing = await self.missing_permissions(group) or ["Manage Permissions"]
                await self._post(group, texts.missing_permission_report(missing))
                raise Undeliverable from None
            log.info("A member's time away ended: the group's channel is open to them again")
            return

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


def _need(about: About | None) -> About:
    if about is None:
        raise Undeliverable
    return about
