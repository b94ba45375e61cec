"""The rotation's one face to the cogs, the buttons and the composition root.

:class:`RotationService` builds the three parts on one shared :class:`~.circle.Circles` (the
store, the port, the clock and the group locks) and hands each call to the part that does it:
:class:`~.roster.Roster` (join, leave, show), :class:`~.turns.Turns` (answers and swaps) and
:class:`~.serving.Serving` (meetings, restarts, forget-me). Who is up next is announced by
:class:`~.announcing.Announcer`, durably: ``scheduler`` carries out, after a restart, an
announcement a crash left unposted (without one, as in some tests, nothing is retried).
"""

from __future__ import annotations

from bot.core.pseudonyms import Pseudonym
from bot.i18n import Msg
from bot.runtime.clock import Clock
from bot.runtime.events import MeetingCounted, MeetingStepped, MemberForgotten, ServiceElected
from bot.runtime.formats import FormatLibrary
from bot.runtime.languages import GroupLanguages
from bot.runtime.live import LiveMeetings, StartingRoles
from bot.runtime.locks import GroupLocks
from bot.runtime.rotation.circle import Circles
from bot.runtime.rotation.port import RotationPort, User
from bot.runtime.rotation.reminding import Reminders
from bot.runtime.rotation.roster import Choice, Roster, Shown
from bot.runtime.rotation.serving import Serving
from bot.runtime.rotation.turns import Turns
from bot.runtime.scheduler import OwnsGroup, Scheduler, every_group
from bot.store import Store
from bot.store.groups import GroupRecord


class RotationService:
    def __init__(
        self,
        *,
        store: Store,
        clock: Clock,
        formats: FormatLibrary,
        meetings: LiveMeetings,
        locks: GroupLocks,
        port: RotationPort,
        scheduler: Scheduler | None = None,
        languages: GroupLanguages | None = None,
        owns_group: OwnsGroup = every_group,
    ) -> None:
        circles = Circles(
            store=store,
            clock=clock,
            formats=formats,
            port=port,
            locks=locks,
            scheduler=scheduler,
            languages=languages,
            owns_group=owns_group,
        )
        self._roster = Roster(circles)
        self._reminders = Reminders(circles, scheduler)
        self._turns = Turns(circles, self._reminders)
        self._serving = Serving(circles, meetings)

    # --- who is in it (/rotation join|leave|show, the Join / Leave buttons) -----------------

    async def join(
        self,
        channel_id: int | None,
        user: User,
        role: str | None,
        weekdays: frozenset[int] = frozenset(),
        trained: bool | None = None,
    ) -> Msg | str:
        """The private answer (in the member's language, rendered by the caller)."""
        return await self._roster.join(channel_id, user, role, weekdays, trained)

    async def leave(self, channel_id: int | None, user: User, role: str | None) -> Msg | str:
        return await self._roster.leave(channel_id, user, role)

    async def show(self, channel_id: int | None) -> Shown:
        return await self._roster.show(channel_id)

    async def choices_here(self, channel_id: int | None) -> list[Choice]:
        return await self._roster.choices_here(channel_id)

    async def role_for_button(self, rotation_id: int) -> tuple[int, str]:
        return await self._roster.role_for_button(rotation_id)

    # --- answers to a turn, swaps ---------------------------------------------------------------

    async def will_serve(self, group_id: int, meeting: int, user: User) -> Msg | str:
        return await self._turns.will_serve(group_id, meeting, user)

    async def cant_make_it(self, group_id: int, meeting: int, user: User) -> Msg | str:
        return await self._turns.cant_make_it(group_id, meeting, user)

    async def remind_me(self, group_id: int, meeting: int, user: User) -> Msg | str:
        """**Remind me** under an announcement (:mod:`.reminding`)."""
        return await self._reminders.opt_in(group_id, meeting, user)

    async def ask_swap(
        self, channel_id: int | None, asker: User, partner: User, role: str | None
    ) -> Msg | str:
        return await self._turns.ask_swap(channel_id, asker, partner, role)

    async def answer_swap(self, swap_id: int, user: User, accept: bool) -> Msg | str:
        return await self._turns.answer_swap(swap_id, user, accept)

    # --- meetings (the RoleSource and the event handlers) -------------------------------------

    async def roles_for_meeting(
        self, group: GroupRecord, starter: Pseudonym | None
    ) -> StartingRoles:
        return await self._serving.roles_for_meeting(group, starter)

    async def meeting_stepped(self, event: MeetingStepped) -> None:
        await self._serving.meeting_stepped(event)

    async def meeting_counted(self, event: MeetingCounted) -> None:
        await self._serving.meeting_counted(event)

    async def member_forgotten(self, event: MemberForgotten) -> None:
        await self._serving.member_forgotten(event)

    async def service_elected(self, event: ServiceElected) -> None:
        await self._serving.service_elected(event)

    async def tidy_after_restart(self) -> None:
        await self._serving.tidy_after_restart()

    async def close(self) -> None:
        """Finish background work before the database closes (the bot is stopping)."""
        await self._serving.close()
