"""Due process and group decisions at run time (see :mod:`.service`). Nothing here imports
``discord``: the service reaches Discord only through its port (:mod:`.port`).

* :mod:`.service` — :class:`DecisionService`, the one face the cogs, buttons and events see;
  its parts: :mod:`.concerns`, :mod:`.proposals` (proposing, seconding, the hearing),
  :mod:`.voting` (secret ballots), :mod:`.exclusions` (time away, counted meetings), sharing
  :mod:`.context`;
* :mod:`.engine` — the one path: transition, commit, carry out; :mod:`.outbox` — the work;
* :mod:`.settings` — what a group can change by a decision; :mod:`.texts` — the words.

Its Discord side is :class:`bot.adapters.decisions.DiscordDecisions`; its buttons are in
:mod:`bot.ui.decisions`.
"""

from bot.runtime.decisions.service import DecisionService

__all__ = ["DecisionService"]
