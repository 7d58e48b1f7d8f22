"""The benchmark's synthetic collections, deterministic for a seed, in the import format.

`generate(n, words)`: testimonies of about `words` words (Zipf-distributed vocabulary) with linked
people, places and events, dates, access levels and collections.
"""
from __future__ import annotations

import itertools
import random

TYPES = ["testimony", "interview", "open_letter", "petition", "statement", "document"]
# The commonest words first, as in English text: "the" is in nearly every record.
COMMON = ["the", "and", "of", "to", "was", "in", "we", "they", "camp", "family", "village", "soldiers",
          "arrest", "freedom", "mother", "father", "work", "food", "night", "river"]


def vocabulary(rnd: random.Random, size: int = 20000) -> list[str]:
    syllables = ["ka", "so", "ri", "me", "chan", "thy", "vo", "pa", "lin", "dara", "sok", "heng", "mar",
                 "ton", "bo", "ra", "na", "phal", "vi", "ly", "ou", "sam", "ang", "kim"]
    words = set()
    while len(words) < size:
        words.add("".join(rnd.choice(syllables) for _ in range(rnd.randint(2, 4))))
    return sorted(words)


def generate(n: int, words: int, seed: int = 1975):
    """Authorities first, then n records; deterministic for a given seed."""
    rnd = random.Random(seed)
    vocab = COMMON + vocabulary(rnd)
    cumulative = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(vocab))))  # Zipf-like
    people = [{"kind": "person", "id": f"p{i:04d}", "name": f"{rnd.choice(vocab).title()} {rnd.choice(vocab).title()}",
               "variants": [f"Variant{i} Name"]} for i in range(400)]
    places = [{"kind": "place", "id": f"l{i:03d}", "name": f"{rnd.choice(vocab).title()} Province"} for i in range(60)]
    events = [{"kind": "event", "id": f"e{i:03d}", "name": f"Event {rnd.choice(vocab)}",
               "date": f"{1950 + i}/{1952 + i}"} for i in range(40)]
    yield from places
    yield from people
    yield from events
    for i in range(n):
        year = rnd.randint(1950, 2020)
        date = rnd.choice([str(year), f"{year}-{rnd.randint(1, 12):02d}", f"{year}/{year + rnd.randint(1, 6)}",
                           f"{year}~"])
        body = rnd.choices(vocab, cum_weights=cumulative, k=words)
        paragraphs = [" ".join(body[k:k + 120]) for k in range(0, len(body), 120)]
        yield {"kind": "record", "id": f"r{i:06d}", "type": rnd.choice(TYPES),
               "title": " ".join(rnd.choices(vocab, cum_weights=cumulative, k=6)).capitalize(),
               "summary": " ".join(rnd.choices(vocab, cum_weights=cumulative, k=30)),
               "text": "\n\n".join(paragraphs), "language": [rnd.choice(["en", "en", "en", "km", "fr"])],
               "date": date, "access": rnd.choices(["public", "restricted", "private"], [90, 6, 4])[0],
               "people": [{"id": p["id"], "role": rnd.choice(["narrator", "mentioned", "author"])}
                          for p in rnd.sample(people, rnd.randint(1, 3))],
               "places": [{"id": p["id"]} for p in rnd.sample(places, rnd.randint(0, 2))],
               "events": [{"id": e["id"]} for e in rnd.sample(events, rnd.randint(0, 2))],
               "subjects": rnd.sample(["war", "exile", "family", "work", "faith", "justice"], 2),
               "collection": rnd.choice(["Oral histories", "Letters", "Court statements"])}
