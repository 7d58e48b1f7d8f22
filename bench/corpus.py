"""The benchmark's synthetic collections, deterministic for a seed, in the import format.

`generate(n, words)`: testimonies of about `words` words (Zipf-distributed vocabulary) with linked
people, places and events, dates, access levels and collections: the 10,000 and 50,000 × 1,500-word runs.
`generate_transcripts(n, words)`: oral-history interviews of about `words` words (an interview of two
hours is 15,000-25,000), as transcribed: speaker turns, short questions and long answers in many
paragraphs, time codes, now and then a phrase in Khmer script; the 2,000 × 20,000-word run.
"""
from __future__ import annotations

import itertools
import random

TYPES = ["testimony", "interview", "open_letter", "petition", "statement", "document"]
# The commonest words first, as in English text: "the" is in nearly every record.
# Vocabulary size and the rank of the "rare term" words for each collection: a rare word is in about
# 2% of the testimonies (1,000 of 50,000) and 3% of the transcripts (70 of 2,000). Long interviews
# use more distinct words, so the transcripts draw from a larger vocabulary.
SIZES = {"testimonies": (20000, 7000), "long": (60000, 50000)}
COMMON = ["the", "and", "of", "to", "was", "in", "we", "they", "camp", "family", "village", "soldiers",
          "arrest", "freedom", "mother", "father", "work", "food", "night", "river"]


def vocabulary(rnd: random.Random, size: int = 20000) -> list[str]:
    syllables = ["ka", "so", "ri", "me", "chan", "thy", "vo", "pa", "lin", "dara", "sok", "heng", "mar",
                 "ton", "bo", "ra", "na", "phal", "vi", "ly", "ou", "sam", "ang", "kim"]
    words = set()
    while len(words) < size:
        words.add("".join(rnd.choice(syllables) for _ in range(rnd.randint(2, 4))))
    return sorted(words)


def zipf(vocab: list[str]) -> list[float]:
    """Cumulative weights for rnd.choices: the word of rank r is drawn in proportion to 1/r."""
    return list(itertools.accumulate(1 / (rank + 1) for rank in range(len(vocab))))


def authorities(rnd: random.Random, vocab: list[str]) -> tuple[list[dict], list[dict], list[dict]]:
    """400 people, 60 places and 40 events with names drawn from the vocabulary."""
    people = [{"kind": "person", "id": f"p{i:04d}", "name": f"{rnd.choice(vocab).title()} {rnd.choice(vocab).title()}",
               "variants": [f"Variant{i} Name"]} for i in range(400)]
    places = [{"kind": "place", "id": f"l{i:03d}", "name": f"{rnd.choice(vocab).title()} Province"} for i in range(60)]
    events = [{"kind": "event", "id": f"e{i:03d}", "name": f"Event {rnd.choice(vocab)}",
               "date": f"{1950 + i}/{1952 + i}"} for i in range(40)]
    return people, places, events


def cast(collection: str, seed: int):
    """What every generated collection starts from, deterministic for a seed: the random source,
    the vocabulary (commonest first), its Zipf weights, and the authorities (people, places,
    events), which a collection yields first."""
    rnd = random.Random(seed)
    vocab = COMMON + ranked_vocabulary(collection, rnd)
    cumulative = zipf(vocab)
    return rnd, vocab, cumulative, authorities(rnd, vocab)


def generate(n: int, words: int, seed: int = 1975):
    """Authorities first, then n records; deterministic for a given seed."""
    rnd, vocab, cumulative, (people, places, events) = cast("testimonies", seed)
    yield from (*places, *people, *events)
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


def rare_words(collection: str, count: int, seed: int = 1975) -> list[str]:
    """`count` different words of the kind the "rare term" queries ask for, in that collection."""
    rank = SIZES[collection][1]
    return ranked_vocabulary(collection, random.Random(seed))[rank:rank + count]


def common_words(collection: str, count: int, seed: int = 1975) -> list[str]:
    """The `count` commonest words of that collection, commonest first."""
    return (COMMON + ranked_vocabulary(collection, random.Random(seed)))[:count]


def ranked_vocabulary(collection: str, rnd: random.Random) -> list[str]:
    """The synthetic words, commonest first. The testimonies keep their first shape (alphabetical
    order is frequency order, so the commonest made-up words all start with "ang"); the transcripts
    shuffle it, so that a prefix or wildcard matches words of every frequency, as in real text."""
    words = vocabulary(rnd, SIZES[collection][0])
    if collection == "long":
        rnd.shuffle(words)
    return words


# Everyday words in Khmer script (written without spaces between words, spaces between phrases).
KHMER = ["ខ្ញុំ", "ម្ដាយ", "ឪពុក", "ភូមិ", "ទាហាន", "ស្រែ", "បាយ", "ការងារ", "យប់", "ទន្លេ", "គ្រួសារ",
         "ខ្មែរក្រហម", "ជំរុំ", "សេរីភាព", "ប្អូន", "ផ្ទះ", "ព្រៃ", "សាលារៀន", "ឃ្លាន", "រត់", "ចាប់ខ្លួន",
         "ស្លាប់", "ភ្នំពេញ", "ឆ្នាំ"]
WORDS_PER_MINUTE = 150  # speech, for the time codes


def sentences(rnd: random.Random, words: list[str], end: str = ".") -> str:
    """Words cut into sentences of 6-24 words, each capitalised and closed."""
    out, start = [], 0
    while start < len(words):
        cut = start + rnd.randint(6, 24)
        out.append(" ".join(words[start:cut]).capitalize() + end)
        start = cut
    return " ".join(out)


def khmer_phrases(rnd: random.Random) -> str:
    return " ".join("".join(rnd.sample(KHMER, rnd.randint(2, 4))) for _ in range(rnd.randint(2, 6)))


def transcript(rnd: random.Random, vocab: list[str], cumulative: list[float], words: int,
               asker: str, teller: str, khmer: float) -> str:
    """Turns until about `words` words: a short question, then an answer of one to six paragraphs
    (40-200 words each); a time code every few turns; a Khmer phrase in a share `khmer` of paragraphs."""
    parts: list[str] = []
    count = turn = 0
    while count < words:
        question = rnd.choices(vocab, cum_weights=cumulative, k=rnd.randint(4, 30))
        count += len(question)
        line = f"{asker}: {sentences(rnd, question, '?')}"
        if turn % 8 == 0:
            seconds = count * 60 // WORDS_PER_MINUTE
            line = f"[{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}] {line}"
        parts.append(line)
        for p in range(rnd.randint(1, 6)):
            said = rnd.choices(vocab, cum_weights=cumulative, k=rnd.randint(40, 200))
            count += len(said)
            paragraph = sentences(rnd, said)
            if rnd.random() < khmer:
                paragraph += " " + khmer_phrases(rnd)
            parts.append(f"{teller}: {paragraph}" if p == 0 else paragraph)
            if count >= words:
                break
        turn += 1
    return "\n\n".join(parts)


def generate_transcripts(n: int, words: int, seed: int = 1975):
    """Authorities first, then n interview transcripts; deterministic for a given seed.

    Half name their speakers INTERVIEWER and NARRATOR, half by name in capitals, as transcribers do.
    One in five has Khmer phrases in about 5% of its paragraphs (language en and km).
    """
    rnd, vocab, cumulative, (people, places, events) = cast("long", seed)
    interviewers = people[:12]
    yield from (*places, *people, *events)
    for i in range(n):
        narrator, interviewer = rnd.choice(people[12:]), rnd.choice(interviewers)
        named = rnd.random() < 0.5
        asker = interviewer["name"].upper() if named else "INTERVIEWER"
        teller = narrator["name"].upper() if named else "NARRATOR"
        khmer = 0.05 if rnd.random() < 0.2 else 0.0
        year = rnd.randint(1979, 2020)
        yield {"kind": "record", "id": f"r{i:06d}", "type": "interview",
               "title": f"Interview with {narrator['name']}: "
                        + " ".join(rnd.choices(vocab, cum_weights=cumulative, k=4)),
               "summary": sentences(rnd, rnd.choices(vocab, cum_weights=cumulative, k=60)),
               "text": transcript(rnd, vocab, cumulative, words, asker, teller, khmer),
               "language": ["en", "km"] if khmer else ["en"],
               "date": rnd.choice([f"{year}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}",
                                   f"{year}-{rnd.randint(1, 12):02d}", str(year)]),
               "access": rnd.choices(["public", "restricted", "private"], [90, 6, 4])[0],
               "people": [{"id": narrator["id"], "role": "narrator"},
                          {"id": interviewer["id"], "role": "interviewer"},
                          *({"id": p["id"], "role": "mentioned"} for p in rnd.sample(people, rnd.randint(0, 3)))],
               "places": [{"id": p["id"]} for p in rnd.sample(places, rnd.randint(1, 3))],
               "events": [{"id": e["id"]} for e in rnd.sample(events, rnd.randint(0, 2))],
               "subjects": rnd.sample(["war", "exile", "family", "work", "faith", "justice"], 2),
               "collection": "Oral histories"}


COLLECTIONS = {"testimonies": generate, "long": generate_transcripts}
DEFAULTS = {"testimonies": (10_000, 1500), "long": (2000, 20_000)}  # records, words per record
