"""workers.core.entities: persons, organisations and places."""

from __future__ import annotations

from workers.core import entities


def test_entities_english():
    ents = entities.extract(
        "WASHINGTON (Reuters) - U.S. President Donald Trump said on Tuesday that the Federal Reserve should cut "
        "rates. Treasury Secretary Scott Bessent told reporters in New York that the Bank of England agreed."
    )
    assert {"Donald Trump", "Scott Bessent"} <= set(ents["persons"])
    assert {"Federal Reserve", "Bank of England", "Reuters"} <= set(ents["organizations"])
    assert "New York" in ents["locations"]
