"""Shows a meeting in Discord: each effect of the meeting core becomes a short, kind message.

Names are resolved at the last moment from Discord (pseudonym -> member, in memory) and only for
people who chose to be named: the chair, a volunteer reader, whoever raised a hand or has the
floor. Pings go only to the member who is given the floor, and to a chair asked whether they're
still with us. The panel (one message per meeting,
with persistent buttons) is edited at most a few times a second, however many hands go up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence

import discord

from bot.adapters import meeting_said as said
from bot.adapters import room_words as rw
from bot.adapters.meeting_time import post_section, show_time
from bot.adapters.meeting_words import (
    NOTICES,
    choose_words,
    ended_words,
    panel_embed,
    quiet_words,
    shown_title,
    upper_first,
    without_next_chair,
)
from bot.adapters.panel_sent import SentPanels, panel_look
from bot.adapters.sending import nonce_for
from bot.core.formats.render import render
from bot.core.formats.sharing import AtLimit
from bot.core.lazy_dataclasses import lazy_dataclass
from bot.core.meeting import Status
from bot.core.meeting import effects as fx
from bot.core.pseudonyms import Pseudonym
from bot.errors import DiscordGone, DiscordRefused
from bot.guild import MEETING_PERMISSIONS, Directory, refusals
from bot.i18n import Msg, group_locale
from bot.i18n import render as say_in
from bot.runtime.clock import Clock
from bot.runtime.languages import GroupLanguages
from bot.runtime.live import LiveMeeting
from bot.runtime.markup import first_name
from bot.runtime.meetings import Unshown
from bot.runtime.meetings.refusals import cannot_post_words, chair_note
from bot.ui.meeting import prompt_view
from bot.ui.meeting_panel import panel_view
from bot.ui.replies import permission_label

log = logging.getLogger(__name__)

MESSAGE_LIMIT = 2000
PANEL_DEBOUNCE_SECONDS = 0.3


@lazy_dataclass
class _Progress:
    """The effect being shown: its messages posted so far, and how many to leave out (posted
    before Discord refused, when the meeting paused)."""

    posted: int = 0
    skip: int = 0


class MeetingPresenter:
    """The meeting service's :class:`~bot.runtime.meetings.MeetingPort` on Discord."""

    def __init__(
        self,
        client: discord.Client,
        directory: Directory,
        clock: Clock,
        languages: GroupLanguages | None = None,
    ) -> None:
        self._client = client
        self._directory = directory
        self._clock = clock
        self._languages = languages
        self._locales: dict[int, str] = {}  # meeting id -> its group's language, last read
        self._panel_view = panel_view
        self._prompt_view = prompt_view
        self._panel_tasks: dict[int, asyncio.Task[None]] = {}
        # pseudonym -> member, learnt from interactions; in memory only, per meeting
        self._members: dict[int, dict[Pseudonym, discord.Member]] = {}
        self._panel_dirty: set[int] = set()
        self._panel_live: dict[int, LiveMeeting] = {}  # the newest meeting with that id
        self._reposted: dict[int, int] = {}  # meeting id -> its panel, posted again
        self._progress: dict[int, _Progress] = {}  # meeting id -> the effect being shown
        self._sent = SentPanels()  # what each panel last showed: no edit that changes nothing

    # --- the group's language --------------------------------------------------------------

    def locale(self, live: LiveMeeting) -> str:
        """The language of the meeting's channel, as last read (its format's until then)."""
        return self._locales.get(live.id) or group_locale(live.plan.language)

    async def speaks(self, live: LiveMeeting) -> str:
        """Read the group's language again (a group may decide on another between posts)."""
        if self._languages is not None:
            try:
                self._locales[live.id] = await self._languages.of_group(live.group)
            except Exception:
                log.warning("A group's language could not be read; keeping the last known")
        return self.locale(live)

    # --- names (memory only) -----------------------------------------------------------------

    def remember(self, live: LiveMeeting, who: Pseudonym, member: discord.Member) -> None:
        """Keep (in memory, for this meeting only) the member behind a pseudonym."""
        self._members.setdefault(live.id, {})[who] = member

    def forget(self, live: LiveMeeting, who: Pseudonym) -> None:
        """Drop the member behind a pseudonym from memory (after forget-me)."""
        self._members.get(live.id, {}).pop(who, None)

    def member(self, live: LiveMeeting, who: Pseudonym) -> discord.Member | None:
        known = self._members.get(live.id, {}).get(who)
        if known is not None:
            return known
        guild = self._directory.guild(live.group.guild_id)
        if guild is None:
            return None
        found = self._directory.find_one(guild, who, live.names)
        if found is not None:
            self.remember(live, who, found)
        return found

    def name(self, live: LiveMeeting, who: Pseudonym | None) -> str:
        member = None if who is None else self.member(live, who)
        return first_name(member.display_name) if member else self.say(live, said.SOMEONE)

    def say(self, live: LiveMeeting, words: Msg) -> str:
        return say_in(self.locale(live), words)

    def values(self, live: LiveMeeting) -> dict[str, str]:
        start = live.state.started_at
        values = said.local_values(self.locale(live), live.runner.render_values(live.state), start)
        channel = self._client.get_channel(live.group.channel_id)
        group = getattr(channel, "name", None) or self.say(live, said.OUR_GROUP)
        values["group"] = group.replace("-", " ")
        chairs = live.chairs
        values["chair"] = (
            self.name(live, chairs[0]) if chairs else self.say(live, said.TODAYS_CHAIR)
        )
        speakers = live.state.holders("speaker")
        values["speaker"] = (
            self.name(live, speakers[0]) if speakers else self.say(live, said.A_MEMBER)
        )
        return values

    # --- sending -----------------------------------------------------------------------------

    def _channel(self, live: LiveMeeting) -> discord.PartialMessageable:
        return self._client.get_partial_messageable(
            live.group.channel_id, guild_id=live.group.guild_id
        )

    async def _post(
        self,
        live: LiveMeeting,
        text: str,
        *,
        view: discord.ui.View | None = None,
        ping: discord.abc.Snowflake | None = None,
    ) -> discord.Message | None:
        """One message of the effect being shown. Raises :class:`DiscordRefused` when Discord
        refuses to post in the channel (the meeting then pauses); other failures are logged."""
        progress = self._progress.setdefault(live.id, _Progress())
        if progress.skip > 0:  # posted before the meeting paused: not twice
            progress.skip -= 1
            progress.posted += 1
            return None
        mentions = (
            discord.AllowedMentions(users=[ping], everyone=False, roles=False, replied_user=False)
            if ping is not None
            else discord.AllowedMentions.none()
        )
        try:
            with refusals("post in a meeting's channel"):
                message = await self._channel(live).send(
                    text[:MESSAGE_LIMIT],
                    allowed_mentions=mentions,
                    view=discord.utils.MISSING if view is None else view,
                )
        except DiscordGone:
            return None
        except DiscordRefused:
            raise
        except discord.HTTPException as error:
            log.warning("Could not post in a meeting channel (HTTP %s)", error.status)
            return None
        progress.posted += 1
        return message

    def render(self, live: LiveMeeting, chunk: str, values: dict[str, str]) -> str:
        """A text of the format with today's values; a sentence naming the next chair is left
        out when nobody is known to chair next time."""
        chunk = said.built_in(self.locale(live), chunk)
        return render(chunk if "next_chair" in values else without_next_chair(chunk), values)

    async def _post_chunks(self, live: LiveMeeting, heading: str, chunks: Sequence[str]) -> None:
        values = self.values(live)
        texts = [self.render(live, chunk, values) for chunk in chunks]
        if texts and len(heading) + 1 + len(texts[0]) <= MESSAGE_LIMIT:
            texts[0] = f"{heading}\n{texts[0]}" if heading else texts[0]
        elif heading:
            texts.insert(0, heading)
        for text in texts:
            if text.strip():
                await self._post(live, text)

    async def _private(self, live: LiveMeeting, who: Pseudonym, text: str) -> None:
        """A private word to one member (by DM); if their DMs are closed, nothing is lost."""
        member = self.member(live, who)
        if member is None:
            return
        try:
            await member.send(text, allowed_mentions=discord.AllowedMentions.none())
        except discord.HTTPException:
            log.info("A private meeting note could not be delivered (DMs closed)")

    # --- the panel ---------------------------------------------------------------------------

    def panel_embed(self, live: LiveMeeting) -> discord.Embed:
        panel = live.runner.describe(live.state, self._clock.now())
        locale = self.locale(live)
        paused = (
            cannot_post_words(self.missing(live), locale=locale) if live.state.cannot_post else None
        )
        names = lambda who: self.name(live, who)  # noqa: E731
        return panel_embed(panel, live.chairs, names, paused, locale=locale)

    def _panel(self, live: LiveMeeting) -> discord.ui.View:
        return self._panel_view(live, lambda who: self.name(live, who), locale=self.locale(live))

    async def open_panel(self, live: LiveMeeting) -> int | None:
        message = None
        await self.speaks(live)
        embed, view = self.panel_embed(live), self._panel(live)
        with contextlib.suppress(discord.HTTPException):
            message = await self._channel(live).send(
                embed=embed,
                view=view,
                allowed_mentions=discord.AllowedMentions.none(),
                # Posted again after a crash before its id was saved, Discord returns the
                # first panel instead of a second one (within its nonce window). Keyed by when
                # the meeting was made: its start moves when a countdown ends.
                nonce=nonce_for(f"meeting-panel:{live.id}", repr(live.opened_at)),
            )
        if message is not None:
            self._sent.shown(message.id, panel_look(embed, view))
        return None if message is None else message.id

    def refresh_panel(self, live: LiveMeeting) -> None:
        """Ask for the panel to be redrawn soon; many requests become one edit."""
        self._panel_dirty.add(live.id)
        self._panel_live[live.id] = live  # an id may be used again once a meeting has ended
        task = self._panel_tasks.get(live.id)
        if task is None or task.done():
            self._panel_tasks[live.id] = asyncio.create_task(self._redraw(live))

    async def _redraw(self, live: LiveMeeting) -> None:
        while live.id in self._panel_dirty:
            await asyncio.sleep(PANEL_DEBOUNCE_SECONDS)
            self._panel_dirty.discard(live.id)
            await self.redraw_now(self._panel_live.get(live.id, live))

    async def close(self) -> None:
        """Stop pending panel redraws (the bot is shutting down)."""
        tasks = [task for task in self._panel_tasks.values() if not task.done()]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._panel_tasks.clear()

    async def redraw_now(self, live: LiveMeeting) -> None:
        panel_id = self._reposted.get(live.id, live.panel_message_id)
        if panel_id is None or self._client.is_closed():
            return
        ended = live.state.status is Status.ENDED
        message = self._channel(live).get_partial_message(panel_id)
        await self.speaks(live)
        try:
            embed, view = self.panel_embed(live), None if ended else self._panel(live)
            look = panel_look(embed, view)
            if self._sent.unchanged(panel_id, look):
                return  # nothing visible changed: no edit
            await message.edit(embed=embed, view=view)
            self._sent.shown(panel_id, look, final=ended)
        except discord.NotFound:  # someone deleted the panel: post it again
            reposted = await self.open_panel(live)
            if reposted is not None:
                self._reposted[live.id] = reposted
        except discord.HTTPException:
            log.warning("Could not update a meeting panel")

    # --- the chair, away or back -------------------------------------------------------------

    async def _chair(self, live: LiveMeeting, effect: fx.ChannelEffect) -> None:
        locale = self.locale(live)
        match effect:
            case fx.ChairAsked(chairs=chairs, by=by, until=until):
                chair = self.member(live, chairs[0]) if chairs else None
                await self._post(
                    live,
                    said.chair_asked(
                        locale, chair.mention if chair else None, self.name(live, by), until
                    ),
                    view=self._prompt_view(live, "here", [("here", said.label(locale, "here"))]),
                    ping=chair,
                )
            case fx.ChairStays(chairs=chairs, by=by):
                stays = self.name(live, chairs[0]) if chairs else self.say(live, said.THE_CHAIR)
                await self._post(
                    live, said.chair_stays(locale, upper_first(stays), self.name(live, by))
                )
            case fx.ChairHandedOver(by=by, previous=previous):
                before = (
                    self.name(live, previous[0]) if previous else self.say(live, said.OUR_CHAIR)
                )
                await self._post(
                    live,
                    said.chair_handed_over(locale, self.name(live, by), upper_first(before)),
                    view=self._prompt_view(
                        live, "imback", [("imback", said.label(locale, "imback"))]
                    ),
                )
            case fx.ChairTakenBack(who=who, stand_in=stand_in):
                helper = self.name(live, stand_in[0]) if stand_in else self.say(live, said.EVERYONE)
                await self._post(live, said.chair_taken_back(locale, self.name(live, who), helper))

    # --- effects -----------------------------------------------------------------------------

    async def show(self, live: LiveMeeting, effects: Sequence[fx.ChannelEffect]) -> Unshown | None:
        """Show the effects in order; at the first Discord refuses to post, stop and say which
        (and how many of its messages went out) for the meeting to pause and keep the rest."""
        await self.speaks(live)
        try:
            for index, effect in enumerate(effects):
                progress = self._progress[live.id] = _Progress()
                try:
                    await self._show_one(live, effect)
                except DiscordRefused:
                    return Unshown(index, progress.posted, self.missing(live))
                except Exception:
                    log.exception("Could not show a meeting effect (%s)", type(effect).__name__)
        finally:
            self._progress.pop(live.id, None)
        return None

    # --- when Discord refuses to post --------------------------------------------------------

    def missing(self, live: LiveMeeting) -> tuple[str, ...]:
        """What the bot lacks in the meeting's channel (as Discord's screens name it), as far as
        Discord told it; empty if it can't tell."""
        channel = self._client.get_channel(live.group.channel_id)
        me = getattr(getattr(channel, "guild", None), "me", None)
        if not isinstance(channel, discord.abc.GuildChannel) or me is None:
            return ()
        granted = channel.permissions_for(me)
        return tuple(permission_label(p) for p in MEETING_PERMISSIONS if not getattr(granted, p))

    async def cannot_post(self, live: LiveMeeting, missing: tuple[str, ...]) -> None:
        """The meeting paused because the bot can't post: the panel says so (with **Resume**),
        and the room is told if a post still goes through."""
        self._panel_dirty.discard(live.id)
        await self.redraw_now(live)
        try:
            with refusals("tell a meeting's room it is paused"):
                await self._channel(live).send(
                    cannot_post_words(missing, locale=await self.speaks(live)),
                    allowed_mentions=discord.AllowedMentions.none(),
                )
        except (DiscordRefused, DiscordGone, discord.HTTPException):
            pass  # the panel says it, if Discord lets me edit it

    async def tell_chair(self, live: LiveMeeting, missing: tuple[str, ...]) -> bool:
        chairs = live.chairs
        member = self.member(live, chairs[0]) if chairs else None
        if member is None:
            return False
        try:
            await member.send(
                chair_note(missing, live.group.channel_id, locale=await self.speaks(live)),
                allowed_mentions=discord.AllowedMentions.none(),
            )
        except discord.HTTPException:
            log.info("The chair could not be told privately that a meeting is paused")
            return False
        return True

    async def _show_one(self, live: LiveMeeting, effect: fx.ChannelEffect) -> None:
        locale = self.locale(live)
        simple = said.simple_words(locale, effect)
        if simple is not None:
            await self._post(live, simple)
        match effect:
            case fx.ShowAgain(effect=again, posted=posted):
                self._progress.setdefault(live.id, _Progress()).skip = posted
                await self._show_one(live, again)
            case fx.UpdatePanel():
                if live.state.status is Status.ENDED:
                    await self.redraw_now(live)
                else:
                    self.refresh_panel(live)
            case fx.Notice(kind=kind):
                notice = rw.PAUSED if kind is fx.NoticeKind.PAUSED else NOTICES[kind]
                await self._post(live, say_in(locale, notice))
            case fx.PostSection():
                await post_section(self, live, effect)
            case fx.ExplainCrosstalk(chunks=chunks) | fx.PostAnnouncementCall(chunks=chunks):
                await self._post_chunks(live, "", chunks)
            case fx.FellowshipBegins(chunks=chunks):
                await self._post_chunks(live, "", chunks)
            case fx.PostText(title=title, chunks=chunks):
                await self._post_chunks(live, f"**{shown_title(locale, title)}**", chunks)
            case fx.ChooseText(index=index, options=options):
                buttons = [(f"choose:{i}", option[:80]) for i, option in enumerate(options[:20])]
                await self._post(
                    live,
                    choose_words(live.plan.sections[index].title, locale=locale),
                    view=self._prompt_view(live, "choose", buttons),
                )
            case fx.OfferReading(title=title, part=part, parts=parts):
                labels = [(a, said.label(locale, a)) for a in ("read", "chairread")]
                await self._post(
                    live,
                    said.offer_reading(locale, shown_title(locale, title), part, parts),
                    view=self._prompt_view(live, "read", labels),
                )
            case fx.PostReading(title=title, part=part, parts=parts, chunks=chunks, reader=reader):
                by = self.name(live, reader) if reader else None
                heading = said.reading_heading(locale, shown_title(locale, title), part, parts, by)
                await self._post_chunks(live, heading, chunks)
            case fx.AskChair(index=index, question_id=qid, text=text):
                answers = [(f"{a}:{index}", said.label(locale, a)) for a in ("yes", "no")]
                if rw.is_newcomer_question(qid, text):  # a member may say so, privately
                    answers.append(("first", said.label(locale, "first")))
                await self._post(
                    live,
                    render(text, self.values(live)),
                    view=self._prompt_view(live, "answer", answers),
                )
            case fx.PostAgendaItem(item=item, title=title, ends_at=ends_at):
                await self._post(live, said.agenda_item(locale, item, title, ends_at))
            case fx.BellStart(index=index, ends_at=ends_at, bell=bell):
                quiet = live.plan.sections[index].kind
                await self._post(live, quiet_words(quiet, ends_at, bell, locale=locale))
            case fx.MeetingNote(text=text):
                await self._post(live, render(said.built_in(locale, text), self.values(live)))
            case fx.MeetingEnded():
                self._panel_dirty.discard(live.id)
                self._members.pop(live.id, None)
                await self.redraw_now(live)
                self._reposted.pop(live.id, None)
                self._panel_live.pop(live.id, None)
                await self._post(live, ended_words(live, effect, locale=locale))
                self._locales.pop(live.id, None)
            case fx.ChairAsked() | fx.ChairStays() | fx.ChairHandedOver() | fx.ChairTakenBack():
                await self._chair(live, effect)
            case fx.FloorGiven(who=who, how=how, limit_at=limit_at, self_timed=self_timed):
                member = self.member(live, who)
                mention = member.mention if member else None
                words = said.floor_given(locale, how, mention, limit_at, not self_timed)
                await self._post(live, words, ping=member)
                self.refresh_panel(live)
            case fx.FloorEnded():
                self.refresh_panel(live)
            case fx.FloorFree(waits_for=waits_for):
                await self._post(live, rw.free_words(waits_for, locale=locale))
            case fx.ShareNote(who=who, text=text, private=private):
                words = render(said.built_in(locale, text), self.values(live))
                if private:
                    await self._private(live, who, words)
                else:
                    await self._post(live, words)
            case fx.TimeUp(who=who, action=action, said=already, private=private):
                if action is AtLimit.NOTE and already:
                    return
                words = say_in(locale, said.TIME_UP[action])
                if private:
                    await self._private(live, who, words)
                else:
                    await self._post(live, words)
            case fx.HandLowered(who=who):
                await self._private(live, who, say_in(locale, said.HAND_LOWERED))
            case fx.SetChannelRules():
                pass  # channel permissions per section come with floor control
            case fx.ChairMoved() | fx.HandsCleared():
                await self._post(live, rw.room_words(effect, locale=locale) or "")
            case _:
                if simple is None and not await show_time(self, live, effect):
                    log.debug("No words yet for %s", type(effect).__name__)
