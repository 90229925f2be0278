"""Pictures of the topics: where the templates draw the co-occurrence map, the timelines and
the bars of a topic's strongest partners, as inline SVG.

Pure functions, no database: the same counts always give the same picture (coordinates
rounded to a tenth of a pixel), so tests can pin it and the page cache stores one copy.
Items (topics) pass through untouched; only their counts and order matter here.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kb.library.colours import HEX_COLOUR

# Grey for an item whose colour is not a valid #rrggbb (it goes into an SVG attribute).
FALLBACK_COLOUR = "#666666"
MAP_SIZE = 640
# Room around the circle for the labels, which sit outside their nodes.
MAP_MARGIN = 150
NODE_RADIUS = (5, 22)  # smallest and largest node
EDGE_WIDTH = (1, 8)
# Forty topics make up to 780 pairs: past the strongest few score, lines only blur the
# picture (the table still names each topic's partners).
MAP_EDGES = 150
TIMELINE_LABEL_WIDTH = 200
TIMELINE_PLOT_WIDTH = 480
MAX_BAR_WIDTH = 36
BAR_CHART_WIDTH = 480


def _round(value: float) -> float:
    return round(value, 1) + 0.0  # + 0.0: no "-0.0" in the markup


def svg_colour(colour: str) -> str:
    return colour if HEX_COLOUR.fullmatch(colour or "") else FALLBACK_COLOUR


@dataclass
class Node:
    item: Any
    count: int
    x: float
    y: float
    r: float
    colour: str
    label_x: float
    label_y: float
    anchor: str  # text-anchor of the label: "start" right of the circle, "end" left of it


@dataclass
class Edge:
    a: Node
    b: Node
    shared: int
    width: float


@dataclass
class CooccurrenceMap:
    size: int
    nodes: list[Node]
    edges: list[Edge]


def cooccurrence_map(nodes: Sequence[tuple[Hashable, Any, int, str]],
                     shared: Mapping[tuple[Hashable, Hashable], int]) -> CooccurrenceMap:
    """Nodes (key, item, count, colour) on a circle in the order given, clockwise from the
    top, each sized by its count (area in proportion); an edge for each pair of keys in
    ``shared`` (the ``MAP_EDGES`` heaviest), as thick as their number of shared sections.
    Heaviest edges are drawn last, on top."""
    centre, radius = MAP_SIZE / 2, MAP_SIZE / 2 - MAP_MARGIN
    top = max((count for _, _, count, _ in nodes), default=1) or 1
    small, large = NODE_RADIUS
    placed: dict[Hashable, Node] = {}
    for i, (key, item, count, colour) in enumerate(nodes):
        angle = 2 * math.pi * i / len(nodes) - math.pi / 2
        ring = radius if len(nodes) > 1 else 0
        x, y = centre + ring * math.cos(angle), centre + ring * math.sin(angle)
        r = small + (large - small) * math.sqrt(count / top)
        # The label continues the ray from the centre, on the outer side of the node.
        cos, sin = (math.cos(angle), math.sin(angle)) if ring else (1.0, 0.0)
        placed[key] = Node(item=item, count=count, x=_round(x), y=_round(y), r=_round(r),
                           colour=svg_colour(colour), label_x=_round(x + (r + 4) * cos),
                           label_y=_round(y + (r + 4) * sin + 4),
                           anchor="end" if cos < -1e-9 else "start")
    order = {key: i for i, key in enumerate(placed)}
    pairs = sorted(((a, b, n) for (a, b), n in shared.items()
                    if a in placed and b in placed and a != b),
                   key=lambda p: (-p[2], order[p[0]], order[p[1]]))[:MAP_EDGES]
    heaviest = max((n for _, _, n in pairs), default=1)
    low, high = EDGE_WIDTH
    edges = [Edge(a=placed[a], b=placed[b], shared=n,
                  width=_round(low + (high - low) * (n - 1) / max(heaviest - 1, 1)))
             for a, b, n in pairs]
    edges.sort(key=lambda e: (e.shared, e.a.label_x, e.a.label_y, e.b.label_x, e.b.label_y))
    return CooccurrenceMap(size=MAP_SIZE, nodes=list(placed.values()), edges=edges)


@dataclass
class Bar:
    year: int
    count: int
    x: float
    y: float
    width: float
    height: float


@dataclass
class Row:
    item: Any
    colour: str
    top: float
    baseline: float
    total: int
    bars: list[Bar] = field(default_factory=list)


@dataclass
class Tick:
    year: int
    x: float


@dataclass
class Timeline:
    width: int
    height: int
    plot_left: int
    row_height: int
    years: list[int]
    ticks: list[Tick]
    rows: list[Row]
    axis_y: float

    @property
    def label_x(self) -> int:
        return self.plot_left - 6

    @property
    def tick_y(self) -> float:
        return self.axis_y + 16

    @property
    def axis_end(self) -> int:
        return self.plot_left + TIMELINE_PLOT_WIDTH


def timeline(rows: Sequence[tuple[Any, str, Mapping[int, int]]], *, row_height: int = 28,
             label_width: int = TIMELINE_LABEL_WIDTH) -> Timeline:
    """One row per (item, colour, {year: count}), all on the same axis of every year from
    the first to the last with a count (empty years included, so gaps show) and the same
    scale (the largest count fills a row), so rows compare at a glance."""
    counted = [year for _, _, counts in rows for year, n in counts.items() if n]
    years = list(range(min(counted), max(counted) + 1)) if counted else []
    top = max((n for _, _, counts in rows for n in counts.values()), default=1) or 1
    step = TIMELINE_PLOT_WIDTH / max(len(years), 1)
    # A bar never wider than MAX_BAR_WIDTH: one year alone would otherwise fill the plot.
    bar_width = _round(min(max(step * 0.8, 1), MAX_BAR_WIDTH))
    drawn = []
    for i, (item, colour, counts) in enumerate(rows):
        row_top = i * row_height + 4
        baseline = row_top + row_height - 4
        row = Row(item=item, colour=svg_colour(colour), top=row_top, baseline=baseline,
                  total=sum(counts.values()))
        for j, year in enumerate(years):
            n = counts.get(year, 0)
            if n:
                height = max((row_height - 8) * n / top, 1)
                row.bars.append(Bar(year=year, count=n, x=_round(label_width + j * step + (step - bar_width) / 2),
                                    y=_round(baseline - height), width=bar_width,
                                    height=_round(height)))
        drawn.append(row)
    axis_y = len(rows) * row_height + 4
    # A label for every year while they fit (45 px each), else for every few.
    every = max(1, math.ceil(len(years) * 45 / TIMELINE_PLOT_WIDTH))
    ticks = [Tick(year=year, x=_round(label_width + j * step + step / 2))
             for j, year in enumerate(years) if j % every == 0 or j == len(years) - 1]
    return Timeline(width=label_width + TIMELINE_PLOT_WIDTH + 10, height=int(axis_y + 24),
                    plot_left=label_width, row_height=row_height, years=years, ticks=ticks,
                    rows=drawn, axis_y=axis_y)


@dataclass
class HBar:
    item: Any
    count: int
    colour: str
    y: float
    width: float
    text_y: float
    count_x: float


@dataclass
class BarChart:
    width: int
    height: int
    label_width: int
    thickness: int
    bars: list[HBar]

    @property
    def label_x(self) -> int:
        return self.label_width - 6


def bar_chart(items: Sequence[tuple[Any, int, str]], *, label_width: int = 200,
              bar_height: int = 22) -> BarChart:
    """Horizontal bars for (item, count, colour) in the order given, the largest count
    filling the plot."""
    top = max((n for _, n, _ in items), default=1) or 1
    plot = BAR_CHART_WIDTH - label_width - 40  # room for the count after the bar
    bars = []
    for i, (item, n, colour) in enumerate(items):
        width = _round(max(plot * n / top, 1))
        bars.append(HBar(item=item, count=n, colour=svg_colour(colour), y=i * bar_height + 3,
                         width=width, text_y=i * bar_height + bar_height - 6,
                         count_x=_round(label_width + width + 4)))
    return BarChart(width=BAR_CHART_WIDTH, height=len(items) * bar_height + 4,
                    label_width=label_width, thickness=bar_height - 6, bars=bars)
