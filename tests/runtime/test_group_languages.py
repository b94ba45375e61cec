"""A group's language is looked up on every press and post: it is remembered per group, and a
new format or the group's own ``language`` decision is seen at once."""

from __future__ import annotations

from bot.core.formats import CompiledFormat
from bot.runtime.formats import FormatLibrary
from bot.runtime.languages import SETTING_NAME, GroupLanguages
from bot.store import Store
from bot.store.groups import GroupRecord
from tests.runtime.test_meetings_service import CHANNEL, Bench
from tests.runtime.test_room_languages import in_spanish
from tests.support.clock import FakeTime


class CountingLibrary(FormatLibrary):
    """The real library, counting how often a group's format is compiled or looked up."""

    looked_up = 0

    async def current(self, group: GroupRecord) -> CompiledFormat:
        self.looked_up += 1
        return await super().current(group)


async def _group(store: Store) -> GroupRecord:
    group = await store.groups.by_channel(CHANNEL)
    assert group is not None
    return group


async def test_two_lookups_compile_the_format_once(store: Store) -> None:
    await in_spanish(store, (await Bench(store, FakeTime()).group()).id)
    library = CountingLibrary(store)
    languages = GroupLanguages(store=store, formats=library)
    group = await _group(store)
    assert await languages.of_group(group) == "es"
    assert await languages.of_channel(CHANNEL) == "es"
    assert library.looked_up == 1


async def test_a_new_format_or_a_decided_language_is_seen_at_once(store: Store) -> None:
    english = await Bench(store, FakeTime()).group()
    library = CountingLibrary(store)
    languages = GroupLanguages(store=store, formats=library)
    assert await languages.of_group(english) == "en"
    await in_spanish(store, english.id)  # the group adopts a Spanish format
    assert await languages.of_channel(CHANNEL) == "es"
    async with store.decisions.transaction() as tx:
        await tx.set_setting(english.id, SETTING_NAME, "fr")  # then decides on French
    assert await languages.of_channel(CHANNEL) == "fr"
    assert await languages.of_channel(CHANNEL) == "fr"
    assert library.looked_up == 2  # the English format, then the Spanish one: French needs none
