"""Long lists of buttons, a page at a time: ◀ and ▶ under the page move between pages, and the
middle button says where you are. A page's buttons are rebuilt when pressed, from the list as it
is then, so a list that changed meanwhile is paged as it is now."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from domain.messages import Page, page_of

PREVIOUS, NEXT = "◀", "▶"


def paged(
    buttons: Sequence[InlineKeyboardButton],
    wanted: int,
    data: Callable[[int], str],
    *,
    size: int,
    per_row: int,
) -> tuple[Page, InlineKeyboardMarkup | None]:
    """The buttons of page `wanted` (`size` of them, `per_row` a row), and a row to move
    between pages whose buttons carry `data(page)`; None when there are no buttons at all."""
    page = page_of(len(buttons), size, wanted)
    shown = list(buttons[page.start : page.end])
    rows = [shown[i : i + per_row] for i in range(0, len(shown), per_row)]
    if page.count > 1:
        rows.append(
            [
                InlineKeyboardButton(PREVIOUS, callback_data=data((page.number - 1) % page.count)),
                InlineKeyboardButton(
                    f"{page.number + 1}/{page.count}", callback_data=data(page.number)
                ),
                InlineKeyboardButton(NEXT, callback_data=data((page.number + 1) % page.count)),
            ]
        )
    return page, InlineKeyboardMarkup(rows) if rows else None
