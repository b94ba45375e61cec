"""The schedule in plain words, both ways: what a group's secretary types ("Tuesdays 19:00",
"every other Thursday at 7pm", "first Monday of the month 18:30", "Mon, Wed 12:00; last Friday
20:00") and the one canonical way the bot writes it back (which parses to the same schedule).

Every refusal is a :class:`ScheduleError` whose message is a kind, plain sentence with an example
that works; nothing here guesses silently (a bare "7" is asked about, not read as 07:00).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from datetime import time as time_of_day  # a time of day, not a clock reading

from bot.core.schedule.model import (
    LAST,
    NTH_WORDS,
    WEEKDAYS,
    MonthlyNth,
    Recurring,
    Rule,
    Weekly,
    week_start,
)
from bot.i18n.message import Msg, msg, msg_n

EXAMPLE = "`Tuesdays 19:00`, `every other Thursday 7pm` or `first Monday of the month 18:30`"
MAX_MEETINGS = 7
MONTHS = (
    *("january", "february", "march", "april", "may", "june"),
    *("july", "august", "september", "october", "november", "december"),
)


class ScheduleError(ValueError):
    """A schedule, date or time that can't be read; the message (a :class:`Msg`, rendered in the
    reader's language) says so kindly. ``str(error)`` gives the English words."""

    def __init__(self, words: Msg) -> None:
        super().__init__(words)
        self.words = words

    def __str__(self) -> str:
        return str(self.words)


_UNSHOWABLE = re.compile(r"[\x00-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff`]")


def shown(text: str, limit: int = 40) -> str:
    """Someone's own words, safe to quote back: no invisible or formatting marks, cut short."""
    clean = _UNSHOWABLE.sub("", text).strip()
    return clean if len(clean) <= limit else clean[: limit - 1] + "…"


_DAY_WORDS: dict[str, int] = {}
for _i, _name in enumerate(WEEKDAYS):
    _low = _name.lower()
    for _word in (_low, _low + "s", _low[:3], _low[:3] + "s"):
        _DAY_WORDS[_word] = _i
_DAY_WORDS.update({"tues": 1, "weds": 2, "thur": 3, "thurs": 3})
_NTHS = {
    "first": 1,
    "1st": 1,
    "second": 2,
    "2nd": 2,
    "third": 3,
    "3rd": 3,
    "fourth": 4,
    "4th": 4,
    "last": LAST,
}
_EVERY_OTHER = {"other": 2, "second": 2, "third": 3, "fourth": 4}
_FILLER = {"at", "on", "and", "the", "of", "each", "every", "month", "a", "in", "from", "week"}
_TIME = re.compile(r"^(\d{1,2})(?:[:.h](\d{2}))?\s*([ap])\.?m\.?$|^(\d{1,2})[:.h](\d{2})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def parse_time(text: str) -> time:
    """ "19:00", "7pm", "7:30 pm", "noon", "midnight"."""
    raw = text.strip().lower().replace(" ", "")
    if raw == "noon":
        return time_of_day(12, 0)
    if raw == "midnight":
        return time_of_day(0, 0)
    match = _TIME.match(raw)
    if match is None:
        if raw.isdigit():
            said = shown(raw, 8)
            raise ScheduleError(
                msg(
                    "Is `{said}` in the morning or the evening? Write it like `{said}am`, "
                    "`{said}pm` or as a 24-hour time like `19:00`.",
                    said=said,
                )
            )
        raise ScheduleError(
            msg("I couldn't read `{text}` as a time. Try `19:00` or `7pm`.", text=shown(text))
        )
    if match.group(4) is not None:
        hour, minute = int(match.group(4)), int(match.group(5))
    else:
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        if not 1 <= hour <= 12:
            raise ScheduleError(
                msg("`{text}` isn't a time on a 12-hour clock. Try `7pm`.", text=shown(text))
            )
        hour = hour % 12 + (12 if match.group(3) == "p" else 0)
    if hour > 23 or minute > 59:
        raise ScheduleError(
            msg("`{text}` isn't a time of day. Try `19:00` or `7pm`.", text=shown(text))
        )
    return time_of_day(hour, minute)


def _tokens(text: str) -> list[str]:
    spaced = re.sub(r"(\d)\s+([ap]\.?m\.?)\b", r"\1\2", text.lower())
    return [t for t in re.split(r"[\s,]+", spaced.replace("&", " and ")) if t]


def _parse_one(text: str, since: date) -> Recurring:
    words = _tokens(text)
    at: time | None = None
    days: list[int] = []
    nths: list[int] = []
    every = 1
    start: date | None = None
    unknown: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        following = words[i + 1] if i + 1 < len(words) else ""
        if word in ("weekday", "weekdays"):
            days += range(5)
        elif word in ("daily", "day") or (word == "every" and following == "day"):
            days += range(7)
            i += 1 if word == "every" else 0
        elif word in _DAY_WORDS:
            days.append(_DAY_WORDS[word])
        elif word == "every" and following in _EVERY_OTHER:
            every = _EVERY_OTHER[following]
            i += 1
        elif word == "every" and following.isdigit():
            every = int(following)
            i += 2 if i + 2 < len(words) and words[i + 2] in ("weeks", "week") else 1
        elif word in ("fortnightly", "biweekly"):
            every = 2
        elif word in _NTHS:
            nths.append(_NTHS[word])
        elif word == "from" and _ISO_DATE.match(following):
            start = parse_date(following, since)
            i += 1
        elif word in _FILLER:
            pass
        else:
            try:
                found = parse_time(word)
            except ScheduleError:
                if word[:1].isdigit():
                    raise
                unknown.append(word)
            else:
                if at is not None:
                    raise ScheduleError(
                        msg(
                            "Each meeting starts at one time. For two meetings, separate them "
                            "with `;`, like `Tuesdays 19:00; Saturdays 10:00`."
                        )
                    )
                at = found
        i += 1
    if unknown:
        listed = " ".join(f"`{shown(w)}`" for w in unknown[:3])
        raise ScheduleError(
            msg(
                "I didn't understand {words} in the schedule. Try {example}.",
                words=listed,
                example=EXAMPLE,
            )
        )
    if at is None:
        raise ScheduleError(
            msg("Please add the time the meeting starts, like {example}.", example=EXAMPLE)
        )
    if not days:
        raise ScheduleError(msg("Which day does the group meet? Try {example}.", example=EXAMPLE))
    rule: Rule
    if nths:
        if len(set(days)) != 1 or every != 1:
            raise ScheduleError(
                msg("A monthly meeting is on one weekday, like `first and third Monday 19:00`.")
            )
        rule = MonthlyNth(days[0], tuple(sorted(set(nths), key=lambda n: 99 if n == LAST else n)))
    else:
        if not 1 <= every <= 52:
            raise ScheduleError(msg("A meeting can repeat every 1 to 52 weeks."))
        first = week_start(start or since)
        rule = Weekly(tuple(sorted(set(days))), every, first if every > 1 else None)
    return Recurring(rule, at)


def parse_meetings(text: str, since: date) -> tuple[Recurring, ...]:
    """The recurring meetings in ``text`` (several separated by ``;`` or new lines). ``since``
    is the date a meeting "every 2 weeks" counts from, unless the text says ``from <date>``."""
    parts = [p.strip() for p in re.split(r"[;\n]+", text) if p.strip()]
    if not parts:
        raise ScheduleError(
            msg("Please say when the group meets, like {example}.", example=EXAMPLE)
        )
    if len(parts) > MAX_MEETINGS:
        raise ScheduleError(
            msg_n(
                "A group can have up to {n} regular meeting.",
                "A group can have up to {n} regular meetings.",
                MAX_MEETINGS,
            )
        )
    meetings: list[Recurring] = []
    for part in parts:
        meeting = _parse_one(part, since)
        if meeting not in meetings:
            meetings.append(meeting)
    return tuple(meetings)


_ZONE_TOKEN = re.compile(r"(?:^|\s)((?:[A-Za-z][A-Za-z0-9_+\-]*/)+[A-Za-z0-9_+\-]+|UTC|GMT)\s*$")


def split_zone(text: str) -> tuple[str, str | None]:
    """A time zone name written at the end of a schedule ("Tuesdays 19:00 America/New_York"):
    the schedule without it, and the name as written (the caller checks it exists)."""
    match = _ZONE_TOKEN.search(text.strip())
    if match is None:
        return text.strip(), None
    return text.strip()[: match.start(1)].strip(), match.group(1)


# --- back to words ----------------------------------------------------------------------------


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def hhmm(at: time) -> str:
    return f"{at.hour:02d}:{at.minute:02d}"


def describe_meeting(meeting: Recurring) -> str:
    rule = meeting.rule
    if isinstance(rule, MonthlyNth):
        nths = _join([NTH_WORDS[n] for n in rule.nths])
        return f"the {nths} {WEEKDAYS[rule.weekday]} of the month at {hhmm(meeting.at)}"
    days = _join([WEEKDAYS[d] + "s" for d in rule.days])
    if rule.every == 1 or rule.since is None:
        return f"{days} at {hhmm(meeting.at)}"
    return (
        f"every {rule.every} weeks on {days} at {hhmm(meeting.at)} "
        f"from {week_start(rule.since).isoformat()}"
    )


def describe_meetings(meetings: tuple[Recurring, ...]) -> str:
    """The canonical words: parsing them gives the same meetings back."""
    return "; ".join(describe_meeting(m) for m in meetings)


# --- dates, for exceptions ----------------------------------------------------------------------


def _month(word: str) -> int | None:
    word = word.lower().rstrip(".")
    for number, name in enumerate(MONTHS, start=1):
        if len(word) >= 3 and name.startswith(word):
            return number
    return None


def parse_date(text: str, today: date) -> date:
    """ "2026-12-25", "25 December 2026", "December 25", "25 Dec" (with no year: the next such
    date from ``today`` on). Numeric day/month orders other than year-month-day are refused:
    they are read differently in different countries."""
    raw = text.strip().lower().replace(",", " ")
    iso = _ISO_DATE.match(raw)
    try:
        if iso is not None:
            return date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        words = [
            w.removesuffix("st").removesuffix("nd").removesuffix("rd").removesuffix("th")
            if w[:1].isdigit()
            else w
            for w in raw.split()
        ]
        numbers = [int(w) for w in words if w.isdigit()]
        months = [m for w in words if (m := _month(w)) is not None]
        if len(months) == 1 and 1 <= len(numbers) <= 2 and len(words) == len(numbers) + 1:
            day = next(n for n in numbers if n <= 31)
            years = [n for n in numbers if n > 31]
            if years:
                return date(years[0], months[0], day)
            found = date(today.year, months[0], day)
            return found if found >= today else date(today.year + 1, months[0], day)
    except (ValueError, StopIteration):
        raise ScheduleError(
            msg("`{text}` isn't a date in the calendar.", text=shown(text))
        ) from None
    raise ScheduleError(
        msg(
            "I couldn't read `{text}` as a date. Try `2026-12-25` or `25 December`.",
            text=shown(text),
        )
    )


def parse_local(text: str, today: date) -> datetime:
    """A one-off meeting's local date and time: "2026-12-27 18:00", "27 December 7pm"."""
    parts = text.strip().split()
    for cut in range(len(parts) - 1, 0, -1):
        try:
            at = parse_time(" ".join(parts[cut:]))
        except ScheduleError:
            continue
        return datetime.combine(parse_date(" ".join(parts[:cut]), today), at)
    raise ScheduleError(
        msg("Please give the extra meeting's date and start time, like `2026-12-27 18:00`.")
    )


def next_weekday(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)
