"""Small PDF helpers for the tests (poppler's command-line tools, plus a ToUnicode CMap reader)."""
from __future__ import annotations

import re
import subprocess
import zlib
from functools import cache
from pathlib import Path

# A stream's data runs to "endstream"; the end-of-line before it is not part of the data, but it
# cannot be told apart from a data byte that happens to be \r or \n, so nothing is stripped here:
# inflate() stops at the end of the compressed data and ignores what follows.
STREAM_RE = re.compile(rb"stream\r?\n(.*?)endstream", re.S)


def inflate(data: bytes) -> bytes:
    """Decompress a Flate stream, ignoring bytes after its end (raises zlib.error if not Flate)."""
    return zlib.decompressobj().decompress(data)
BFCHAR_RE = re.compile(rb"beginbfchar(.*?)endbfchar", re.S)
BFRANGE_RE = re.compile(rb"beginbfrange(.*?)endbfrange", re.S)
HEX_RE = re.compile(rb"<([0-9A-Fa-f]+)>")


def pdftotext(pdf: Path, last_page: int | None = None) -> str:
    pages = ["-l", str(last_page)] if last_page else []
    return subprocess.run(["pdftotext", "-enc", "UTF-8", *pages, str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout


def pdfinfo(pdf: Path) -> dict[str, str]:
    """pdfinfo's fields (Title, Author, Subject, Keywords, Pages, ...)."""
    out = subprocess.run(["pdfinfo", "-enc", "UTF-8", str(pdf)], check=True, capture_output=True,
                         text=True).stdout
    return {key.strip(): value.strip() for key, _, value in
            (line.partition(":") for line in out.splitlines()) if key}


def pdf_lang(pdf: Path) -> str | None:
    """The document language (/Lang of the catalog, hyperref's pdflang), which pdfinfo does not
    print: looked for in the file and in its compressed object streams."""
    data = pdf.read_bytes()
    for chunk in [data] + [m.group(1) for m in STREAM_RE.finditer(data)]:
        if chunk is not data:
            try:
                chunk = inflate(chunk)
            except zlib.error:
                continue
        m = re.search(rb"/Lang\s*\(([^)]*)\)", chunk)
        if m:
            return m.group(1).decode("ascii", "replace")
    return None


def pdffonts(pdf: Path) -> list[dict]:
    out = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True).stdout
    fonts = []
    for line in out.splitlines()[2:]:
        # name type... encoding emb sub uni object ID
        parts = line.split()
        fonts.append({"name": parts[0], "emb": parts[-5], "line": line})
    return fonts


def pdf_pages(pdf: Path) -> int:
    out = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", out, re.M).group(1))


def tounicode_maps(pdf: Path) -> list[dict[int, str]]:
    """Every ToUnicode CMap of the PDF: {glyph code (a CID for Identity-H fonts): text}."""
    maps = []
    for m in STREAM_RE.finditer(pdf.read_bytes()):
        try:
            data = inflate(m.group(1))
        except zlib.error:
            continue
        if b"begincmap" not in data:
            continue
        cmap: dict[int, str] = {}
        for block in BFCHAR_RE.findall(data):
            hexes = HEX_RE.findall(block)
            for code, uni in zip(hexes[0::2], hexes[1::2]):
                cmap[int(code, 16)] = bytes.fromhex(uni.decode()).decode("utf-16-be", "replace")
        for block in BFRANGE_RE.findall(data):
            for line in block.strip().splitlines():
                hexes = HEX_RE.findall(line)
                if len(hexes) == 3 and b"[" not in line:
                    lo, hi, start = (int(h, 16) for h in hexes)
                    for i in range(hi - lo + 1):
                        cmap[lo + i] = chr(start + i) if start + i < 0x110000 else "?"
        maps.append(cmap)
    return maps


@cache
def face_cids(ttc: str, index: int) -> dict[str, int]:
    """{character: CID} of one face of an OpenType collection of CID-keyed CFF fonts."""
    from fontTools.ttLib import TTFont
    font = TTFont(ttc, fontNumber=index, lazy=True)
    return {chr(u): int(name[3:]) for u, name in font.getBestCmap().items()
            if name.startswith("cid")}


def face_name(ttc: str, index: int) -> str:
    from fontTools.ttLib import TTFont
    return TTFont(ttc, fontNumber=index, lazy=True)["name"].getDebugName(6)


def is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef"
