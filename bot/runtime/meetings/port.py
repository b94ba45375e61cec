"""What the meeting service asks of the world: Discord (:class:`MeetingPort`), who chairs
(:class:`RoleSource`) and the group's switches (:class:`SwitchSource`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from bot.core.lazy_dataclasses import lazy_dataclass
from bot.core.meeting.effects import ChannelEffect
from bot.core.pseudonyms import Pseudonym
from bot.runtime.live import CHAIR, LiveMeeting, StartingRoles
from bot.store.groups import GroupRecord


@lazy_dataclass(frozen=True)
class Unshown:
    """Discord refused to post in the meeting's channel (403): the effects from ``index`` on
    were not shown, and ``posted`` messages of the one at ``index`` were (before the refusal).
    ``missing`` names the permissions the bot lacks there as Discord's screens do, when known
    ("Send Messages"); empty when Discord said no but the bot can't tell why."""

    index: int
    posted: int
    missing: tuple[str, ...] = ()


class MeetingPort(Protocol):
    """What the meeting service asks of Discord: show a meeting's effects in its channel
    (:class:`bot.adapters.meetings.MeetingPresenter`)."""

    async def open_panel(self, live: LiveMeeting) -> int | None:
        """Post the meeting's panel; its message id, or None if it could not be posted."""

    async def show(self, live: LiveMeeting, effects: Sequence[ChannelEffect]) -> Unshown | None:
        """Show a step's effects, in order. Stops at the first that Discord refuses to post in
        the channel and says which (the service then pauses the meeting and keeps the rest);
        anything else that goes wrong is logged and skipped."""

    async def cannot_post(self, live: LiveMeeting, missing: tuple[str, ...]) -> None:
        """The meeting is paused because the bot can't post: show it on the panel and tell the
        room, if any post still works (never raises)."""

    async def tell_chair(self, live: LiveMeeting, missing: tuple[str, ...]) -> bool:
        """Tell today's chair privately that the bot can't post; False if they can't be
        reached."""

    def forget(self, live: LiveMeeting, who: Pseudonym) -> None:
        """Drop what is held in memory about a member (after forget-me)."""


class RoleSource(Protocol):
    """Who holds each of the format's roles at the start (the service rotation)."""

    async def roles_for_meeting(
        self, group: GroupRecord, starter: Pseudonym | None
    ) -> StartingRoles: ...


class SwitchSource(Protocol):
    """The group's switch settings as its decisions left them (group decisions)."""

    async def switches(self, group: GroupRecord) -> Mapping[str, bool]: ...


class StarterChairs:
    """The default role source: whoever starts the meeting chairs it."""

    async def roles_for_meeting(
        self, group: GroupRecord, starter: Pseudonym | None
    ) -> StartingRoles:
        return StartingRoles({CHAIR: [starter]} if starter is not None else {})


class FormatDefaults:
    """The default switch source: every switch keeps the format's default."""

    async def switches(self, group: GroupRecord) -> Mapping[str, bool]:
        return {}
