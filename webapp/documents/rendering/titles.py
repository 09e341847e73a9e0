"""Title line breaks (GB/T 9704 7.3.1: 词意完整，排列对称，长短适宜).

A title wider than one line is cut only between words: Chinese word segmentation (rjieba, the
jieba-rs dictionary, loaded once at import — in gunicorn's preloaded master through
``warm_up``), with numbers, dates, document numbers, bracketed text and the names the data
carries (units, people) kept whole. Among the cuts that keep every line within the text block,
the one with the most even lines wins, longest line first (a trapezoid), preferring cuts after
的 or punctuation. PDF and Word print the same lines.
"""

from __future__ import annotations

import functools
import re

from webapp.documents.rendering.layout import TITLE_CHARS, text_width

# Runs that are never cut: dates, numbers with their unit, 〔2026〕12号, Latin words, brackets.
WHOLE = re.compile(
    r"\d{4}年\d{1,2}月\d{1,2}日至(?:\d{4}年)?\d{1,2}月\d{1,2}日"
    r"|\d{4}年(?:\d{1,2}月(?:\d{1,2}日)?)?"
    r"|\d{1,2}月\d{1,2}日"
    r"|〔\d{4}〕\d+号"
    r"|\d+(?:[.．:：]\d+)*[%％]?(?:个|件|次|起|名|人|天|日|项|家|处|辆|号|时|分)?"
    r"|[A-Za-z][A-Za-z0-9.\-]*"
    r"|（[^（）]{1,12}）|〔[^〔〕]{1,12}〕|《[^《》]{1,20}》|“[^“”]{1,12}”"
)
# Words that end an organisation's name: the word before them belongs to the name (城关派出所).
ORG_ENDS = frozenset(
    ("派出所", "大队", "中队", "支队", "公安局", "分局", "局", "所", "队", "科", "室", "中心",
     "窗口", "服务窗口", "管理所", "值班室", "办公室", "指挥中心", "看守所", "警务室", "政治处")
)
# A line never starts with these (closing punctuation, particles).
NO_LINE_START = frozenset("，。、；：？！）》〕】”’的了")
# A cut right after these reads naturally (the end of a phrase).
GOOD_AFTER = frozenset("的，、；：）》〕”")
NEGATIONS = frozenset("不未无没非须应要")
DEGREE = frozenset("过偏较太")  # 时间过长, 满意度偏低: the predicate stays with its subject


@functools.cache
def _jieba():
    import rjieba

    return rjieba


def warm_up() -> None:
    """Load the dictionary now (in the preloaded master, so forked workers share it)."""
    _jieba().cut("督办通知")


def words(text: str) -> list[tuple[str, str]]:
    """The title's words with their part of speech (rjieba, HMM for unknown words)."""
    return list(_jieba().tag(text))


def keep_terms(data: dict) -> tuple[str, ...]:
    """Names the document data carries (units, people) that a title must not split."""
    found: list[str] = []

    def add(value: object) -> None:
        if isinstance(value, str) and 2 <= len(value.strip()) <= 30:
            found.append(value.strip())
        elif isinstance(value, list):
            for v in value:
                add(v)

    if not isinstance(data, dict):
        return ()
    for key in ("recipients", "signature", "printer", "signer"):
        add(data.get(key))
    item = data.get("item") if isinstance(data.get("item"), dict) else {}
    for key in ("lead_unit", "assisting_units", "supervising_leader"):
        add(item.get(key))
    inspection = data.get("inspection") if isinstance(data.get("inspection"), dict) else {}
    add(inspection.get("unit"))
    for key in ("praised", "criticised"):
        for row in data.get(key) or []:
            if isinstance(row, dict):
                add(row.get("unit"))
    return tuple(dict.fromkeys(found))


def _penalty(before: tuple[str, str], after: tuple[str, str]) -> float:
    """How much a cut between two words hurts the reading (0: after 的 or punctuation)."""
    (word, tag), (_next_word, next_tag) = before, after
    if word[-1] in GOOD_AFTER:
        return 0
    if tag[0] in "ns" and next_tag[0] in "ns":
        return 10  # inside a compound noun: 值班｜制度
    if tag[0] in "ns" and next_tag[0] in "vad":
        return 5  # subject | predicate: 时间｜过长
    return 4


def allowed_cuts(text: str, keep: tuple[str, ...] = ()) -> dict[int, float]:
    """Positions where a line may break (between words, never inside a kept run) → penalty."""
    cuts: dict[int, float] = {}
    pos, tokens = 0, words(text)
    for number, token in enumerate(tokens[:-1]):
        pos += len(token[0])
        nxt = tokens[number + 1]
        if nxt[0] in ORG_ENDS or token[0] in NEGATIONS:
            continue  # 城关｜派出所, 不｜到位
        if len(nxt[0]) == 2 and nxt[0][0] in DEGREE:
            continue  # 时间｜过长
        cuts[pos] = _penalty(token, nxt)
    inside = set()
    for match in WHOLE.finditer(text):
        inside.update(range(match.start() + 1, match.end()))
    for term in keep:
        start = text.find(term)
        while start != -1:
            inside.update(range(start + 1, start + len(term)))
            start = text.find(term, start + 1)
    return {c: p for c, p in cuts.items() if c not in inside and text[c] not in NO_LINE_START}




def title_lines(text: str, keep: tuple[str, ...] = (), limit: float = TITLE_CHARS) -> list[str]:
    """The title's lines: cut between words, as even as possible, each within `limit`."""
    if text_width(text) <= limit:
        return [text]
    cuts = allowed_cuts(text, keep)
    fewest = -(-int(text_width(text)) // int(limit))
    for count in range(fewest, fewest + 3):
        lines = _best_split(text, cuts, count, limit)
        if lines:
            return lines
    return _fallback(text, limit)


def _best_split(
    text: str, cuts: dict[int, float], count: int, limit: float
) -> list[str] | None:
    """The cheapest way to cut `text` into `count` lines at `cuts` (dynamic programming).

    Cost: the squared distance of each line from the mean width (排列对称) plus each cut's
    penalty (词意完整: 0 after 的 or punctuation, more inside a noun phrase or a clause).
    """
    ideal = text_width(text) / count
    ends = [*sorted(cuts), len(text)]
    # best[k][end] = (cost, lines) for the first k lines ending at `end`
    best: list[dict[int, tuple[float, list[str]]]] = [{0: (0.0, [])}]
    for k in range(1, count + 1):
        layer: dict[int, tuple[float, list[str]]] = {}
        for start, (cost, lines) in best[k - 1].items():
            for end in ends:
                if end <= start or (k == count) != (end == len(text)):
                    continue
                line = text[start:end]
                if text_width(line) > limit:
                    break
                total = cost + (text_width(line) - ideal) ** 2 + cuts.get(end, 0)
                if end not in layer or total < layer[end][0]:
                    layer[end] = (total, [*lines, line])
        best.append(layer)
    done = best[count].get(len(text))
    return done[1] if done else None


def _fallback(text: str, limit: float) -> list[str]:
    """No word boundary fits (a very long word): fill lines, never starting with punctuation."""
    lines, line = [], ""
    for ch in text:
        if text_width(line + ch) > limit and ch not in NO_LINE_START:
            lines.append(line)
            line = ""
        line += ch
    return [*lines, line]
