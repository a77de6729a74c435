"""PNG charts for leaders reading on a phone: pillar bars and score history, plus a cache."""

from __future__ import annotations

import asyncio
import io
import math
import textwrap
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from typing import TYPE_CHECKING

# matplotlib (and numpy under it) is imported by the functions that draw, on the first chart:
# that is in the worker thread that renders it (ChartCache), and a bot that never draws never
# pays the 40 MB and the half second. Only the object API and the Agg canvas: pyplot keeps
# global state and is not thread-safe, while charts are rendered in worker threads.
if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

# A square photo is shown whole by Telegram on a phone, in portrait and landscape alike.
# 180 dpi makes a point 2.5 px, so 12-14 pt text stays readable once the phone scales it down.
WIDTH_PX = 1080
HEIGHT_PX = 1080
DPI = 180

# DejaVu Sans ships with matplotlib and covers Vietnamese (ạ, ộ, Đ, ...); naming it on every
# text avoids depending on whatever rcParams or matplotlibrc the process happens to have.
FONT_FAMILY = "DejaVu Sans"

_POINTS_COLOUR = "#1f5fa8"
_MAXIMUM_COLOUR = "#dde7f3"
_TARGET_COLOUR = "#d62728"
_TEXT_COLOUR = "#222222"
_GRID_COLOUR = "#e6e6e6"

_TITLE_SIZE = 15
_TEXT_SIZE = 12
_TITLE_CHARS = 42  # about what fits on one line of the title at _TITLE_SIZE
_LABEL_CHARS = 40  # a pillar label shares its line with the "35,1/150" value text
_MIN_ROWS = 6  # fewer pillars keep this row height, so 3 bars do not become slabs
_ROWS_AT_FULL_SIZE = 9  # the DTI framework has 9 pillars; more rows get smaller text
_MAX_X_LABELS = 12  # period labels beyond this would collide even when rotated
_ROTATE_X_LABELS_FROM = 7
_ROTATE_VALUES_FROM = 13  # above this, horizontal value texts of neighbours overlap
_CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Bar:
    """One pillar: its points against its maximum; `label` is already translated."""

    label: str  # e.g. "3. Hạ tầng số"
    points: Decimal
    maximum: Decimal


@dataclass(frozen=True, slots=True)
class Point:
    """One period on a line chart; `label` is already translated."""

    label: str  # e.g. "Q4/2025" or "2024"
    value: Decimal


def _fmt(value: Decimal, decimal_comma: bool) -> str:
    """`value` with up to 2 decimals and no trailing zeros: "1.234,5" (Vietnamese) or
    "1,234.5"."""
    rounded = value.quantize(_CENT, rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = Decimal(0)  # "-0" would read as a negative score
    text = f"{rounded:,.2f}".rstrip("0").rstrip(".")
    if decimal_comma:
        text = text.translate(str.maketrans(",.", ".,"))
    return text


def _wrap_title(title: str) -> str:
    return "\n".join(textwrap.wrap(title, _TITLE_CHARS)) or title


def _shorten(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _new_figure() -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, facecolor="white")
    FigureCanvasAgg(fig)
    return fig


def _to_png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    # No "Software" entry (it names the matplotlib version): equal data gives equal bytes
    # across upgrades too, so the bytes can be compared and cached.
    fig.savefig(buffer, format="png", dpi=DPI, facecolor="white", metadata={"Software": None})
    return buffer.getvalue()


def _add_title(fig: Figure, title: str) -> None:
    # parse_math=False: a "$" in a caller's label must not switch to mathtext.
    fig.suptitle(
        _wrap_title(title),
        y=0.975,
        va="top",
        fontfamily=FONT_FAMILY,
        fontsize=_TITLE_SIZE,
        fontweight="bold",
        color=_TEXT_COLOUR,
        parse_math=False,
    )


def _add_legend(fig: Figure, handles: list[Patch | Line2D]) -> None:
    legend = fig.legend(
        handles=handles,
        loc="lower center",
        bbox_to_anchor=(0.5, 0.015),
        ncol=len(handles),
        frameon=False,
        prop={"family": FONT_FAMILY, "size": _TEXT_SIZE},
    )
    for text in legend.get_texts():
        text.set_parse_math(False)


def _row_text_size(rows: int) -> float:
    return max(7.0, _TEXT_SIZE * min(1.0, _ROWS_AT_FULL_SIZE / max(rows, 1)))


def pillars_png(
    bars: Sequence[Bar],
    *,
    title: str,
    target_share: Decimal | None,
    target_label: str,
    points_label: str,
    decimal_comma: bool = True,
) -> bytes:
    """Horizontal bars, one per pillar from the top: points over a light full-length bar for
    the maximum, "35,1/150" above the bar's right end, and a tick at maximum × target_share.
    Pillars with a maximum of 0 (or less) have nothing to compare to and are skipped."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    shown = [bar for bar in bars if bar.maximum > 0]
    fig = _new_figure()
    _add_title(fig, title)
    ax = fig.add_axes((0.05, 0.1, 0.9, 0.78))
    ax.set_axis_off()
    # Every bar is drawn as a share of its own maximum, so pillars of 150 and of 80 points
    # compare by how full they are; the texts give the absolute numbers.
    ax.set_xlim(0, 1)
    rows = max(len(shown), _MIN_ROWS)
    ax.set_ylim(rows - 0.45, -0.75)  # inverted: the first pillar on top
    size = _row_text_size(len(shown))
    height = 0.42
    for row, bar in enumerate(shown):
        share = min(max(float(bar.points / bar.maximum), 0.0), 1.0)
        ax.barh(row, 1.0, height=height, color=_MAXIMUM_COLOUR, align="center")
        ax.barh(row, share, height=height, color=_POINTS_COLOUR, align="center")
        label_y = row - height / 2 - 0.06
        ax.text(
            0,
            label_y,
            _shorten(bar.label, _LABEL_CHARS),
            ha="left",
            va="bottom",
            fontfamily=FONT_FAMILY,
            fontsize=size,
            color=_TEXT_COLOUR,
            parse_math=False,
        )
        ax.text(
            1,
            label_y,
            f"{_fmt(bar.points, decimal_comma)}/{_fmt(bar.maximum, decimal_comma)}",
            ha="right",
            va="bottom",
            fontfamily=FONT_FAMILY,
            fontsize=size,
            fontweight="bold",
            color=_TEXT_COLOUR,
        )
        if target_share is not None:
            ax.vlines(
                float(target_share),
                row - height / 2 - 0.05,
                row + height / 2 + 0.05,
                colors=_TARGET_COLOUR,
                linewidth=2.5,
            )
    handles: list[Patch | Line2D] = [Patch(color=_POINTS_COLOUR, label=points_label)]
    if target_share is not None:
        handles.append(Line2D([], [], color=_TARGET_COLOUR, linewidth=2.5, label=target_label))
    _add_legend(fig, handles)
    return _to_png(fig)


def _x_label_positions(count: int) -> list[int]:
    """Every k-th period, counted back from the latest so the latest is always labelled."""
    step = max(1, math.ceil(count / _MAX_X_LABELS))
    return sorted(range(count - 1, -1, -step))


def _y_limits(
    values: Sequence[float], maximum: Decimal | None, target: Decimal | None
) -> tuple[float, float]:
    bottom = min([0.0, *values])
    highest = max([0.0, *values, *([float(target)] if target is not None else [])])
    if maximum is not None and maximum > 0:
        # The scale's maximum, unless some value is above it: a point is never cut off.
        return bottom, max(float(maximum), highest)
    # Headroom for the value texts written above the points.
    return bottom, highest * 1.15 if highest > 0 else 1.0


def _style_axes(ax: Axes, decimal_comma: bool) -> None:
    from matplotlib.ticker import FuncFormatter

    ax.tick_params(labelfontfamily=FONT_FAMILY, labelsize=_TEXT_SIZE - 1, colors=_TEXT_COLOUR)
    ax.yaxis.set_major_formatter(
        # str(float(...)): ticks arrive as numpy floats, whose repr is "np.float64(200.0)".
        FuncFormatter(lambda value, _pos: _fmt(Decimal(str(float(value))), decimal_comma))
    )
    ax.grid(axis="y", color=_GRID_COLOUR, linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def history_png(
    points: Sequence[Point],
    *,
    title: str,
    maximum: Decimal | None,
    target: Decimal | None,
    target_label: str,
    value_label: str,
    decimal_comma: bool = True,
) -> bytes:
    """A line with markers over the periods in the given order, each point with its value
    written next to it; y runs from 0 to `maximum` when given; `target` is a dashed line."""
    from matplotlib import patheffects

    fig = _new_figure()
    _add_title(fig, title)
    ax = fig.add_axes((0.13, 0.2, 0.83, 0.66))
    _style_axes(ax, decimal_comma)
    count = len(points)
    xs = list(range(count))
    ys = [float(point.value) for point in points]
    ax.set_xlim(-0.5, max(count, 1) - 0.5)
    bottom, top = _y_limits(ys, maximum, target)
    ax.set_ylim(bottom, top)

    rotate = count >= _ROTATE_X_LABELS_FROM
    positions = _x_label_positions(count)
    ax.set_xticks(
        positions,
        labels=[points[i].label for i in positions],
        rotation=45 if rotate else 0,
        ha="right" if rotate else "center",
        rotation_mode="anchor" if rotate else "default",
        parse_math=False,
    )
    ax.set_ylabel(
        value_label,
        fontfamily=FONT_FAMILY,
        fontsize=_TEXT_SIZE,
        color=_TEXT_COLOUR,
        parse_math=False,
    )

    handles: list[Patch | Line2D] = []
    if count:
        (line,) = ax.plot(
            xs, ys, color=_POINTS_COLOUR, linewidth=2.5, marker="o", markersize=7, zorder=3
        )
        line.set_label(value_label)
        handles.append(line)
    vertical = count >= _ROTATE_VALUES_FROM
    for x, point, y in zip(xs, points, ys, strict=True):
        # Near the top the text goes below the point so it stays inside the chart.
        below = not vertical and y > bottom + (top - bottom) * 0.9
        ax.annotate(
            _fmt(point.value, decimal_comma),
            (x, y),
            xytext=(0, -9 if below else 8),
            textcoords="offset points",
            ha="center",
            va="top" if below else "bottom",
            rotation=90 if vertical else 0,
            fontfamily=FONT_FAMILY,
            fontsize=_TEXT_SIZE - 3 if vertical else _TEXT_SIZE - 1,
            color=_TEXT_COLOUR,
            # A white halo keeps the number legible where it crosses the line or the target.
            path_effects=[patheffects.withStroke(linewidth=3, foreground="white")],
            zorder=4,
        )
    if target is not None:
        handles.append(
            ax.axhline(
                float(target),
                color=_TARGET_COLOUR,
                linestyle="--",
                linewidth=2,
                label=target_label,
                zorder=2,
            )
        )
    if handles:
        _add_legend(fig, handles)
    return _to_png(fig)


class ChartCache:
    """Renders once per distinct input: the key is the chart kind and its data."""

    def __init__(self, size: int = 64) -> None:
        if size < 1:
            raise ValueError(f"cache size must be at least 1, not {size}")
        self._size = size
        self._done: OrderedDict[Hashable, bytes] = OrderedDict()
        self._pending: dict[Hashable, asyncio.Task[bytes]] = {}

    def __len__(self) -> int:
        return len(self._done)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._done

    async def get(self, key: Hashable, render: Callable[[], bytes]) -> bytes:
        """The cached PNG for `key`, or `render()` run in a worker thread on a miss; callers
        asking for a key being rendered wait for that same render."""
        cached = self._done.get(key)
        if cached is not None:
            self._done.move_to_end(key)
            return cached
        task = self._pending.get(key)
        if task is None:
            task = asyncio.ensure_future(asyncio.to_thread(render))
            self._pending[key] = task
            task.add_done_callback(partial(self._settle, key))
        # shield: one caller giving up (cancelled) must not cancel the render the others await.
        return await asyncio.shield(task)

    def _settle(self, key: Hashable, task: asyncio.Task[bytes]) -> None:
        self._pending.pop(key, None)
        # A failed render is not cached (the next get tries again); reading the exception here
        # also keeps asyncio from logging it as never retrieved when every caller gave up.
        if task.cancelled() or task.exception() is not None:
            return
        self._done[key] = task.result()
        self._done.move_to_end(key)
        while len(self._done) > self._size:
            self._done.popitem(last=False)
