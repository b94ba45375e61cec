"""Peer Circle's benchmarks (issue 18): each figure is a ratio measured side by side in one run
against its floor (a bare discord.py client, a raw aiosqlite loop, Discord's deadline), with
repeats and the machine's load noted. ``python -m bench`` runs them all; ``--tiny`` runs each at
a size small enough for a test (the suite checks that they run, never their figures)."""
