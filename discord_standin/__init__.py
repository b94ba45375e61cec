"""A small fake Discord (REST v10 + gateway v10) for end-to-end tests of the unmodified
discord.py client.

    async with FakeDiscord(privileged_intents_granted={"members"}) as fake:
        guild = fake.add_guild("Tuesday Circle")
        room = fake.add_channel(guild.id, "meeting-room")
        alice = fake.add_member(guild.id, "alice", global_name="Alice Example")
        ...  # start the bot: DISCORD_API_BASE=fake.api_base, DISCORD_GATEWAY_URL=fake.gateway_url
        await fake.wait_ready()
        it = await alice.slash(room.id, "group settings")
        reply = await it.wait_response()

Modules: ``state`` (the data and its JSON), ``permissions``, ``messages``, ``validation``,
``gateway`` (websocket, sessions, RESUME), ``events`` (which gateway events follow a change),
``rest_core`` (recording, auth, rate limits, faults) and the ``rest_*`` routes,
``interactions`` and ``members`` (simulated people), ``world`` and ``server`` (``FakeDiscord``).
"""

from .errors import DiscordError, SimulationError
from .interactions import SimulatedInteraction
from .members import SimulatedMember
from .permissions import PERMISSION_BITS, Overwrite, permission_names, permission_value
from .rest_core import RecordedRequest, UploadedFile
from .server import FakeDiscord
from .state import Attachment, Channel, Guild, InteractionCallback, Member, Role, User
from .world import GuildHandle

__all__ = [
    "PERMISSION_BITS",
    "Attachment",
    "Channel",
    "DiscordError",
    "FakeDiscord",
    "Guild",
    "GuildHandle",
    "InteractionCallback",
    "Member",
    "Overwrite",
    "RecordedRequest",
    "Role",
    "SimulatedInteraction",
    "SimulatedMember",
    "SimulationError",
    "UploadedFile",
    "User",
    "permission_names",
    "permission_value",
]
