"""Builders of hostile email bytes for the parser's fuzz and cap tests (cheap to build)."""

from __future__ import annotations

HEAD = b"From: Maison Aurelle <service@maison-aurelle.com>\r\nTo: a@example.org\r\n"


def nested(depth: int, *, message_rfc822: bool = False) -> bytes:
    """``depth`` containers inside each other, each with its own boundary."""
    if message_rfc822:
        return HEAD + b"Content-Type: message/rfc822\r\n\r\n" * depth + b"Subject: x\r\n\r\nbody"
    out = [HEAD, b'Content-Type: multipart/mixed; boundary="b0"\r\n\r\n']
    for level in range(1, depth):
        out.append(
            b'--b%d\r\nContent-Type: multipart/mixed; boundary="b%d"\r\n\r\n' % (level - 1, level)
        )
    out.append(b"--b%d\r\nContent-Type: text/plain\r\n\r\ndeep\r\n" % max(0, depth - 1))
    return b"".join(out)


def many_parts(count: int) -> bytes:
    part = b"--p\r\nContent-Type: text/plain\r\n\r\nx\r\n"
    return (
        HEAD + b'Content-Type: multipart/mixed; boundary="p"\r\n\r\n' + part * count + b"--p--\r\n"
    )


def big_header(size: int) -> bytes:
    return HEAD + b"Subject: " + b"A" * size + b"\r\n\r\nbody\r\n"


def quadratic_params(count: int) -> bytes:
    """A Content-Type whose parameters make ``email``'s parameter parser quadratic."""
    return HEAD + b'Content-Type: text/plain; a="' + b';"' * count + b"\r\n\r\nbody\r\n"


def after_boundary(hidden_html: bytes) -> bytes:
    """A multipart whose closing boundary is followed by one more, hidden, part."""
    return (
        HEAD
        + b'Content-Type: multipart/alternative; boundary="z"\r\n\r\n'
        + b"--z\r\nContent-Type: text/plain\r\n\r\nNothing to see.\r\n--z--\r\n"
        + b"--z\r\nContent-Type: text/html\r\n\r\n"
        + hidden_html
        + b"\r\n--z--\r\n"
    )


def assemble(
    *,
    depth: int,
    parts: int,
    header_size: int,
    charset: bytes,
    encoding: bytes,
    nul_every: int,
    tail: bytes,
    from_value: bytes,
    body: bytes,
    reuse_boundary: bool = False,
) -> bytes:
    """One hostile message mixing every trick, sized by the arguments."""

    def boundary(level: int) -> bytes:
        return b"o" if reuse_boundary else b"n%d" % level

    out = [
        b"From: " + from_value + b"\r\n",
        b"From: second@rnaison-aurelle.com\r\n" if nul_every % 3 == 0 else b"",
        b"Subject: =?" + charset + b"?B?" + b"SGVsbG8NCkJjYzogeEBldmlsLmNvbQ==" + b"?=\r\n",
        b"X-Padding: " + b"p" * header_size + b"\r\n" if header_size else b"",
        b'Content-Type: multipart/mixed; boundary="' + boundary(0) + b'"\r\n\r\n',
    ]
    for level in range(1, depth + 1):
        kind = (
            b"message/rfc822"
            if level % 7 == 0
            else b'multipart/mixed; boundary="%s"' % boundary(level)
        )
        out.append(b"--" + boundary(level - 1) + b"\r\nContent-Type: " + kind + b"\r\n\r\n")
        if level % 7 == 0:
            out.append(
                b'Content-Type: multipart/mixed; boundary="' + boundary(level) + b'"\r\n\r\n'
            )
    inner = boundary(depth)
    leaf = (
        b"--" + inner + b'\r\nContent-Type: text/html; charset="' + charset + b'"\r\n'
        b"Content-Transfer-Encoding: " + encoding + b"\r\n\r\n" + body + b"\r\n"
    )
    out.append(leaf * parts)
    out.append(b"--" + inner + b"--\r\n" + tail)
    data = b"".join(out)
    if nul_every and len(data) <= 65_536:
        data = b"\x00".join(data[i : i + nul_every] for i in range(0, len(data), nul_every))
    elif nul_every:
        step = len(data) // 16 + 1
        data = b"\x00".join(data[i : i + step] for i in range(0, len(data), step))
    return data
