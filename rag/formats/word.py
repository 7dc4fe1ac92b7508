"""A Word (.docx) file's paragraphs, headings and tables, by python-docx."""

import io

from rag.errors import SourceError
from rag.formats import Extracted
from rag.formats.blocks import assemble, collapse


def read(data: bytes, name: str) -> Extracted:
    """Paragraphs in document order; "Heading" and "Title" styles are headings."""
    import docx
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - a broken zip or XML, whichever it is
        raise SourceError(f"{name}: cannot read this Word file ({exc})") from None
    props = document.core_properties
    title = (props.title or "").strip()
    blocks: list[tuple[str, bool]] = []
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            for row in item.rows:
                cells = [collapse(c.text) for c in row.cells]
                blocks.append((" | ".join(dict.fromkeys(c for c in cells if c)), False))
            continue
        text = collapse(item.text)
        style = item.style.name if item.style is not None else ""
        if style == "Title" and not title:
            title = text
            continue
        blocks.append((text, style.startswith("Heading") or style == "Title"))
    # The file's creation date is not when the article appeared: no date is read.
    author = (props.author or "").strip()
    # python-docx stamps files it makes with its own name as the author.
    return assemble(blocks, title=title, byline="" if author == "python-docx" else author)
