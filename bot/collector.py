"""Python's cycle collector, paused while `python -m bot` starts.

A start imports the libraries and the bot's modules, maps the models and builds the services:
some two hundred thousand objects that live as long as the process. While they are made, the
collector's full passes scan all of them again and again, and free almost nothing (about a
thousand objects at the end of a start): a quarter of the start's CPU. So the entry point
pauses the collector first, and once the bot is built (the services and the Application: the
console once it is initialised, the served bot before it waits for Telegram, which may take
long) `resume` freezes what is there (gc.freeze: later passes skip those objects, which the bot
keeps anyway) and turns it on again. Reference counting frees objects as usual, paused or not;
what the pause holds back is only garbage in reference cycles, until `resume`."""

from __future__ import annotations

import gc


class _Pause:
    """Whether `pause` turned the collector off (and `resume` has yet to turn it on)."""

    paused = False


def pause() -> None:
    """Turn the collector off until `resume`; nothing when it is off already (someone else's)."""
    if gc.isenabled():
        gc.disable()
        _Pause.paused = True


def resume() -> None:
    """Freeze what the start made and turn the collector on again; nothing when `pause` did
    not turn it off, or when it is on again already."""
    if _Pause.paused:
        _Pause.paused = False
        gc.freeze()
        gc.enable()
