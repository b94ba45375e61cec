"""Due process and group decisions at run time (see :mod:`.service`).

* :mod:`.service` — :class:`DecisionService`: the core, the store, the scheduler, the outbox;
* :mod:`.on_discord` — :class:`DiscordDecisions`: members, voter rolls, messages, overwrites;
* :mod:`.buttons` — the persistent Second, Give my side and ballot buttons;
* :mod:`.settings` — what a group can change by a decision; :mod:`.texts` — the words.
"""

from bot.runtime.decisions.on_discord import DiscordDecisions
from bot.runtime.decisions.service import DecisionService

__all__ = ["DecisionService", "DiscordDecisions"]
