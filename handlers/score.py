"""Score answers: the total, a pillar or a sub-index of a framework, for a `Score` intent."""

from __future__ import annotations

from handlers.request import Request
from handlers.target_views import index_view, targets_view
from handlers.views import answer_view, as_of_view
from locales import Text
from parsing.intents import Score
from services.frameworks import IndexAnswer, TargetsAnswer
from services.scores import ScoreAnswer


async def answer(request: Request, score: Score) -> None:
    """The subject's points (or a plan-targets / index framework's results), in this chat's
    framework unless the question named one."""
    t = request.t
    result = await request.services.scores.answer(score, request.destination.chat_id)
    if isinstance(result, TargetsAnswer):
        await request.reply(targets_view(t, result))  # split between lines when long
        return
    if isinstance(result, IndexAnswer):
        await request.reply(index_view(t, result))
        return
    text = board_text(t, result)
    await request.reply(as_of_view(t, result.as_of, text))


def board_text(t: Text, result: ScoreAnswer) -> str:
    """The answer's board in `t`'s language, rendered once for the same values (a popular
    question asked again before anything changes is not rendered again)."""
    key = (result.subject, result.provisional, result.pending, result.notes, t.lang)
    text = result.rendered.get(key)
    if text is None:
        text = answer_view(
            t,
            result.board,
            result.directory,
            result.subject,
            provisional=result.provisional,
            pending=result.pending,
            notes=result.notes,
        )
        result.rendered[key] = text
    return text
