"""Add an article to ``seeds/``: a file the user has, or a web page or PDF by URL.

The article is read before it is added (``rag.formats``), so a file the product
cannot read is refused with its reason and ``seeds/`` is never left with it; an
article already there under the same name is never overwritten. A download has
a time limit and a size limit, and is written to ``seeds/`` only when complete.
"""

import http.client
import io
import ipaddress
import os
import re
import socket
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import unquote, urlparse

from rag.documents import load_document
from rag.errors import SourceError
from rag.formats import ARTICLE_SUFFIXES

DOWNLOAD_TIMEOUT_S = 20.0
# A Content-Type's article format, for a URL whose path does not say.
_TYPE_SUFFIX = {
    "text/html": ".html",
    "application/xhtml+xml": ".html",
    "application/pdf": ".pdf",
    "text/plain": ".txt",
    "text/markdown": ".md",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
}


def add_article(
    source: str, seeds_dir: Path, max_bytes: int, *, allow_local_urls: bool = False
) -> Path:
    """Copy (or download) ``source`` into ``seeds_dir`` and return its new path.

    A URL is fetched only over http(s), from a public address unless
    ``allow_local_urls`` (RAG_ALLOW_LOCAL_URLS) says this machine and its private
    network may be reached too; every redirect is checked the same way.
    """
    seeds_dir.mkdir(parents=True, exist_ok=True)
    if re.match(r"[a-z][a-z0-9+.-]*://", source, re.I):
        return _download(source, seeds_dir, max_bytes, allow_local_urls)
    path = Path(source).expanduser()
    if not path.is_file():
        raise SourceError(f"no file at {path}")
    if path.suffix.lower() not in ARTICLE_SUFFIXES:
        raise SourceError(
            f"{path.name}: not an article format - add one of {', '.join(ARTICLE_SUFFIXES)}"
        )
    with path.open("rb") as handle:
        return _place(handle, path.name, seeds_dir, max_bytes)


def add_text(text: str, seeds_dir: Path, max_bytes: int) -> Path:
    """Add pasted ``text`` as an article named after its first line ("<first line>.txt")."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if not first:
        raise SourceError("the pasted text is empty - paste the article's text")
    seeds_dir.mkdir(parents=True, exist_ok=True)
    data = io.BytesIO((text.strip() + "\n").encode("utf-8"))
    # A slash in the line is a word break here, not a folder of the name.
    name = re.sub(r"[/\\]", " ", first[:60])
    return _place(data, f"{name}.txt", seeds_dir, max_bytes)


def _place(
    stream: BinaryIO, name: str, seeds_dir: Path, max_bytes: int, deadline: float | None = None
) -> Path:
    """Write ``stream`` to ``seeds_dir/name`` if it is a readable article; refuse else.
    The copy is staged under a hidden name, which no index ever reads."""
    target = seeds_dir / _safe_name(name)
    if target.exists():
        raise SourceError(f"{target} already exists - remove it first, or rename the new article")
    fd, temp = tempfile.mkstemp(dir=seeds_dir, prefix=".adding-", suffix=target.suffix)
    try:
        with os.fdopen(fd, "wb") as out:
            copied = 0
            while chunk := stream.read(1 << 16):
                if deadline is not None and time.monotonic() > deadline:
                    raise SourceError(
                        f"{name}: the download took over {DOWNLOAD_TIMEOUT_S:.0f} s - try again"
                        " or save the page and add the file"
                    )
                copied += len(chunk)
                if copied > max_bytes:
                    raise SourceError(
                        f"{name} is over {max_bytes / 1e6:.1f} MB (RAG_MAX_ARTICLE_MB)"
                        " - split it or raise the limit"
                    )
                out.write(chunk)
        staged = Path(temp)
        try:
            load_document(staged, seeds_dir, max_bytes)  # refuses what cannot be read
        except SourceError as exc:
            message = str(exc).replace(str(staged), name).replace(staged.name, name)
            raise SourceError(message) from None
        umask = os.umask(0)
        os.umask(umask)
        staged.chmod(0o666 & ~umask)  # mkstemp's 0600 would hide it from other users
        os.replace(staged, target)
    finally:
        Path(temp).unlink(missing_ok=True)
    return target


def _safe_name(name: str) -> str:
    """A file name without directories or characters a shell or Windows trips on.

    >>> _safe_name("../My Report (final).PDF")
    'My-Report-final.PDF'
    """
    stem, suffix = os.path.splitext(os.path.basename(name))
    stem = re.sub(r"[^\w.-]+", "-", stem).strip("-.") or "article"
    return stem[:80] + suffix


# Redirects followed at most: a loop or a long chain is refused, not chased.
MAX_REDIRECTS = 5


def check_url(url: str, allow_local: bool) -> None:
    """Refuse a URL that is not http(s), or whose host is this machine or a private
    network (loopback, private, link-local, reserved) unless ``allow_local``.

    >>> check_url("file:///etc/passwd", False)
    Traceback (most recent call last):
    rag.errors.SourceError: file:///etc/passwd: only http and https URLs can be added
    """
    parts = urlparse(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise SourceError(f"{url}: only http and https URLs can be added")
    if not allow_local:
        _public_addresses(parts.hostname, parts.port or 443, url)


def _public_addresses(host: str, port: int, url: str) -> list[tuple[int, tuple]]:
    """(family, address) of each of ``host``'s addresses, all public, else SourceError."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise SourceError(f"cannot download {url}: {exc}") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if not address.is_global:
            raise SourceError(
                f"{url} is on this machine or a private network ({address}) - set"
                " RAG_ALLOW_LOCAL_URLS=1 to allow it"
            )
    return [(info[0], info[4]) for info in infos]


def _connect_public(
    address: tuple[str, int], timeout: float | None = None, source_address: object = None
) -> socket.socket:
    """``socket.create_connection`` to a public address only. The addresses are checked
    as they are connected to, so a name that resolves to a public address for
    ``check_url`` and to a private one a moment later (DNS rebinding) is refused."""
    host, port = address
    last: OSError | None = None
    for family, sockaddr in _public_addresses(host, port, f"{host}:{port}"):
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            if timeout is not None:
                sock.settimeout(timeout)
            sock.connect(sockaddr)
            return sock
        except OSError as exc:
            sock.close()
            last = exc
    raise last or OSError(f"no address for {host}")


class _PublicHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _connect_public


class _PublicHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _connect_public


class _PublicHTTP(urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(_PublicHTTPConnection, req)


class _PublicHTTPS(urllib.request.HTTPSHandler):
    def https_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(_PublicHTTPSConnection, req, context=self._context)


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    """Follows at most ``MAX_REDIRECTS`` redirects, each to a URL ``check_url`` allows."""

    max_redirections = MAX_REDIRECTS

    def __init__(self, allow_local: bool) -> None:
        self.allow_local = allow_local

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001, ANN201, PLR0913
        check_url(newurl, self.allow_local)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _download(url: str, seeds_dir: Path, max_bytes: int, allow_local: bool) -> Path:
    check_url(url, allow_local)
    deadline = time.monotonic() + DOWNLOAD_TIMEOUT_S
    request = urllib.request.Request(url, headers={"User-Agent": "rag-article-assistant"})
    handlers: list[urllib.request.BaseHandler] = [_CheckedRedirects(allow_local)]
    if not allow_local and not urllib.request.getproxies():
        # Behind a proxy the connection is to the proxy; the check above is what holds.
        handlers += [_PublicHTTP(), _PublicHTTPS()]
    opener = urllib.request.build_opener(*handlers)
    try:
        with opener.open(request, timeout=DOWNLOAD_TIMEOUT_S) as response:
            kind = response.headers.get_content_type()
            name = unquote(Path(urlparse(response.geturl()).path).name)
            if Path(name).suffix.lower() not in ARTICLE_SUFFIXES:
                suffix = _TYPE_SUFFIX.get(kind)
                if suffix is None:
                    raise SourceError(f"{url} is {kind}, not an article format")
                name = (Path(name).stem or urlparse(response.geturl()).hostname or "page") + suffix
            return _place(response, name, seeds_dir, max_bytes, deadline)
    except SourceError:
        raise
    except urllib.error.HTTPError as exc:
        raise SourceError(f"cannot download {url}: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise SourceError(f"cannot download {url}: {reason}") from None
