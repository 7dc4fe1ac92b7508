"""Bytes to text: UTF-8 as stored, else the encoding charset-normalizer finds."""

from rag.errors import SourceError
from rag.formats import Extracted


def read(data: bytes, name: str) -> Extracted:
    """A text file, as stored."""
    return Extracted(decode(data, name))


def decode(data: bytes, name: str) -> str:
    """``data`` as text, line endings kept as stored (offsets are into this text).

    >>> decode("Der Bürgermeister sagte: “Die Straße ist offen.”".encode("cp1252"), "a.txt")
    'Der Bürgermeister sagte: “Die Straße ist offen.”'
    """
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SourceError(f"{name} is not a text file (it holds NUL bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    # The guess whose text reads as a language: with a few Windows-1252 dashes in
    # English, multi-byte Asian encodings also decode (each dash and the letter after
    # it as one character) with no errors, but their text is no language.
    guesses = list(from_bytes(data))
    if not guesses:
        raise SourceError(f"{name}: cannot tell its text encoding - save it as UTF-8")
    # charset-normalizer orders its guesses by how little they garble.
    return str(next((g for g in guesses if g.coherence > 0), guesses[0]))
