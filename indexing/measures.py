"""Extracts the measure register (tiltaksregister) from loaded documents and links measures across plans.

Recognised by structure, never by known titles: ``|`` tables with Tiltak and Status columns; text tables
under a "Tiltak … Status" header (numbered rows with a legend score, or rows anchored on a date column);
"… tiltak for videreføring" / "nye tiltak" sections with one measure a line; list items "- Title: status".
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from indexing import measure_rules as rules
from indexing.measure_rules import title_key
from indexing.types import Document, content_hash


@dataclass(frozen=True)
class Measure:
    """One measure (tiltak) with its reported status, as read from one row of one document."""

    source: str
    page: int | None
    plan: str | None
    area: str | None
    number: str | None
    title: str
    status_text: str | None
    status_score: int | None
    status: str | None
    reason: str | None
    text: str
    key: str = ""
    id: str = ""

    def __post_init__(self) -> None:
        if not self.key:
            object.__setattr__(self, "key", title_key(self.title))
        if not self.id:
            parts = (self.source, self.page, self.plan, self.number, self.key, self.text)
            object.__setattr__(self, "id", content_hash("measure", *parts))

    @property
    def year(self) -> int | None:
        """Return the plan's (first) year."""
        return rules.plan_year(self.plan)


@dataclass
class _Line:
    page: int | None
    block: int
    pos: int
    text: str


@dataclass
class _Table:
    mode: str
    plan: str | None
    area: str | None = None
    legend: dict[int, str] = field(default_factory=dict)
    roles: dict[str, int] = field(default_factory=dict)
    width: int = 0
    owner: bool = False
    comment: bool = False
    after: bool = False
    default: str | None = None
    rows: int = 0


@dataclass
class _Row:
    page: int | None
    title: list[str]
    block: int
    number: str | None = None
    status: list[str] = field(default_factory=list)
    comment: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    score: int | None = None
    closed: bool = False


def _doc_lines(doc: Document) -> list[_Line]:
    out: list[_Line] = []
    for block, (page, chunk) in enumerate((p.number, c) for p in doc.pages for c in p.text.split("\n\n")):
        rows = [line.strip() for line in chunk.split("\n") if line.strip()]
        out += [_Line(page, block, i, t) for i, t in enumerate(rows)]
    return out


class _Parser:
    """Walks a document's lines once, keeping plan, area and the open table as state."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.out: list[Measure] = []
        self.plan = rules.plan_name(doc.title)
        self.area: str | None = None
        self.area_block = -99
        self.legend: dict[int, str] = {}
        self.table: _Table | None = None
        self.row: _Row | None = None
        self.buffer: list[_Line] = []
        self.prev: _Line | None = None

    def run(self) -> list[Measure]:
        for line in _doc_lines(self.doc):
            prev, table = self.prev, self.table
            after_heading = prev is not None and prev.text.startswith("# ")
            if line.pos == 0 and table and table.rows and table.mode != "numbered" and not after_heading:
                self.end_table()
            if line.text.startswith("|"):
                self.pipe(line)
            elif line.text.startswith("# "):
                self.heading(line)
            else:
                self.text(line)
            self.prev = line
        self.end_table()
        return list({m.id: m for m in self.out}.values())

    def start(self, table: _Table, block: int) -> None:
        self.end_table()
        table.legend = table.legend or dict(self.legend)
        if table.area is None and block - self.area_block <= 3:
            table.area = self.area
        self.table = table

    def end_table(self) -> None:
        self.flush()
        self.table = None

    def flush(self) -> None:
        if self.row and self.buffer:
            self.row.comment += [b.text for b in self.buffer]
            self.row.lines += [b.text for b in self.buffer]
        self.buffer = []
        self.emit_row()

    def set_area(self, text: str, block: int) -> None:
        self.area, self.area_block = rules.area_name(text), block
        if self.table:
            self.table.area = self.area

    def heading(self, line: _Line) -> None:
        h = line.text[2:].strip()
        caps = rules.is_caps(h)
        row, table = self.row, self.table
        if row and table and table.mode == "numbered" and not row.closed and line.pos > 0 and not caps:
            row.status.append(f"{h}:")
            return
        if table and table.mode == "anchored":
            self.flush()
        if table and not caps and line.pos == 0:
            self.end_table()
        if self.section(h, line):
            return
        if plan := rules.plan_name(h):
            self.plan, self.area = plan, None
        elif rules.area_like(h, 5):
            self.set_area(h, line.block)

    def section(self, text: str, line: _Line) -> bool:
        """Open a 'continued measures' or 'new measures' section named by a short line."""
        if not rules.opens_section(text):
            return False
        self.plan = rules.plan_name(text) or self.plan
        self.start(_Table("lines", self.plan, default="planned"), line.block)
        return True

    def header(self, line: _Line) -> re.Match[str] | None:
        m = rules.TEXT_HEADER_RE.match(line.text)
        prev = self.prev
        if not m and prev and line.text.startswith("Status") and len(prev.text.split()) <= 6:
            m = rules.TEXT_HEADER_RE.match(f"{prev.text} {line.text}")
        return m if m and len(m.group("mid").split()) <= 8 else None

    def text(self, line: _Line) -> None:
        t, table = line.text, self.table
        if m := self.header(line):
            self.start_text_table(m, line)
            return
        if table and table.rows == 0 and self.row is None and (legend := rules.parse_legend(t)):
            table.legend.update(legend)
            return
        if table and table.mode in ("anchored", "lines") and (plan := rules.plan_line(t)):
            self.end_table()
            self.plan = plan
            return
        if self.section(t, line):
            return
        handlers = {"numbered": self.numbered, "anchored": self.anchored, "lines": self.section_line}
        if table and table.mode in handlers and handlers[table.mode](line):
            return
        if table and table.mode != "pipe":
            self.end_table()
        self.loose(line)

    def loose(self, line: _Line) -> None:
        """Handle a line outside any table: plan and area hints, list items '- Title: status'."""
        t = line.text
        plan, legend = rules.plan_name(t), rules.parse_legend(t)
        self.plan, self.legend = plan or self.plan, legend if len(legend) >= 3 else self.legend
        m = rules.LIST_ITEM_RE.match(t)
        title, status = m.groups() if m else ("", "")
        if m and len(title.split()) <= 25 and len(status.split()) <= 30 and rules.starts_with_status(status):
            self.add(line.page, title, status, t, plan=self.plan, area=self.area)
        elif line.pos == 0 and rules.area_like(t, 3) and not plan:
            self.area, self.area_block = rules.area_name(t), line.block

    def start_text_table(self, m: re.Match[str], line: _Line) -> None:
        mid, after = m.group("mid"), m.group("after")
        columns = re.split(r"\d\s*=", after, maxsplit=1)[0]
        table = _Table(
            "anchored" if rules.DEADLINE_WORD_RE.search(mid) else "numbered",
            rules.plan_name(m.group(0)) or self.plan,
            legend=rules.parse_legend(after),
            owner=bool(rules.OWNER_WORD_RE.search(mid)),
            comment=any(rules.COMMENT_COLUMN.match(w) for w in columns.split()),
            after=bool(rules.HEADER_AFTER_COLUMN_RE.search(columns)),
        )
        prev = self.prev
        if prev and m.string == line.text and prev.block >= line.block - 1 and rules.area_like(prev.text, 3):
            self.area, self.area_block = rules.area_name(prev.text), line.block
        self.start(table, line.block - 1 if line.pos == 0 else line.block)

    def numbered(self, line: _Line) -> bool:
        """Rows '<nr> <title>' followed by status lines and a lone score."""
        t, row, table = line.text, self.row, self.table
        assert table is not None
        start = rules.ROW_START_RE.match(t)
        if row and not start:
            if row.title[-1].endswith("-") and t[:1].islower():
                row.title[-1] = row.title[-1][:-1] + t
                return True
            if row.closed:
                return False
            score, trailing = rules.LONE_SCORE_RE.match(t), rules.TRAILING_SCORE_RE.match(t)
            if score and int(score.group(1)) in table.legend:
                row.score, row.closed = int(score.group(1)), True
            elif trailing and int(trailing.group(2)) in table.legend:
                row.status.append(trailing.group(1))
                row.score, row.closed = int(trailing.group(2)), True
            elif line.block == row.block and not row.status and not rules.starts_with_status(t):
                row.title.append(t)
            else:
                row.status.append(t)
            return True
        if start:
            self.emit_row()
            self.row = _Row(line.page, [start.group(2)], line.block, number=start.group(1))
            return True
        if split := rules.split_title_status(t):
            self.add(line.page, split[0], split[1], t)
            return True
        return table.rows == 0 and not row and not t.startswith("- ")

    def anchored(self, line: _Line) -> bool:
        """Rows carrying a date or period column: '<title> [owner] <date> <status> [comment]'."""
        t, table = line.text, self.table
        assert table is not None
        date = rules.DATE_RANGE_RE.search(t)
        if not date:
            self.buffer.append(line)
            return True
        before, after = t[: date.start()].strip(), t[date.end() :].strip()
        head = [b.text for b in self.buffer]
        spill, title = rules.anchored_row(before, head, table.owner)
        if self.row:
            self.row.comment += head[:spill]
            self.row.lines += head[:spill]
        self.emit_row()
        if table.after and not table.comment:
            after = rules.TRAILING_YEARS_RE.sub("", after)
        status, comment = rules.split_comment(after) if table.comment else (after, "")
        start = rules.ROW_START_RE.match(title)
        number, title = (start.group(1), start.group(2)) if start else (None, title)
        page = self.buffer[spill].page if spill < len(head) else line.page
        lines = [*head[spill:], t]
        self.row = _Row(page, [title], line.block, number, [status], [comment] if comment else [], lines)
        self.buffer = []
        return True

    def section_line(self, line: _Line) -> bool:
        """A line of a continued/new measures section: '<title> [status]'."""
        t = line.text[2:] if line.text.startswith("- ") else line.text
        if len(t.split()) > 40:
            return False
        known = [m.title for m in self.out]
        split = rules.split_known(t, known) or rules.split_title_status(t) or (t, None)
        self.add(line.page, split[0], split[1], line.text)
        return True

    def pipe(self, line: _Line) -> None:
        """Rows of a real table: a header row names the Tiltak and Status columns."""
        cells = [c.strip() for c in line.text.strip().strip("|").split("|")]
        if roles := rules.header_roles(cells):
            legend = rules.parse_legend(" ".join(cells))
            plan = rules.plan_name(line.text) or self.plan
            self.start(_Table("pipe", plan, None, legend, roles, len(cells)), line.block - 1)
            return
        table = self.table
        if not table or table.mode != "pipe":
            return
        filled = [c for c in cells if c]
        if len(filled) == 1 and (len(cells) < table.width or not cells[table.roles["title"]]):
            self.set_area(filled[0], line.block)
            return
        cell = {role: cells[i] for role, i in table.roles.items() if i < len(cells)}
        status, comment, score = cell.get("status", ""), cell.get("comment", ""), cell.get("score", "")
        if len(cells) != table.width:
            rest = cells[table.roles["title"] + 1 :]
            status = next((c for c in rest if rules.starts_with_status(c)), status)
            comment = " ".join(rest[rest.index(status) + 1 :]) if status in rest else comment
        number, area = cell.get("number") or None, cell.get("area") or None
        value = int(score) if score.isdigit() else None
        self.add(line.page, cell.get("title", ""), status or None, line.text, number, value, comment, area=area)

    def emit_row(self) -> None:
        row, self.row = self.row, None
        if row is None:
            return
        title = " ".join(row.title).strip()
        status = " ".join(row.status).strip() or None
        if status is None and row.score is None and (split := rules.split_title_status(title)):
            title, status = split
            trail, legend = rules.TRAILING_SCORE_RE.match(status), self.table.legend if self.table else {}
            if trail and int(trail.group(2)) in legend:
                status, row.score = trail.group(1), int(trail.group(2))
        score = "" if row.score is None else str(row.score)
        text = " ".join(row.lines) or " ".join(p for p in (row.number, title, status, score) if p)
        self.add(row.page, title, status, text, row.number, row.score, " ".join(row.comment))

    def add(
        self,
        page: int | None,
        title: str,
        status_text: str | None,
        text: str,
        number: str | None = None,
        score: int | None = None,
        comment: str = "",
        plan: str | None = None,
        area: str | None = None,
    ) -> None:
        table = self.table
        legend = table.legend if table else {}
        status = rules.normalise_status(status_text, score, legend, comment or None)
        status = status or (table.default if table else None)
        if not title.strip() or status is None:
            return
        reason = rules.normalise_reason(" ".join(p for p in (status_text, comment) if p), status)
        plan, area = (
            plan or (table.plan if table else self.plan),
            area or (table.area if table else self.area),
        )
        found = (number, title.strip(), status_text, score, status, reason, text)
        self.out.append(Measure(self.doc.source, page, plan, area, *found))
        if table:
            table.rows += 1


def extract_measures(doc: Document) -> list[Measure]:
    """Return the measures with a status that the document's status tables and lists report."""
    return _Parser(doc).run()


def link_measures(measures: Sequence[Measure]) -> dict[str, str]:
    """Map each measure id to a series id shared by the same measure in other plans or documents."""
    items = list({m.id: m for m in measures}.values())
    parent = list(range(len(items)))
    plans = [{(m.source, m.plan)} for m in items]

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    tokens = [rules.link_tokens(m.title) for m in items]
    for _, i, j in rules.similar_pairs([(m.source, m.plan) for m in items], tokens):
        a, b = find(i), find(j)
        if a != b and not plans[a] & plans[b]:
            parent[b] = a
            plans[a] |= plans[b]
    groups: dict[int, list[Measure]] = defaultdict(list)
    for i, m in enumerate(items):
        groups[find(i)].append(m)
    first = {k: min(g, key=lambda m: (m.year or 9999, m.plan or "", m.source, m.id)) for k, g in groups.items()}
    return {m.id: first[k].id for k, group in groups.items() for m in group}
