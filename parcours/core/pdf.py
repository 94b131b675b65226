"""French documents as PDF (proposition de commande, attestations), with reportlab.

Why reportlab rather than an HTML renderer: it is pure Python with no system library, so `make run`
and CI need nothing from apt for it (docs/decisions/0006-pdf-documents.md). Documents are described
as data (title, sections of label/value rows, paragraphs and tables) so the code that knows the
domain never touches drawing.
"""

import io
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

BLUE = colors.HexColor("#000091")  # DSFR « bleu France »
GREY = colors.HexColor("#666666")


@dataclass
class Section:
    title: str
    rows: list[tuple[str, str]] = field(default_factory=list)  # label → value
    paragraphs: list[str] = field(default_factory=list)
    table: list[list[str]] = field(default_factory=list)  # first row: the headings


@dataclass
class Document:
    title: str
    subtitle: str = ""
    reference: str = ""  # printed on every page, e.g. the dossier number
    sections: list[Section] = field(default_factory=list)
    closing: list[str] = field(default_factory=list)  # signatures, mentions


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("title", parent=base["Title"], textColor=BLUE, fontSize=18, leading=22),
        "subtitle": ParagraphStyle("subtitle", parent=base["Normal"], textColor=GREY, alignment=1, spaceAfter=8),
        "h2": ParagraphStyle("h2", parent=base["Heading2"], textColor=BLUE, fontSize=12, spaceBefore=10),
        "body": ParagraphStyle("body", parent=base["Normal"], fontSize=9.5, leading=12.5),
        "label": ParagraphStyle("label", parent=base["Normal"], fontSize=9, leading=11.5, textColor=GREY),
        "cell": ParagraphStyle("cell", parent=base["Normal"], fontSize=8.5, leading=10.5),
    }


def _text(value: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(value or "—").replace("\n", "<br/>"), style)


def _section(section: Section, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    parts: list[Flowable] = [Paragraph(escape(section.title), styles["h2"])] if section.title else []
    if section.rows:
        rows = [[_text(label, styles["label"]), _text(value, styles["body"])] for label, value in section.rows]
        table = Table(rows, colWidths=[55 * mm, 115 * mm])
        table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]))
        parts.append(table)
    parts += [_text(p, styles["body"]) for p in section.paragraphs]
    if section.table:
        data = [[_text(cell, styles["cell"]) for cell in row] for row in section.table]
        table = Table(data, repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e3e3fd")),
                    ("GRID", (0, 0), (-1, -1), 0.3, GREY),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        parts.append(table)
    return [KeepTogether(parts[:2]), *parts[2:]]  # a heading never ends a page


def render(document: Document) -> bytes:
    """The document as PDF bytes (A4, metadata in French, reference and page number on every page)."""
    styles = _styles()
    buffer = io.BytesIO()

    def footer(canvas, doc):  # type: ignore[no-untyped-def]
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.setFillColor(GREY)
        canvas.drawString(20 * mm, 10 * mm, document.reference)
        canvas.drawRightString(190 * mm, 10 * mm, f"Page {doc.page}")
        canvas.restoreState()

    pdf = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=document.title,
        author="Parcours",
        subject=document.subtitle,
        lang="fr-FR",
    )
    story: list[Flowable] = [Paragraph(escape(document.title), styles["title"])]
    if document.subtitle:
        story.append(Paragraph(escape(document.subtitle), styles["subtitle"]))
    for section in document.sections:
        story += _section(section, styles)
    if document.closing:
        story.append(Spacer(1, 8 * mm))
        story += [_text(line, styles["body"]) for line in document.closing]
    pdf.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
