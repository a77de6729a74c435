"""The router: how long routing a message takes, and how well the corpus is routed.

Run: .venv/bin/python bench/router.py [--rounds 5]
     .venv/bin/python bench/router.py --explain "còn thiếu bao nhiêu để đạt 800"
Aim (issue 10): under 0.2 ms median for a 300-character message.

Prints the time to build the lexicon; the median and p95 routing time of the corpus's messages
(short) and of 300-character messages made of corpus phrasings run together; then, over the
corpus (tests/corpus/*.tsv, bundled data, 30/11/2025), the accuracy per expected kind and the
confusion matrix (expected kind × routed kind), and how often the sentences officials write
around a question leave its answer unchanged. Lines that wait for data the bundled data/ does
not hold yet are left out, as in tests/test_router_corpus.py."""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from parsing.intents import KINDS, fields, kind_of  # noqa: E402
from parsing.router import explain, route  # noqa: E402
from tests.router_data import bundled, bundled_lexicon  # noqa: E402
from tests.test_router_context import ABOUT, AFTER, BEFORE, answered_alone, typed_like  # noqa: E402
from tests.test_router_corpus import TODAY, corpus_lines, mismatches, waits_for_data  # noqa: E402

LONG = 300  # characters
AIM_MS = 0.2


# What officials write around a question in a long message (seeds/001 and 002 give the
# context: the plan, the report, the leaders' meeting).
CONTEXT = (
    "Chào bot, cho mình hỏi với ạ.",
    "Chiều nay anh Chủ tịch họp giao ban về chuyển đổi số, cần số liệu để báo cáo.",
    "Theo Kế hoạch 4636/KH-UBND thì năm nay tỉnh phấn đấu DTI đạt từ 800 điểm trở lên.",
    "Bên mình đang tổng hợp số liệu gửi Sở Khoa học và Công nghệ trước ngày 25 tháng cuối quý.",
    "Nhờ bot kiểm tra giúp, trả lời ngắn gọn thôi nhé, cảm ơn nhiều.",
    "Em mới được phân công làm đầu mối nên chưa quen cách hỏi, mong bot thông cảm.",
)


def long_messages(texts: list[str], count: int, *, questions: int = 1) -> list[str]:
    """Messages of about LONG characters, cut at a word: `questions` corpus phrasings with
    the context officials write around them (questions=1), or several phrasings run
    together (a stress case: every few words a new question)."""
    pick = random.Random(10)  # noqa: S311 - the same sample every run, no secret
    out = []
    for _ in range(count):
        asked = [pick.choice(texts) for _ in range(questions)]
        pool = pick.sample(CONTEXT, len(CONTEXT)) if questions == 1 else []
        while len(" ".join(asked)) < LONG:
            asked.insert(0, pool.pop() if pool else pick.choice(texts))
        out.append(" ".join(asked)[-LONG:].split(" ", 1)[1])
    return out


def timings(messages: list[str], rounds: int) -> list[float]:
    """Seconds per message: the fastest of `rounds` runs of each (the others were disturbed)."""
    lexicon = bundled_lexicon()
    best = [float("inf")] * len(messages)
    collecting = gc.isenabled()
    gc.disable()  # as timeit does: a collection run by the garbage of other messages is noise
    try:
        for _ in range(rounds):
            for index, text in enumerate(messages):
                start = time.perf_counter()
                route(text, lexicon, TODAY)
                best[index] = min(best[index], time.perf_counter() - start)
    finally:
        if collecting:
            gc.enable()
    return best


def report_time(name: str, seconds: list[float]) -> None:
    ordered = sorted(seconds)
    median = statistics.median(ordered) * 1000
    p95 = ordered[int(len(ordered) * 0.95)] * 1000
    print(f"| {name} | {median:.3f} ms | {p95:.3f} ms | {median / AIM_MS:.2f} |")


def report_accuracy() -> None:
    lexicon = bundled_lexicon()
    lines = [line for line in corpus_lines() if not waits_for_data(line)]
    confusion: Counter[tuple[str, str]] = Counter()
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for line in lines:
        got = route(line.text, lexicon, TODAY)
        expected = line.expected["kind"]
        confusion[(expected, kind_of(got))] += 1
        total[expected] += 1
        right[expected] += not mismatches(line, got)
    print("\n| expected kind | lines | right (kind and values) | accuracy |")
    print("|---|---|---|---|")
    for kind in sorted(total):
        print(f"| {kind} | {total[kind]} | {right[kind]} | {right[kind] / total[kind]:.1%} |")
    all_right, all_lines = sum(right.values()), sum(total.values())
    print(f"| **all** | {all_lines} | {all_right} | {all_right / all_lines:.1%} |")
    kinds = [k for k in KINDS.values() if any(k in pair for pair in confusion)]
    print("\nConfusion (rows: expected kind, columns: routed kind)\n")
    print("| | " + " | ".join(kinds) + " |")
    print("|---" * (len(kinds) + 1) + "|")
    for expected in kinds:
        if total[expected]:
            row = [str(confusion[(expected, got)] or "") for got in kinds]
            print(f"| {expected} | " + " | ".join(row) + " |")


def report_context() -> None:
    """The corpus lines answered alone, again with sentences around them
    (tests/test_router_context.py): the same intent after a greeting or before a thanks, the
    same kind and values after what the figures are for."""
    lexicon = bundled_lexicon()
    rows = (
        ("a greeting or an apology before", BEFORE, False, True),
        ("a thanks after", AFTER, True, True),
        ("the meeting, the report or the plan before", ABOUT, False, False),
        ("the meeting or the report after", ABOUT[:2], True, False),
    )
    print("\n| sentences around the question | messages | same answer | share |")
    print("|---|---|---|---|")
    for name, sentences, after, same in rows:
        total = right = 0
        for question, alone in answered_alone():
            for sentence in sentences:
                typed = typed_like(sentence, question)
                message = f"{question}. {typed}" if after else f"{typed} {question}"
                got = route(message, lexicon, TODAY)
                expected, found = fields(alone), fields(got)
                total += 1
                right += (
                    got == alone
                    if same
                    else all(found.get(key) == value for key, value in expected.items())
                )
        print(f"| {name} | {total} | {right} | {right / total:.1%} |")


def explain_one(text: str) -> None:
    """For whoever extends the vocabulary: the evidence of each kind, and the intent."""
    lexicon = bundled_lexicon()
    for kind, weight in sorted(explain(text, lexicon, TODAY).items(), key=lambda i: -i[1]):
        print(f"{kind:>14} {weight:.2f}")
    print(fields(route(text, lexicon, TODAY)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="runs of each message")
    parser.add_argument("--explain", metavar="TEXT", help="show one message's evidence, routed")
    arguments = parser.parse_args()
    if arguments.explain:
        explain_one(arguments.explain)
        return
    rounds = arguments.rounds
    bundled()  # the files are read first: the build alone is timed
    start = time.perf_counter()
    bundled_lexicon()
    print(f"lexicon built in {(time.perf_counter() - start) * 1000:.0f} ms")
    texts = [line.text for line in corpus_lines()]
    longs = long_messages(texts, 300)
    crowded = long_messages(texts, 300, questions=6)
    timings(texts[:50] + longs[:50], 1)  # warm up: typo and fold caches fill as in a live bot
    print(f"\n| messages | median | p95 | median / aim ({AIM_MS} ms) |")
    print("|---|---|---|---|")
    report_time(f"corpus phrasings ({len(texts)}, short)", timings(texts, rounds))
    report_time(f"{LONG} characters: a question in context ({len(longs)})", timings(longs, rounds))
    report_time(
        f"{LONG} characters: questions run together ({len(crowded)})", timings(crowded, rounds)
    )
    report_accuracy()
    report_context()


if __name__ == "__main__":
    main()
