"""Each container reader on a small synthetic file built in the documented layout."""

from __future__ import annotations

import gzip

import numpy as np
import pytest
from prepare_fixtures import (
    audio_bytes,
    drascula_dat,
    queen_container,
    queen_dog,
    rnc_pack,
    sky_files,
    tone,
    write,
    zip_bytes,
)

from asr.prepare.readers import (
    asterisk,
    decode_unsigned_8bit,
    drascula,
    hedgewars,
    ktuberling,
    queen,
    rnc,
    sky,
    warzone,
)


def test_drascula_dat_tables_and_clips(tmp_path):
    tables = {
        "text": ["", "THAT'S THE SECOND BIGGEST DOOR", "NOT REALLY"],
        "textd": ["", "HEY IGOR, HOW IS EVERYTHING GOING?"],
        "textvb": ["", "WHO THE HELL IS CALLING?"],
    }
    data = drascula_dat(tables)
    parsed = drascula.parse_dat(data)
    assert parsed["text"] == tables["text"]
    assert parsed["textd"][1] == "HEY IGOR, HOW IS EVERYTHING GOING?"
    assert drascula.parse_dat(data, language=1)["text"][2] == "otro"
    with pytest.raises(drascula.DatError):
        drascula.parse_dat(b"NOTDRASC" + data[8:])

    folder = tmp_path / drascula.DEFAULT_DIR
    write(folder / "drascula.dat", data)
    pcm = np.full(11025, 128, np.uint8) + (40 * np.sin(np.arange(11025) / 5)).astype(np.int8)
    for name in ("1.ALS", "2.ALS", "D1.ALS", "VB1.ALS", "S1.ALS", "1.ALG"):
        write(folder / name, pcm.astype(np.uint8).tobytes())
    clips = {c.clip_id: c for c in drascula.iter_clips(tmp_path)}
    assert set(clips) == {"H001", "H002", "D001", "VB001"}  # S = sound effects, ALG = image
    assert clips["H002"].text == "NOT REALLY" and clips["H002"].speaker == "drascula:john"
    assert clips["VB001"].speaker == "drascula:von-braun"
    assert clips["D001"].speaker_known is False  # Drascula and the blind man share D
    samples, rate = clips["H001"].load()
    assert rate == 11025 and samples.dtype == np.float32 and len(samples) == 11025
    assert abs(float(samples.mean())) < 0.05 and float(np.abs(samples).max()) <= 1.0


def test_decode_unsigned_8_bit():  # drascula .ALS and sky speech
    assert decode_unsigned_8bit(bytes([0, 128, 255])).tolist() == [-1.0, 0.0, 127 / 128]


def test_queen_segments():
    assert queen.split_segments("Hello.*02") == ["Hello."]
    assert queen.split_segments("Ummm....*06Hi, I'm Joe King.*03") == [
        "Ummm....",
        "Hi, I'm Joe King.",
    ]
    assert queen.split_segments("*01*01Ooop oop!") == ["", "", "Ooop oop!"]
    assert queen.split_segments("Go*XY00(237,112)there") == ["Go", "there"]


def test_queen_container_and_dog_pairing(tmp_path):
    dog = queen_dog(
        talk_key=2,
        joe=[(0, "Hi.*03Who are you?"), (6, "At least I don't look like I need one.")],
        person=[(1, "You couldn't pilot*02your way out of a paper bag."), (0x1E, "Run!")],
        second=("Back again?", "Yes."),
    )
    voices = queen.parse_dog(dog)
    assert voices["02SSSSJ1"] == ("J", "Hi.")
    assert voices["02SSSSJ2"] == ("J", "Who are you?")
    assert voices["020006J1"] == ("J", "At least I don't look like I need one.")
    assert voices["020001P2"] == ("P", "your way out of a paper bag.")
    assert voices["02001EP1"] == ("P", "Run!")
    assert voices["02XXXXP1"] == ("P", "Back again?")
    assert voices["02XXXXJ1"] == ("J", "Yes.")

    speech = audio_bytes(tone(0.8, 11025), 11025)
    data = queen_container(
        {"AND1.DOG": dog, "020001P2.SB": speech, "020006J1.SB": speech, "C12A_001.SB": speech,
         "JOE00012.SB": speech, "ROOM1.PCX": b"\0" * 10}
    )  # fmt: skip
    version, entries = queen.parse_table(data)
    assert version == "CEM10" and [e.name for e in entries][:2] == ["AND1.DOG", "020001P2.SB"]
    write(tmp_path / queen.DEFAULT_FILE, data)
    clips = {c.clip_id: c for c in queen.iter_clips(tmp_path)}
    assert set(clips) == {"020001P2", "020006J1", "C12A_001", "JOE00012"}
    assert clips["020001P2"].text == "your way out of a paper bag."
    assert clips["020001P2"].speaker == "queen:and"
    assert clips["020006J1"].speaker == "queen:joe"
    assert clips["C12A_001"].text == "" and clips["C12A_001"].speaker_known is False
    samples, rate = clips["JOE00012"].load()
    assert rate == 11025 and abs(len(samples) - int(0.8 * 11025)) < 10
    with pytest.raises(queen.QueenError):
        queen.parse_table(b"XXXX" + data[4:])


def test_queen_joe_lines_from_jas():
    import struct

    # 2 rooms, 1 name, 5 objects, 3 descriptions; then 12 fixed lines, then Joe's responses.
    jas = b"AmBk" + b"\0" * 16 + struct.pack(">HHHH", 2, 1, 5, 3)
    lines = ["Neat*02", "A bone!*24Gross.", "Wheels*03", "NAME", "ROOM1", "ROOM2"]
    lines += [f"verb{i}" for i in range(12)] + ["It doesn't open*03", "No way"]
    voices = queen.parse_joe_lines(jas, "\r\n".join(lines).encode())
    assert voices["JOE00411"] == "Neat"
    assert voices["JOE00421"] == "A bone!" and voices["JOE00422"] == "Gross."
    assert voices["JOE00011"] == "It doesn't open" and voices["JOE00021"] == "No way"
    assert "JOE00031" not in voices


def test_asterisk_prompt_list(tmp_path):
    listing = (
        "; Core Asterisk Sounds in English\n\n"
        "activated: Activated.\n"
        "beep: [this is a simple beep tone]\n"
        "digits/10: ten\n"
        "conf-x: Please hold [pause] on.\n"
        "help: press * to pause, # to stop\n"
        "missing-file: Never extracted.\n"
    )
    prompts = asterisk.parse_prompt_list(listing)
    assert prompts == {
        "activated": "Activated.",
        "digits/10": "ten",
        "conf-x": "Please hold on.",
        "help": "press star to pause, pound to stop",
        "missing-file": "Never extracted.",
    }
    write(tmp_path / asterisk.PROMPT_LIST, gzip.compress(listing.encode()))
    for name in ("activated", "digits/10", "beep", "conf-x"):
        write(tmp_path / asterisk.SOUND_DIR / f"{name}.wav", audio_bytes(tone(0.5, 8000), 8000))
    clips = {c.clip_id: c for c in asterisk.iter_clips(tmp_path)}
    assert set(clips) == {"activated", "digits__10", "conf-x"}
    assert clips["digits__10"].text_kind == "prompt-list"
    assert clips["activated"].load()[1] == 8000


def test_hedgewars_file_names(tmp_path):
    assert hedgewars.phrase_of("Leavemealone") == "leave me alone"
    assert hedgewars.phrase_of("Youllregretthat") == "you'll regret that"
    assert hedgewars.phrase_of("Ooff2") == "" and hedgewars.phrase_of("Laugh") == ""
    assert hedgewars.phrase_of("Unknownthing") == ""
    assert hedgewars.is_english_pack("Pirate") and not hedgewars.is_english_pack("Default_ru")
    ogg = audio_bytes(tone(0.6, 22050), 22050, "OGG")
    for name in (
        "Pirate/Hello.ogg",
        "Pirate/Ooff1.ogg",
        "Default_ru/Hello.ogg",
        "Russian/Hello.ogg",
    ):
        write(tmp_path / hedgewars.VOICE_DIR / name, ogg)
    clips = list(hedgewars.iter_clips(tmp_path))
    assert [(c.clip_id, c.text, c.speaker) for c in clips] == [
        ("Pirate__Hello", "hello", "hedgewars:pirate")
    ]
    samples, rate = clips[0].load()
    assert rate == 22050 and len(samples) > 0


def test_ktuberling_words(tmp_path):
    assert ktuberling.word_of("egypt_camel") == "camel" and ktuberling.word_of("ball") == "ball"
    write(
        tmp_path / ktuberling.SOUND_DIR / "moon_rocket.ogg",
        audio_bytes(tone(0.5, 16000), 16000, "OGG"),
    )
    assert [c.text for c in ktuberling.iter_clips(tmp_path)] == ["rocket"]


def test_warzone_archive_and_tutorial_text(tmp_path):
    script = (
        "consoleVar = [\n"
        '  {"audio": "tut1.ogg", "clear": false,\n'
        '   "message": _("Oil resources are key"), "state": 0},\n'
        '  {"audio": "tut2.ogg", "message": _("Say \\"hello\\" to the truck")},\n'
        "]\n"
    )
    assert warzone.parse_tutorial(script) == {
        "tut1.ogg": "Oil resources are key",
        "tut2.ogg": 'Say "hello" to the truck',
    }
    ogg = audio_bytes(tone(0.7, 11025), 11025, "OGG")
    archive = zip_bytes(
        {"script/tutorial.js": script.encode(), "audio/tutorial/tut1.ogg": ogg,
         "audio/tutorial/tut9.ogg": ogg, "audio/memressp/research/res1.ogg": ogg,
         "audio/sfx/weapons/boom.ogg": ogg}
    )  # fmt: skip
    write(tmp_path / warzone.ARCHIVE, archive)
    clips = {c.clip_id: c for c in warzone.iter_clips(tmp_path)}
    assert set(clips) == {
        "audio__tutorial__tut1", "audio__tutorial__tut9", "audio__memressp__research__res1"
    }  # fmt: skip
    assert clips["audio__tutorial__tut1"].text == "Oil resources are key"
    assert clips["audio__tutorial__tut9"].text == ""
    assert clips["audio__memressp__research__res1"].speaker == "warzone:memressp-research"
    assert clips["audio__tutorial__tut1"].load()[1] == 11025


def test_rnc_unpacks_literals_and_overlapping_matches():
    packed = rnc_pack([(b"abc", (3, 6)), (b"XY", (1, 4)), (b"", (8, 2)), (b"!", None)])
    assert rnc.unpack(packed) == b"abcabcabcXYYYYYbc!"
    corrupt = bytearray(packed)
    corrupt[-1] ^= 0xFF
    with pytest.raises(rnc.RncError, match="CRC"):
        rnc.unpack(bytes(corrupt))
    with pytest.raises(rnc.RncError, match="not RNC"):
        rnc.unpack(b"PK\x03\x04" + packed[4:])


def test_sky_speech_files_plain_and_packed(tmp_path):
    """Files 50000-59999 are speech (unsigned 8-bit, 11,025 Hz), packed or not; others (sound
    effects from 60000) are skipped; the clips have no own text and one mixed cast."""
    pcm = bytes([128, 192, 64, 128])
    steps = [(bytes([128, 160]), (2, 6)), (bytes([96]), None)]
    dnr, dsk = sky_files({50001: pcm, 60300: bytes(8)}, {50002: steps})
    write(tmp_path / sky.GAME_DIR / "sky.dnr", dnr)
    write(tmp_path / sky.GAME_DIR / "sky.dsk", dsk)
    clips = list(sky.iter_clips(tmp_path))
    assert [c.clip_id for c in clips] == ["speech_50001", "speech_50002"]
    assert {(c.text, c.speaker, c.speaker_known) for c in clips} == {("", "sky:cast", False)}
    samples, rate = clips[0].load()
    assert rate == 11025 and samples.tolist() == [0.0, 0.5, -0.5, 0.0]
    samples, _ = clips[1].load()
    assert (samples * 128 + 128).astype(int).tolist() == [128, 160] * 4 + [96]
