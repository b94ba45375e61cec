"""What the decision adapter posts and sends, in the group's language: the words of each piece
of work (:mod:`.texts`, :mod:`.reaching`) with what they need from the store and the group's
format (guideline titles, a proposed format's name, how far the notice got, the ballot's
statement). Only what Discord alone knows — a member's mention, the channel's and server's
names — is handed in by the adapter (:class:`bot.adapters.decisions.DiscordDecisions`).

Everything the group sees in its channel, and every note the bot sends a member on its own
(no interaction to take a language from), is in the group's language
(:class:`~bot.runtime.languages.GroupLanguages`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from bot.core.decisions import CancelReason, DecisionSettings, ExcludeMember, Motion, Result
from bot.core.decisions import effects as fx
from bot.core.decisions.hearing import NOTICE_WAIT, NoticeState
from bot.core.formats import CompiledFormat
from bot.errors import InvalidInput
from bot.runtime.decisions import reaching, texts
from bot.runtime.decisions.outbox import About
from bot.runtime.decisions.reaching import Place
from bot.runtime.decisions.settings import FORMAT, decision_settings
from bot.runtime.decisions.texts import Text
from bot.runtime.formats import FormatLibrary
from bot.runtime.languages import GroupLanguages
from bot.store.decision_rows import StoredProposal
from bot.store.decisions import DecisionRepository
from bot.store.groups import GroupRecord


class DecisionWords:
    def __init__(
        self, *, repo: DecisionRepository, formats: FormatLibrary, languages: GroupLanguages
    ) -> None:
        self._repo = repo
        self._formats = formats
        self._languages = languages

    async def say(self, group: GroupRecord, text: Text) -> str:
        """``text`` in the group's language."""
        return texts.words(await self._languages.of_group(group), text)

    # --- what the words need ----------------------------------------------------------------

    async def settings(self, group: GroupRecord) -> DecisionSettings:
        return decision_settings(await self._repo.settings(group.id))

    async def _plan(self, group: GroupRecord) -> CompiledFormat | None:
        try:
            return await self._formats.current(group)
        except InvalidInput:
            return None

    async def titles(self, group: GroupRecord, keys: Iterable[str]) -> list[str]:
        plan = await self._plan(group)
        titles = []
        for key in keys:
            guideline = None if plan is None else plan.guideline(key)
            titles.append(guideline.title if guideline else key)
        return titles

    async def about(self, group: GroupRecord, motion: Motion) -> tuple[list[str], str | None]:
        """The guideline titles of an exclusion, and the name of a proposed format."""
        if isinstance(motion, ExcludeMember):
            return await self.titles(group, motion.guidelines), None
        if getattr(motion, "subject", None) == FORMAT:
            try:
                plan = await self._formats.compiled(group, getattr(motion, "value", ""))
            except Exception:
                return [], None
            return [], plan.name
        return [], None

    # --- the words --------------------------------------------------------------------------

    async def concern_note(self, group: GroupRecord, key: str, place: Place) -> str:
        plan = await self._plan(group)
        guideline = None if plan is None else plan.guideline(key)
        title, text = (guideline.title, guideline.text) if guideline else (key, "")
        return await self.say(group, texts.concern_note(place, title, text))

    async def ask_for_second(
        self, group: GroupRecord, about: About, second_by: datetime, mention: str | None
    ) -> str:
        titles, name = await self.about(group, about.motion)
        return await self.say(
            group, texts.ask_for_second(about.motion, mention, second_by, titles, name)
        )

    async def seconded(
        self, group: GroupRecord, about: About, opens: datetime, mention: str | None
    ) -> str:
        _, name = await self.about(group, about.motion)
        stored = await self._repo.proposal(about.proposal_id)
        state = NoticeState.PENDING if stored is None else stored.notice
        since = stored.asked_at if stored is not None and stored.asked_at else None
        settings = await self.settings(group)
        latest = (since or opens - settings.hearing) + NOTICE_WAIT
        step = reaching.seconded_step(state, opens, max(latest, opens))
        return await self.say(
            group, texts.seconded_notice(about.motion, mention, opens, name, step)
        )

    async def notice(self, group: GroupRecord, task: fx.SendNotice, place: Place) -> str:
        titles = await self.titles(group, task.guidelines)
        settings = await self.settings(group)
        return await self.say(
            group, texts.notice(place, task.meetings, titles, task.hearing_ends, settings)
        )

    async def ballot(self, group: GroupRecord, stored: StoredProposal, mention: str | None) -> str:
        proposal = stored.proposal
        _, name = await self.about(group, proposal.motion)
        return await self.say(
            group,
            texts.ballot(
                proposal.motion,
                mention,
                proposal.statement,
                proposal.threshold,
                proposal.quorum,
                proposal.deadline,
                name,
                reaching.no_side(stored.notice),
            ),
        )

    async def closed(self, group: GroupRecord, about: About, result: Result) -> tuple[str, ...]:
        """The ballot and the proposal as they read once the vote closed, and the result: in
        the group's language as it is now (a passed change of language already speaks it)."""
        _, name = await self.about(group, about.motion)
        return (
            await self.say(group, texts.ballot_closed(about.motion, name)),
            await self.say(group, texts.proposal_decided(about.motion, name)),
            await self.say(group, texts.result(about.motion, result, about.quorum, name)),
        )

    async def lapsed(self, group: GroupRecord, about: About) -> str:
        _, name = await self.about(group, about.motion)
        return await self.say(group, texts.lapsed(about.motion, name))

    async def cancelled(self, group: GroupRecord, about: About, reason: CancelReason) -> str:
        _, name = await self.about(group, about.motion)
        return await self.say(group, texts.cancelled(about.motion, reason, name))
