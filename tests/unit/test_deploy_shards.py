"""deploy/compose.postgres.yaml: PostgreSQL and two bot processes that split four shards between
them, with one database and one pseudonym key, and a DATA_DIR each."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.core.shards import Shards, parse_shard_ids

COMPOSE = Path(__file__).parents[2] / "deploy" / "compose.postgres.yaml"


def test_two_processes_hold_every_shard_once_over_one_postgresql() -> None:
    compose: dict[str, Any] = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    services = compose["services"]
    bots = {name: s for name, s in services.items() if "SHARD_IDS" in s.get("environment", {})}
    assert len(bots) == 2
    counts = {int(s["environment"]["SHARD_COUNT"]) for s in bots.values()}
    assert counts == {4}
    held = [parse_shard_ids(s["environment"]["SHARD_IDS"], 4) for s in bots.values()]
    assert sorted(shard for ids in held for shard in ids) == [0, 1, 2, 3]  # each exactly once
    assert [Shards(4, ids).home for ids in held].count(True) == 1  # one sweeps for all
    urls = {s["environment"]["DATABASE_URL"] for s in bots.values()}
    assert len(urls) == 1
    assert urls.pop().startswith("postgresql://peercircle:")
    data = [s["volumes"][0] for s in bots.values()]
    assert len(set(data)) == 2  # a DATA_DIR each: SQLite's lock would refuse a shared one
    assert all(volume.endswith(":/data") for volume in data)
    for bot in bots.values():
        assert bot["env_file"] == "../.env"  # one PSEUDONYM_KEY for both (README: Sharding)
        assert bot["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
