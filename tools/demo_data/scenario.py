"""Data set presets and options: how many institutions and clients, over which period, from which seed."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from tools.demo_data.gminas import GMINAS, powiats


@dataclass(frozen=True, slots=True)
class Scenario:
    """What to generate; the same scenario always gives the same data."""

    name: str
    clients: int
    pups: int
    ops: int
    months: int = 6
    entry_months: int = 3
    regions_per_pair: int = 2
    seed: int = 2011
    start: date = date(2026, 5, 4)
    conflict_rate: float = 0.08
    shared_rate: float = 1.0  # share of clients who are also OPS clients (the pilot: all of them)
    powiat_offset: int = 0  # skip the table's first powiats (tests use institutions no other test uses)

    @property
    def end(self) -> date:
        """The last day of the data set: `months` after `start`."""
        return self.start + timedelta(days=round(self.months * 30.44))

    @property
    def entry_days(self) -> int:
        return round(self.entry_months * 30.44)

    def with_options(self, **options: object) -> Scenario:
        """The preset with the options that were given (None: keep the preset's value)."""
        return replace(self, **{k: v for k, v in options.items() if v is not None})  # type: ignore[arg-type]


PRESETS: dict[str, Scenario] = {
    # A handful of clients: tests and a quick look.
    "tiny": Scenario("tiny", clients=6, pups=2, ops=2, months=6, entry_months=1, regions_per_pair=1,
                     powiat_offset=len(powiats()) - 2),
    # The pilot of seed 003: 25 PUP and 25 OPS, 400 shared clients over six months.
    "pilot": Scenario("pilot", clients=400, pups=25, ops=25),
    # Scale tests: a million clients of every institution of the table over a year (about 20 million events).
    "large": Scenario("large", clients=1_000_000, pups=len(powiats()), ops=len(GMINAS), months=12, entry_months=9,
                      regions_per_pair=3, shared_rate=0.9),
}
