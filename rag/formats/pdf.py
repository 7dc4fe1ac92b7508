"""A PDF's text layer, by pypdf (pure Python, BSD; measured in docs/formats.md).

Lines come as the PDF sets them: ``rag.layout`` reads wrapped lines as one
paragraph. A page break is a paragraph break.
"""

import io
import logging

from rag.errors import SourceError
from rag.formats import Extracted


def read(data: bytes, name: str) -> Extracted:
    """The text of every page; SourceError when the PDF has no text layer (scanned)."""
    from pypdf import PdfReader

    # pypdf logs each repair it makes to a broken file; the one error below says it.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise SourceError(f"{name} is password-protected - save an unprotected copy")
        pages = [(page.extract_text() or "").strip() for page in reader.pages]
        meta = reader.metadata
    except SourceError:
        raise
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds on a broken file
        raise SourceError(f"{name}: cannot read this PDF ({exc})") from None
    text = "\n\n".join(p for p in pages if p)
    if not text.strip():
        raise SourceError(
            f"{name} has no text layer (a scanned PDF?) - run OCR on it or add its text"
            " as a .txt file"
        )
    title = (meta.title or "").strip() if meta else ""
    author = (meta.author or "").strip() if meta else ""
    return Extracted(text, title=title, byline=author)
