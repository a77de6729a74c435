"""The PNG charts (reports/charts.py) and the cache that renders each distinct chart once."""

from __future__ import annotations

import asyncio
import functools
import io
import subprocess
import sys
import threading
import warnings
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from matplotlib.font_manager import FontProperties, findfont
from matplotlib.ft2font import FT2Font
from PIL import Image

from reports.charts import (
    DPI,
    FONT_FAMILY,
    HEIGHT_PX,
    WIDTH_PX,
    Bar,
    ChartCache,
    Point,
    _fmt,
    _x_label_positions,
    history_png,
    pillars_png,
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
VIETNAMESE = "Hoạt động Chính quyền số, Hạ tầng số, Nhận thức số, Đô thị"
POINTS_RGB = (0x1F, 0x5F, 0xA8)
TARGET_RGB = (0xD6, 0x27, 0x28)

PILLARS = (
    Bar("1. Chuyển đổi nhận thức số", Decimal("35.1"), Decimal("150")),
    Bar("2. Kiến tạo thể chế số", Decimal("42.25"), Decimal("80")),
    Bar("3. Phát triển hạ tầng và nền tảng số", Decimal("120"), Decimal("150")),
    Bar("4. Thông tin và dữ liệu số", Decimal("0"), Decimal("80")),
    Bar("5. An toàn thông tin mạng", Decimal("80"), Decimal("80")),
    Bar("6. Đào tạo phát triển nhân lực số", Decimal("61.75"), Decimal("100")),
    Bar("7. Hoạt động Chính quyền số", Decimal("98.5"), Decimal("120")),
    Bar("8. Hoạt động Kinh tế số", Decimal("55"), Decimal("80")),
    Bar("9. Hoạt động Xã hội số, Đô thị", Decimal("30.05"), Decimal("60")),
)


def quarters(count: int) -> list[Point]:
    return [
        Point(f"Q{i % 4 + 1}/{2020 + i // 4}", Decimal(400) + Decimal("17.35") * i)
        for i in range(count)
    ]


def render_pillars(
    bars: tuple[Bar, ...] | list[Bar] = PILLARS,
    target_share: Decimal | None = Decimal("0.8"),
    title: str = "Điểm DTI 2025 theo trụ cột",
) -> bytes:
    return pillars_png(
        bars,
        title=title,
        target_share=target_share,
        target_label="Mục tiêu 800/1000",
        points_label="Điểm đạt",
    )


@functools.cache
def rendered_pillars() -> bytes:
    """The default chart of render_pillars, drawn once for the tests that only look at it or
    compare other charts with it (test_the_same_data_gives_the_same_bytes draws it twice)."""
    return render_pillars()


def render_history(
    points: list[Point], maximum: Decimal | None = Decimal(1000), title: str = "Chỉ số DTI"
) -> bytes:
    return history_png(
        points,
        title=title,
        maximum=maximum,
        target=Decimal(800),
        target_label="Mục tiêu",
        value_label="Điểm DTI",
    )


def decode(data: bytes) -> Image.Image:
    assert data.startswith(PNG_MAGIC)
    image = Image.open(io.BytesIO(data))
    image.load()
    assert image.format == "PNG"
    assert image.size == (WIDTH_PX, HEIGHT_PX)
    return image.convert("RGB")


def colour_counts(image: Image.Image) -> dict[tuple[int, ...] | float, int]:
    colours = image.getcolors(maxcolors=image.width * image.height)
    assert colours is not None
    return {rgb: count for count, rgb in colours}


def non_white_share(image: Image.Image) -> float:
    counts = colour_counts(image)
    return 1 - counts.get((255, 255, 255), 0) / (image.width * image.height)


def glyph_warnings(render: Callable[[], bytes]) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        render()
    return [
        str(w.message)
        for w in caught
        if "Glyph" in str(w.message) or "missing from font" in str(w.message)
    ]


def test_the_size_constants_describe_a_phone_sized_picture() -> None:
    assert (WIDTH_PX, HEIGHT_PX) in {(1080, 1080), (1200, 900)}
    # Whole inches at DPI: the figure size in inches maps to the pixels without rounding.
    assert WIDTH_PX % DPI == 0
    assert HEIGHT_PX % DPI == 0


def test_pillars_png_is_a_png_of_the_documented_size_with_a_drawn_chart() -> None:
    image = decode(rendered_pillars())

    counts = colour_counts(image)
    assert len(counts) > 50
    assert non_white_share(image) > 0.05
    # The solid bars and the target ticks are really there, not just the title.
    assert counts.get(POINTS_RGB, 0) > 10_000
    assert counts.get(TARGET_RGB, 0) > 500


def test_pillars_png_has_a_white_background() -> None:
    image = decode(rendered_pillars())

    for corner in [(0, 0), (WIDTH_PX - 1, 0), (0, HEIGHT_PX - 1), (WIDTH_PX - 1, HEIGHT_PX - 1)]:
        assert image.getpixel(corner) == (255, 255, 255)


def test_pillars_png_without_a_target_draws_no_target_mark() -> None:
    image = decode(render_pillars(target_share=None))

    assert colour_counts(image).get(TARGET_RGB, 0) == 0


def test_a_pillar_with_maximum_zero_is_skipped() -> None:
    empty = Bar("10. Trụ cột chưa chấm", Decimal(0), Decimal(0))

    assert render_pillars([*PILLARS, empty]) == render_pillars(PILLARS)


def test_pillars_png_survives_points_above_the_maximum_negative_points_and_no_bars() -> None:
    odd = [
        Bar("Quá mức", Decimal(200), Decimal(150)),
        Bar("Âm", Decimal(-5), Decimal(80)),
        Bar("Rất dài " * 12, Decimal("1.005"), Decimal(3)),
    ]

    decode(render_pillars(odd))
    decode(render_pillars([]))
    decode(render_pillars(list(PILLARS) * 3))


def test_history_png_draws_a_single_point() -> None:
    image = decode(render_history(quarters(1)))

    counts = colour_counts(image)
    assert len(counts) > 50
    assert counts.get(POINTS_RGB, 0) > 100


@pytest.mark.parametrize("maximum", [Decimal(1000), None])
def test_history_png_draws_twenty_four_points(maximum: Decimal | None) -> None:
    image = decode(render_history(quarters(24), maximum=maximum))

    counts = colour_counts(image)
    assert len(counts) > 50
    assert non_white_share(image) > 0.03
    assert counts.get(POINTS_RGB, 0) > 1_000
    assert counts.get(TARGET_RGB, 0) > 500


def test_history_png_without_points_still_renders() -> None:
    decode(render_history([]))


def test_many_periods_get_at_most_twelve_labels_always_including_the_latest() -> None:
    assert _x_label_positions(1) == [0]
    assert _x_label_positions(12) == list(range(12))
    for count in (13, 24, 25, 40):
        positions = _x_label_positions(count)
        assert len(positions) <= 12
        assert positions[-1] == count - 1
        assert positions == sorted(set(positions))


def test_vietnamese_labels_render_without_missing_glyph_warnings() -> None:
    labelled = [
        Bar(f"{i}. {part.strip()}", Decimal(i), Decimal(10))
        for i, part in enumerate(VIETNAMESE.split(","), start=1)
    ]

    assert glyph_warnings(lambda: render_pillars(labelled, title=VIETNAMESE)) == []
    assert (
        glyph_warnings(
            lambda: history_png(
                [Point("Quý 4/2025", Decimal("812.5")), Point("Năm 2026", Decimal("900"))],
                title=VIETNAMESE,
                maximum=None,
                target=Decimal(800),
                target_label="Mục tiêu đề ra",
                value_label="Điểm Đô thị",
            )
        )
        == []
    )


def test_the_glyph_check_would_catch_a_character_the_font_lacks() -> None:
    # Proves the check above is not vacuous: DejaVu Sans has no CJK ideographs.
    chinese = [Bar("漢字", Decimal(1), Decimal(2))]

    assert glyph_warnings(lambda: render_pillars(chinese)) != []


def test_the_chart_font_is_the_bundled_dejavu_sans_and_covers_vietnamese() -> None:
    path = findfont(FontProperties(family=FONT_FAMILY), fallback_to_default=False)

    assert Path(path).name.startswith("DejaVuSans")
    charmap = FT2Font(path).get_charmap()
    assert [char for char in VIETNAMESE if ord(char) not in charmap] == []


def test_the_same_data_gives_the_same_bytes() -> None:
    assert render_pillars() == render_pillars()
    assert render_history(quarters(24)) == render_history(quarters(24))


def test_different_data_gives_different_bytes() -> None:
    changed = (Bar(PILLARS[0].label, Decimal("36.1"), PILLARS[0].maximum), *PILLARS[1:])

    assert render_pillars(changed) != rendered_pillars()
    assert render_pillars(title="Khác") != rendered_pillars()
    assert render_history(quarters(5)) != render_history(quarters(6))


def test_the_png_carries_no_software_or_time_stamp() -> None:
    image = Image.open(io.BytesIO(rendered_pillars()))

    assert "Software" not in image.info
    keys = [str(key).lower() for key in image.info]
    assert not any("time" in key or "date" in key for key in keys)


async def test_charts_rendered_in_parallel_threads_equal_charts_rendered_one_by_one() -> None:
    jobs: list[Callable[[], bytes]] = [
        render_pillars,
        lambda: render_pillars(target_share=None),
        lambda: render_history(quarters(24)),
        lambda: render_history(quarters(3), maximum=None),
    ]
    # Each chart drawn once one by one (a second drawing gives the same bytes, as
    # test_the_same_data_gives_the_same_bytes shows), and twice at once in threads, so that
    # two threads draw the same chart together.
    serial = [job() for job in jobs] * 2

    parallel = await asyncio.gather(*(asyncio.to_thread(job) for job in jobs * 2))

    assert list(parallel) == serial


def test_the_module_does_not_import_pyplot() -> None:
    # A fresh interpreter: other tests (or libraries) may have imported pyplot in this one.
    probe = "import sys, reports.charts; print('matplotlib.pyplot' in sys.modules)"
    result = subprocess.run(  # noqa: S603 - fixed arguments, our own interpreter
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )

    assert result.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("value", "comma", "dot"),
    [
        (Decimal("35.1"), "35,1", "35.1"),
        (Decimal("35.10"), "35,1", "35.1"),
        (Decimal("150"), "150", "150"),
        (Decimal("150.00"), "150", "150"),
        (Decimal("0.005"), "0,01", "0.01"),
        (Decimal("2.345"), "2,35", "2.35"),
        (Decimal("812.3456"), "812,35", "812.35"),
        (Decimal("1234.5"), "1.234,5", "1,234.5"),
        (Decimal("1000000"), "1.000.000", "1,000,000"),
        (Decimal("-12.5"), "-12,5", "-12.5"),
        (Decimal("-0.001"), "0", "0"),
        (Decimal("0"), "0", "0"),
        (Decimal("1E+3"), "1.000", "1,000"),
    ],
)
def test_numbers_have_at_most_two_decimals_no_trailing_zeros_and_local_separators(
    value: Decimal, comma: str, dot: str
) -> None:
    assert _fmt(value, decimal_comma=True) == comma
    assert _fmt(value, decimal_comma=False) == dot


class Renders:
    """A render function that counts its calls and notes the thread it ran in."""

    def __init__(self, data: bytes = b"png", delay: float = 0.0) -> None:
        self.calls = 0
        self.threads: list[str] = []
        self.data = data
        self.delay = delay
        self._lock = threading.Lock()

    def __call__(self) -> bytes:
        with self._lock:
            self.calls += 1
            self.threads.append(threading.current_thread().name)
        if self.delay:
            threading.Event().wait(self.delay)
        return self.data


async def test_a_second_get_of_the_same_key_does_not_render_again() -> None:
    cache = ChartCache()
    render = Renders(b"one")

    first = await cache.get(("pillars", 1), render)
    second = await cache.get(("pillars", 1), render)

    assert first == second == b"one"
    assert render.calls == 1


async def test_the_render_runs_in_a_worker_thread() -> None:
    render = Renders()

    await ChartCache().get("k", render)

    assert render.threads != [threading.current_thread().name]


async def test_different_keys_render_separately() -> None:
    cache = ChartCache()
    first, second = Renders(b"a"), Renders(b"b")

    assert await cache.get("a", first) == b"a"
    assert await cache.get("b", second) == b"b"
    assert (first.calls, second.calls) == (1, 1)


async def test_concurrent_gets_of_one_key_render_once() -> None:
    cache = ChartCache()
    render = Renders(b"slow", delay=0.05)

    results = await asyncio.gather(*(cache.get("k", render) for _ in range(5)))

    assert results == [b"slow"] * 5
    assert render.calls == 1


async def test_the_least_recently_used_chart_is_evicted_beyond_the_size() -> None:
    cache = ChartCache(size=2)
    renders = {key: Renders(key.encode()) for key in "abc"}

    await cache.get("a", renders["a"])
    await cache.get("b", renders["b"])
    await cache.get("a", renders["a"])  # "a" is now more recent than "b"
    await cache.get("c", renders["c"])

    assert len(cache) == 2
    assert "b" not in cache
    await cache.get("a", renders["a"])
    assert renders["a"].calls == 1
    await cache.get("b", renders["b"])
    assert renders["b"].calls == 2


async def test_a_failed_render_is_not_cached_and_reaches_every_waiter() -> None:
    cache = ChartCache()
    calls = 0

    def broken() -> bytes:
        nonlocal calls
        calls += 1
        threading.Event().wait(0.02)
        raise RuntimeError("no font")

    results = await asyncio.gather(
        *(cache.get("k", broken) for _ in range(3)), return_exceptions=True
    )

    assert calls == 1
    assert all(isinstance(result, RuntimeError) for result in results)
    assert "k" not in cache
    assert await cache.get("k", Renders(b"fixed")) == b"fixed"


async def test_one_cancelled_waiter_does_not_cancel_the_render_for_the_others() -> None:
    cache = ChartCache()
    render = Renders(b"done", delay=0.05)
    impatient = asyncio.create_task(cache.get("k", render))
    patient = asyncio.create_task(cache.get("k", render))
    await asyncio.sleep(0.01)

    impatient.cancel()

    assert await patient == b"done"
    with pytest.raises(asyncio.CancelledError):
        await impatient
    assert render.calls == 1
    assert "k" in cache


def test_a_cache_needs_room_for_at_least_one_chart() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        ChartCache(size=0)


async def test_the_cache_serves_real_charts_keyed_by_kind_and_data() -> None:
    cache = ChartCache()
    key = ("pillars", PILLARS, Decimal("0.8"))

    first = await cache.get(key, render_pillars)
    second = await cache.get(("pillars", tuple(PILLARS), Decimal("0.80")), render_pillars)

    # Frozen dataclasses and Decimals hash by value: 0.8 and 0.80 are the same key.
    assert first is second
    decode(first)
