"""Formats for the timeline tests: one with every kind of warning, and the largest valid one."""

from __future__ import annotations

#: Valid, with an overlap (the long welcome runs into the sharing's `starts:`), an overrun (the
#: extra words push the meeting past its end) and a section with no time of its own.
EVERY_WARNING = """\
format: 1
name: Every warning
length: 60m
switches:
  early:
    on: false
    about: A long extra welcome.
  late:
    on: false
    about: Extra words before the last shares.
sections:
  - say: Welcome.
    time: 5m
  - say: A long extra welcome.
    title: Long welcome
    time: 20m
    if: {switch: early}
  - share: The floor is open.
    title: Open sharing
    starts: start + 15m
    until: end - 10m
  - say: Extra words.
    title: Extra words
    time: 15m
    if: {switch: late}
  - share: Anyone who hasn't shared yet?
    title: Last shares
  - closing: Thank you all.
"""


def largest_format() -> str:
    """200 sections (the most a format may have) with long titles, a mix of kinds, one in ten
    conditional, in a four-hour meeting."""
    lines = [
        "format: 1",
        "name: The longest meeting a format may describe, with every section it may have",
        "length: 4h",
        "switches:",
        "  extra:",
        "    on: false",
        "    about: Extra words.",
        "sections:",
    ]
    for n in range(199):
        kind = ("say", "silence", "read", "say")[n % 4]
        if kind == "say":
            lines += [
                f"  - say: Words for part {n} of a long meeting.",
                f"    title: Part {n}, a title of some length with many words in it",
            ]
        elif kind == "silence":
            lines += ["  - silence: 30s"]
        else:
            lines += ["  - read: reading", f"    title: Reading {n}, in the group's own words"]
        if kind != "silence":
            lines.append("    time: 1m")
        if n % 10 == 3:
            lines.append("    if: {switch: extra}")
    lines += ["  - closing: Thank you all."]
    lines += ["texts:", "  reading: |", "    Our reading, in our own words."]
    return "\n".join(lines) + "\n"
