"""The site-templates table is bounded: senders choose the sites, so old sites are forgotten and the count is
capped, without touching what a live site has learned."""

from __future__ import annotations

from workers.core.templates import SWEEP_EVERY_SECONDS, SiteTemplates, line_hash

DAY = 86400.0


class Clock:
    def __init__(self, t: float = 1_700_000_000.0):
        self.t = t

    def __call__(self) -> float:
        return self.t


def lines(site: str, n: int = 3) -> set[str]:
    return {line_hash(f"{site} template line {i}") for i in range(n)}


def test_sites_not_seen_within_the_window_are_forgotten():
    clock, store = Clock(), dict[str, dict]()
    t = SiteTemplates(store, min_articles=2, window_seconds=30 * DAY, max_sites=1000, clock=clock)
    for _ in range(3):
        t.observe("old.example", lines("old"))
    clock.t += 20 * DAY
    for _ in range(3):
        t.observe("live.example", lines("live"))
    assert t.template_lines("old.example") == frozenset(lines("old"))
    clock.t += 15 * DAY  # old: 35 days unseen; live: 15
    assert t.sweep() == 1
    assert "d:old.example" not in store and t.template_lines("old.example") == frozenset()
    assert t.template_lines("live.example") == frozenset(lines("live"))  # learned templates kept


def test_the_count_is_capped_by_forgetting_the_least_recently_seen():
    clock, store = Clock(), dict[str, dict]()
    t = SiteTemplates(store, min_articles=1, max_sites=50, clock=clock)
    for i in range(200):
        clock.t += 1
        t.observe(f"s{i}.example", lines(f"s{i}", 1))
    t.sweep()
    sites = sorted(int(k[3:].split(".")[0]) for k in store)
    assert sites == list(range(150, 200)), "the 50 most recently seen stay"


def test_a_flood_of_new_sites_triggers_a_sweep_by_itself():
    clock, store = Clock(), dict[str, dict]()
    t = SiteTemplates(store, max_sites=100, clock=clock)
    for i in range(1000):
        t.observe(f"flood{i}.example", lines("x", 2))
    # a sweep runs after every max_sites // 10 new sites: never more than max_sites + that many
    assert len(store) <= 100 + 10


def test_a_sweep_also_runs_on_time():
    clock, store = Clock(), dict[str, dict]()
    t = SiteTemplates(store, window_seconds=DAY, max_sites=1000, clock=clock)
    t.observe("a.example", lines("a"))
    clock.t += 2 * DAY
    t.observe("b.example", lines("b"))  # over SWEEP_EVERY_SECONDS since the last sweep: a sweep forgets a
    assert SWEEP_EVERY_SECONDS < 2 * DAY
    assert set(store) == {"d:b.example"}


def test_records_without_a_seen_time_are_forgotten_at_the_first_sweep():
    """The upgrade path of the layout: records written before ``seen`` existed are learned again."""
    store = {"d:legacy.example": {"n": 30, "lines": {"abc": 30}}}
    t = SiteTemplates(store, clock=Clock())
    assert t.sweep() == 1 and store == {}
