"""Pictures the bot draws: a format's timeline (:mod:`bot.pictures.timeline`).

Drawn with Pillow, with the DejaVu Sans font shipped in ``fonts/`` (its licence beside it), so
nothing is fetched at run time. Drawing is CPU work: from the event loop, call
:func:`bot.pictures.timeline.draw_off_loop`.
"""

from bot.pictures.timeline import Picture, Placed, draw, draw_off_loop

__all__ = ["Picture", "Placed", "draw", "draw_off_loop"]
