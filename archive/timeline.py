"""The timeline picture: records per year as bars and events as spans over one axis.

Pure geometry for the server-rendered SVG (`templates/_timeline.html`); the counts come from the
store, already limited to what the viewer may see.
"""
from __future__ import annotations


def picture(per_year: dict[int, int], events: list[dict], width: int = 960) -> dict:
    """Coordinates of the timeline's SVG: a bar per year of records, a line per event below."""
    years = [*per_year, *(e["date_lo"] // 10000 for e in events), *(e["date_hi"] // 10000 for e in events)]
    if not years:
        return {"empty": True}
    first, last = min(years), max(years)
    first, last = first - first % 10, last - last % 10 + 10
    left, right, bar_top, bar_height = 40, 10, 10, 120
    step = (width - left - right) / max(1, last - first)

    def x(year: float) -> float:
        return round(left + (year - first) * step, 1)

    most = max(per_year.values(), default=1)
    bars = []
    for year, count in sorted(per_year.items()):
        height = max(2.0, bar_height * count / most)
        bars.append({"year": year, "count": count, "x": x(year), "w": max(1.5, round(step * 0.8, 1)),
                     "h": round(height, 1), "y": round(bar_top + bar_height - height, 1)})
    lanes: list[float] = []
    spans = []
    axis_y = bar_top + bar_height + 4
    for e in events:
        start = x(e["date_lo"] / 10000)
        end = max(start + 3, x(e["date_hi"] / 10000 + 1 / 366))
        lane = next((i for i, free in enumerate(lanes) if free < start - 2), None)
        if lane is None:
            lanes.append(end)
            lane = len(lanes) - 1
        else:
            lanes[lane] = end
        spans.append({**e, "x": start, "w": round(end - start, 1), "y": axis_y + 26 + lane * 14})
    ticks = [{"year": y, "x": x(y)} for y in range(first, last + 1, 10 if last - first <= 120 else 20)]
    return {"empty": False, "width": width, "height": axis_y + 34 + len(lanes) * 14, "bars": bars,
            "events": spans, "ticks": ticks, "axis_y": axis_y, "left": left,
            "right": width - right, "most": most}
