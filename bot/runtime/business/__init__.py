"""Live business meetings: motions moved, seconded, discussed and voted by secret ballot in the
meeting, motions to table, and elections for service roles — the pure core
(:mod:`bot.core.business`), the store (:mod:`bot.store.business`) and Discord (through
:class:`~bot.runtime.business.port.BusinessPort`), tied together by
:class:`~bot.runtime.business.service.BusinessService`. No module here imports ``discord``.
"""

from bot.runtime.business.port import BusinessPort, Button, Look
from bot.runtime.business.service import BALLOT_KIND, DISCUSSION_KIND, BusinessService

__all__ = ["BALLOT_KIND", "DISCUSSION_KIND", "BusinessPort", "BusinessService", "Button", "Look"]
