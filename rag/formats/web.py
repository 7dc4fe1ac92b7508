"""A saved web page: its article's text by trafilatura, without navigation, ads or
boilerplate (measured against readability-lxml: docs/formats.md)."""

from rag.errors import SourceError
from rag.formats import Extracted
from rag.formats.blocks import assemble, collapse


def read(data: bytes, name: str) -> Extracted:
    """The page's main text, its headings kept as headings, lists and tables as lines."""
    import trafilatura
    from lxml import etree

    xml = trafilatura.extract(
        data,
        output_format="xml",
        with_metadata=True,
        include_tables=True,
        include_comments=False,
        include_images=False,
        include_links=False,
    )
    if not xml:
        raise SourceError(f"{name}: found no article text in this page")
    root = etree.fromstring(xml.encode("utf-8"))
    blocks: list[tuple[str, bool]] = []
    for element in root.iterfind("main/*"):
        tag = element.tag
        if tag == "head":
            blocks.append((collapse("".join(element.itertext())), True))
        elif tag == "list":
            blocks += [
                (f"• {collapse(''.join(i.itertext()))}", False) for i in element.iter("item")
            ]
        elif tag == "table":
            for row in element.iter("row"):
                cells = [collapse("".join(c.itertext())) for c in row.iter("cell")]
                blocks.append((" | ".join(c for c in cells if c), False))
        elif tag == "code":
            blocks.append(("".join(element.itertext()).strip("\n"), False))
        else:
            blocks.append((collapse("".join(element.itertext())), False))
    return assemble(
        blocks,
        title=root.get("title") or "",
        byline=root.get("author") or "",
        date=root.get("date") or "",
    )
