"""The decision service's Discord side: who is who, who may vote, and carrying out the work.

People are found by computing pseudonyms over the candidates Discord gives (the server's
members, the channel's member overwrites) and matching (:class:`~bot.guild.Directory`);
no id is ever stored. Who belongs to a group is :func:`~bot.guild.in_group`'s answer.
Every message goes out with ``AllowedMentions.none()``: a proposal or ballot names the member
it is about as a mention that pings nobody.

Permission overwrites (closing the channel to a member, letting them back in) are in
:mod:`bot.adapters.decision_access`. Private messages the member concerned must read: the notice
before an exclusion vote, when Discord refuses it (50007), is left in the channel behind a
button only they can use (pinging only them), and the proposal says so — never "told privately"
unless it happened; the "you sit out" message, when refused, is replaced by the truth in the
channel (the channel is closed to them by then, so a button there couldn't reach them); a
refused welcome back is said in the channel (open to them again), pinging only them.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime

import discord

from bot.adapters.decision_access import ChannelAccess, GroupChannel
from bot.adapters.sending import once_per_key, send_once
from bot.core.decisions import (
    DecisionSettings,
    Motion,
    Proposal,
    ProposalState,
    VoterFacts,
    is_eligible_voter,
)
from bot.core.decisions import effects as fx
from bot.core.decisions.hearing import NoticeState
from bot.core.decisions.proposals import concerned_member
from bot.core.pseudonyms import Pseudonym
from bot.errors import DiscordGone, DiscordRefused, InvalidInput
from bot.guild import Directory, ensure_members, in_group, refusals
from bot.i18n import msg
from bot.runtime.clock import Clock
from bot.runtime.decisions import reaching, texts
from bot.runtime.decisions.outbox import About, AdoptFormat, Work
from bot.runtime.decisions.port import NotYet, Person, Undeliverable, Unexcludable, User
from bot.runtime.decisions.reaching import Place
from bot.runtime.decisions.texts import Text
from bot.runtime.decisions.words import DecisionWords
from bot.runtime.formats import FormatLibrary
from bot.runtime.languages import GroupLanguages
from bot.store.decisions import DecisionRepository
from bot.store.groups import GroupRecord
from bot.ui.decisions import ballot_view, hearing_view, notice_view, second_view

log = logging.getLogger(__name__)

View = discord.ui.View | None
Fail = type[Exception]


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
        languages: GroupLanguages,
    ) -> None:
        self._client = client
        self._directory = directory
        self._repo = repo
        self._formats = formats
        self._clock = clock
        self._languages = languages
        self._words = DecisionWords(repo=repo, formats=formats, languages=languages)
        self._access = ChannelAccess(
            client,
            directory=directory,
            repo=repo,
            clock=clock,
            post=self._post,
            missing=self.missing_permissions,
        )

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
    ) -> NoticeState | None:
        with once_per_key(work.key):
            return await self._carry_out(group, work, hint)

    async def _carry_out(
        self, group: GroupRecord, work: Work, hint: Mapping[Pseudonym, User]
    ) -> NoticeState | None:
        task, about = work.task, work.about
        words = self._words
        match task:
            case fx.SendConcernNote(target=target, guideline=key):
                note = await words.concern_note(group, key, self._place(group))
                await self._dm(group, target, hint, note)
            case fx.AskForSecond(proposal_id=proposal_id, second_by=second_by):
                about = _need(about)
                mention = await self._mention(group, about.motion, hint)
                content = await words.ask_for_second(group, about, second_by, mention)
                view = second_view(proposal_id, await self._locale(group))
                message = await self._post(group, content, view)
                await self._repo.set_message(proposal_id, message.id)
            case fx.AnnounceSeconded(ballot_opens=opens):
                about = _need(about)
                mention = await self._mention(group, about.motion, hint)
                content = await words.seconded(group, about, opens, mention)
                await self._replace(group, about.message_id, content)
            case fx.SendNotice():
                return await self._send_notice(group, task, hint)
            case fx.PostBallot(proposal_id=proposal_id):
                await self._post_ballot(group, proposal_id, hint)
            case fx.ShowStatement(proposal_id=proposal_id):
                await self._show_statement(group, proposal_id, hint)
            case fx.AnnounceResult(result=result):
                about = _need(about)
                # The proposal and the ballot stop naming the member, and the statement goes.
                closed, decided, said = await words.closed(group, about, result)
                await self._replace(group, about.ballot_message_id, closed, post_if_missing=False)
                await self._replace(group, about.message_id, decided, post_if_missing=False)
                await self._post(group, said)
            case fx.AnnounceLapsed():
                about = _need(about)
                await self._replace(group, about.message_id, await words.lapsed(group, about))
            case fx.AnnounceCancelled(reason=reason):
                about = _need(about)
                content = await words.cancelled(group, about, reason)
                await self._replace(group, about.ballot_message_id, content, post_if_missing=False)
                await self._replace(group, about.message_id, content)
            case fx.SendNotCarried(target=target):
                not_carried = await words.say(group, texts.not_carried(self._place(group)))
                await self._dm(group, target, hint, not_carried)
            case fx.ApplyExclusion(target=target):
                member = await self._find(group, target, hint)
                await self._access.close(group, self._channel(group), member, target)
            case fx.SendExclusionNotice(
                target=target, meetings=meetings, ends_by=ends_by, after_this_meeting=after
            ):
                away = texts.excluded(self._place(group), meetings, ends_by, after)
                if not await self._dm_or_refused(group, target, hint, await words.say(group, away)):
                    await self._post(group, reaching.away_untold(meetings))
            case fx.RemoveExclusion(target=target):
                await self._access.open(group, self._channel(group), target)
            case fx.SendWelcomeBack(target=target):
                await self._welcome_back(group, target, hint)
            case AdoptFormat(ref=ref):
                try:
                    await self._formats.adopt(group.channel_id, ref, self._clock.timestamp())
                except InvalidInput:
                    raise Undeliverable from None
            case _:
                raise TypeError(f"unknown Discord work {task!r}")
        return None

    # --- messages -----------------------------------------------------------------------------

    def _place(self, group: GroupRecord) -> Place:
        guild, channel = self._guild(group), self._channel(group)
        return Place(
            None if channel is None else channel.name, None if guild is None else guild.name
        )

    async def _locale(self, group: GroupRecord) -> str:
        return await self._languages.of_group(group)

    async def _mention(
        self, group: GroupRecord, motion: Motion, hint: Mapping[Pseudonym, User]
    ) -> str | None:
        target = concerned_member(motion)
        member = None if target is None else await self._find(group, target, hint)
        return None if member is None else member.mention

    async def _post(
        self, group: GroupRecord, content: Text, view: discord.ui.View | None = None
    ) -> discord.Message:
        """Post in the group's channel; words not yet rendered are said in its language."""
        channel = self._channel(group)
        if channel is None:
            raise Undeliverable
        if not isinstance(content, str):
            content = await self._words.say(group, content)
        try:
            with refusals(msg("post in a group's channel")):
                return await send_once(channel, content, view)
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
                with refusals(msg("edit a decision message in a group's channel")):
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
        """A private message; :class:`Undeliverable` if they left or don't accept it (50007)."""
        if not await self._dm_or_refused(group, target, hint, content, view):
            raise Undeliverable

    async def _dm_or_refused(
        self,
        group: GroupRecord,
        target: Pseudonym,
        hint: Mapping[Pseudonym, User],
        content: str,
        view: discord.ui.View | None = None,
    ) -> bool:
        """True once sent; False if Discord refused it (the member doesn't accept private
        messages from the bot: 50007). Raises :class:`Undeliverable` if they left the server."""
        member = await self._find(group, target, hint)
        if member is None:
            raise Undeliverable  # they left the server: there is nobody to tell
        try:
            with refusals(msg("send a member a private message")):
                await send_once(member, content, view)
        except DiscordRefused:
            return False
        return True

    # --- the notice before an exclusion vote -------------------------------------------------

    async def _send_notice(
        self, group: GroupRecord, task: fx.SendNotice, hint: Mapping[Pseudonym, User]
    ) -> NoticeState | None:
        """By private message; if refused, asked in the channel behind a button only they can
        use. Returns how far it got (the service keeps that: voting waits for the member to be
        able to read it, bot/core/decisions/hearing.py)."""
        stored = await self._repo.proposal(task.proposal_id)
        if stored is None or stored.proposal.state is not ProposalState.SECONDED:
            return None  # decided or withdrawn meanwhile
        content = await self._words.notice(group, task, self._place(group))
        member = await self._find(group, task.target, hint)
        if member is None:
            return NoticeState.UNREACHABLE  # not in the server: there is nobody to tell
        locale = await self._locale(group)
        view = hearing_view(task.proposal_id, locale)
        if await self._dm_or_refused(group, task.target, {task.target: member}, content, view):
            return NoticeState.PRIVATE
        # If refused: asked again; voting waits (48 hours at most).
        asking = texts.words(locale, reaching.ask_to_read(member.mention))
        await self._ping_only(group, member, asking, notice_view(task.proposal_id, locale), NotYet)
        log.info("A member doesn't accept private messages; asked them in the channel instead")
        return NoticeState.ASKED

    async def _ping_only(
        self, group: GroupRecord, member: discord.Member, content: str, view: View, failed: Fail
    ) -> None:
        """Post in the channel pinging only ``member`` (DMs closed); ``failed`` if refused."""
        channel = self._channel(group)
        if channel is None:
            raise failed
        only_them = discord.AllowedMentions(everyone=False, roles=False, users=[member])
        try:
            with refusals(msg("post for one member in the group's channel")):
                await send_once(channel, content, view, mentions=only_them)
        except (DiscordRefused, DiscordGone):
            raise failed from None

    async def _welcome_back(
        self, group: GroupRecord, target: Pseudonym, hint: Mapping[Pseudonym, User]
    ) -> None:
        current = await self._repo.exclusion(group.id, target)
        if current is not None and current.in_force(self._clock.now()):
            return  # a newer exclusion: this welcome is stale
        if await self._repo.denials.pending(group.id, target):
            raise NotYet  # not before they really can come back in
        welcome = await self._words.say(group, texts.welcome_back(self._place(group)))
        if await self._dm_or_refused(group, target, hint, welcome):
            return
        # They don't accept private messages (50007): they still learn their time away has
        # ended, by a ping in the channel (only them) that says no more than the vote did.
        member = await self._find(group, target, hint)
        if member is None:
            raise Undeliverable
        here = await self._words.say(group, reaching.welcome_back_here(member.mention))
        await self._ping_only(group, member, here, None, Undeliverable)
        log.info("A member doesn't accept private messages; welcomed them back in the channel")

    async def _post_ballot(
        self, group: GroupRecord, proposal_id: str, hint: Mapping[Pseudonym, User]
    ) -> None:
        stored = await self._repo.proposal(proposal_id)
        if stored is None or stored.proposal.state is not ProposalState.VOTING:
            return  # closed meanwhile
        mention = await self._mention(group, stored.proposal.motion, hint)
        content = await self._words.ballot(group, stored, mention)
        view = ballot_view(proposal_id, await self._locale(group))
        message = await self._post(group, content, view)
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
        mention = await self._mention(group, stored.proposal.motion, hint)
        content = await self._words.ballot(group, stored, mention)
        try:
            with refusals(msg("show a statement on a ballot")):
                await channel.get_partial_message(stored.ballot_message_id).edit(content=content)
        except (DiscordGone, DiscordRefused):
            raise Undeliverable from None


def _need(about: About | None) -> About:
    if about is None:
        raise Undeliverable
    return about
