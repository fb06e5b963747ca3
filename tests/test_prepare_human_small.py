"""The readers of the small `asr prepare human` sources, each on a tiny fake package tree."""

from __future__ import annotations

import zipfile

import numpy as np
from prepare_fixtures import audio_bytes, tone, write

from asr.prepare.readers import (
    boswars,
    codec2,
    kajongg,
    klettres,
    megaglest,
    neverball,
    openarena,
    pingus,
    qabcs,
    redeclipse,
    saytime,
    tuxpaint,
)


def ogg(seconds=0.5, rate=22050, freq=300.0) -> bytes:
    return audio_bytes(tone(seconds, rate, freq), rate, "OGG")


def wav(seconds=0.5, rate=22050, freq=300.0) -> bytes:
    return audio_bytes(tone(seconds, rate, freq), rate)


def table(clips) -> list[tuple]:
    return [(c.clip_id, c.text, c.speaker, c.text_kind, c.speaker_known) for c in clips]


def test_kajongg_english_voices_and_tile_words(tmp_path):
    voices = tmp_path / kajongg.VOICE_DIR
    for name in ("s1", "b7", "db", "we", "nochoice", "s1a"):
        write(voices / "male1" / f"{name}.ogg", ogg())
    write(voices / "de" / "female1" / "s1.ogg", ogg())  # German: skipped
    write(voices / "notes" / "readme.ogg", ogg())  # no s1.ogg: not a voice
    clips = list(kajongg.iter_clips(tmp_path))
    assert table(clips) == [
        ("male1__b7", "bamboo seven", "kajongg:male1", "filename", True),
        ("male1__db", "blue dragon", "kajongg:male1", "filename", True),
        ("male1__nochoice", "no choice", "kajongg:male1", "filename", True),
        ("male1__s1", "circle one", "kajongg:male1", "filename", True),
        ("male1__we", "east", "kajongg:male1", "filename", True),
    ]
    samples, rate = clips[0].load()
    assert rate == 22050 and samples.dtype == np.float32


def test_klettres_letters_and_words_from_sounds_xml(tmp_path):
    base = tmp_path / klettres.DATA_DIR
    xml = """<klettres><language code="en"><alphabet>
      <sound name="A" file="en/alpha/A.ogg" /><sound name="H" file="en/alpha/H.ogg" />
      </alphabet><syllables><sound name="CAR" file="en/syllab/car.ogg" />
      <sound name="TH" file="en/syllab/th.ogg" /><sound name="ME" file="en/syllab/me.ogg" />
      </syllables></language></klettres>"""
    write(base / "en" / "sounds.xml", xml.encode())
    for name in ("alpha/A", "alpha/H", "syllab/car", "syllab/th"):  # no me.ogg
        write(base / "en" / f"{name}.ogg", ogg())
    write(base / "fr" / "sounds.xml", xml.replace("en/", "fr/").encode())
    write(base / "fr" / "alpha" / "A.ogg", ogg())  # not English
    assert table(klettres.iter_clips(tmp_path)) == [
        ("en__letter__a", "a", "klettres:en", "filename", True),
        ("en__letter__h", "h", "klettres:en", "filename", True),
        ("en__word__car", "car", "klettres:en", "filename", True),
    ]


def test_qabcs_letters_and_words_from_file_names(tmp_path):
    base = tmp_path / qabcs.ABC_DIR
    for rel in ("en/sounds/alpha/b.ogg", "en/sounds/words/hot_dog.ogg",
                "en/sounds/words/x-ray.ogg", "en_gb/sounds/alpha/z.ogg",
                "de/sounds/alpha/a.ogg"):  # fmt: skip
        write(base / rel, ogg())
    assert table(qabcs.iter_clips(tmp_path)) == [
        ("en__alpha__b", "b", "qabcs:en", "filename", True),
        ("en__words__hot_dog", "hot dog", "qabcs:en", "filename", True),
        ("en__words__x-ray", "x ray", "qabcs:en", "filename", True),
        ("en_gb__alpha__z", "z", "qabcs:en-gb", "filename", True),
    ]


def test_tuxpaint_desc_clips_say_the_stamp_name(tmp_path):
    base = tmp_path / tuxpaint.STAMP_DIR / "animals"
    for rel in ("mammals/wildboar_desc.ogg", "mammals/wildboar_desc_fr.ogg",
                "mammals/wildboar.ogg", "birds/owl_desc.ogg"):  # fmt: skip
        write(base / rel, ogg())
    write(base / "mammals" / "wildboar.txt", b"Two wild boars.\nfr.utf8=Deux sangliers.\n")
    assert table(tuxpaint.iter_clips(tmp_path)) == [
        ("animals__birds__owl_desc", "owl", "tuxpaint:stamps", "filename", False),
        ("animals__mammals__wildboar_desc", "wild boar", "tuxpaint:stamps", "filename", False),
    ]


def test_boswars_tutorial_messages_and_announcer(tmp_path):
    game = tmp_path / boswars.GAME_DIR
    tutorial = game / boswars.TUTORIAL
    write(
        tutorial / "campaign.lua",
        b"""campaign_steps = {
  CreateMapStep("campaigns/tutorial/level01.smp",
    {"Investigate base E418."},
    "-- Incoming transmission from Central Command: --\\n\\n"..
    "We need you to go "..
    "investigate.\\n\\n"..
    "-- End transmission --",
    "campaigns/tutorial/level01.wav"),
}""",
    )
    write(
        tutorial / "level01.sms",
        b"""AddTrigger(
  function()
    AddMessage("-- Incoming transmission from Central Command: --")
    AddMessage("Nice work.")
    AddMessage("-- End transmission --")
    Play("level01-03.wav")
  end)
AddTrigger(function() AddMessage("You must first locate the base.") end)""",
    )
    for name in ("level01.wav", "level01-03.wav"):
        write(tutorial / name, wav(2.0))
    for rel in ("nukeplant/power.plant.underattack.wav", "medic/medic_select.wav",
                "medic/medic_die.wav", "nukeplant/sfx_pplnt.select.wav"):  # fmt: skip
        write(game / "units" / rel, wav())
    assert table(boswars.iter_clips(tmp_path)) == [
        ("tutorial__level01-03", "Incoming transmission from Central Command. Nice work.",
         "boswars:command", "game-text", True),
        ("tutorial__level01", "Incoming transmission from Central Command. "
         "We need you to go investigate.", "boswars:command", "game-text", True),
        ("medic__medic_select", "", "boswars:medic", "", False),
        ("nukeplant__power.plant.underattack", "power plant under attack", "boswars:announcer",
         "filename", True),
    ]  # fmt: skip


def test_redeclipse_announcer_and_taunts(tmp_path):
    sounds = tmp_path / redeclipse.SOUND_DIR
    for rel in ("announcer/firstblood.ogg", "announcer/multikill2.ogg", "voice/niceshot2.ogg",
                "voice/haha.ogg", "player/pain.ogg"):  # fmt: skip
        write(sounds / rel, ogg())
    assert table(redeclipse.iter_clips(tmp_path)) == [
        ("announcer__firstblood", "first blood", "redeclipse:announcer", "filename", True),
        ("announcer__multikill2", "", "redeclipse:announcer", "", True),
        ("voice__niceshot2", "nice shot", "redeclipse:voice", "filename", True),
    ]


def test_openarena_rott_lines_from_the_voice_script(tmp_path):
    pak = tmp_path / openarena.PAK
    pak.parent.mkdir(parents=True)
    script = 'male\nyes\n{\n\tsound\\voices\\rott\\yes.ogg\t"Yes."\n}\n'
    with zipfile.ZipFile(pak, "w") as archive:
        archive.writestr("scripts/male1.voice", script)
        archive.writestr("sound/voices/rott/yes.ogg", ogg(rate=16000))
        archive.writestr("sound/voices/rott/rogerthat.ogg", ogg(rate=16000))
        archive.writestr("sound/voices/rott/credit", "RottKing")
        archive.writestr("sound/voices/festivoxmale/yes.ogg", ogg())  # synthetic voice
    clips = list(openarena.iter_clips(tmp_path))
    assert table(clips) == [
        ("rogerthat", "roger that", "openarena:rott", "filename", True),
        ("yes", "Yes.", "openarena:rott", "game-text", True),
    ]
    samples, rate = clips[1].load()
    assert rate == 16000 and len(samples) == 8000


def test_saytime_mulaw_words(tmp_path):
    folder = tmp_path / saytime.SOUND_DIR
    # mu-law: 0xFF and 0x7F are zero; 0x80 is the largest positive value, 0x00 the negative.
    write(folder / "13.au", bytes([0xFF, 0x80, 0x00, 0x7F]))
    for name in ("30", "pm", "the_time_is", "99"):
        write(folder / f"{name}.au", bytes([0xFF]) * 8)
    clips = list(saytime.iter_clips(tmp_path))
    assert table(clips) == [
        ("13", "thirteen", "saytime:dawson", "filename", True),
        ("30", "thirty", "saytime:dawson", "filename", True),
        ("pm", "p m", "saytime:dawson", "filename", True),
        ("the_time_is", "the time is", "saytime:dawson", "filename", True),
    ]
    samples, rate = clips[0].load()
    assert rate == 8000
    assert samples.tolist() == [0.0, 32124 / 32768, -32124 / 32768, 0.0]


def test_megaglest_replies_of_human_units_without_text(tmp_path):
    tech = tmp_path / megaglest.TECH_DIR
    for rel in ("commondata/sounds/archer_select1.wav", "commondata/sounds/cow_ack1.wav",
                "commondata/sounds/archer_attack1.wav",
                "factions/persian/units/genie/sounds/genie_ack2.ogg"):  # fmt: skip
        write(tech / rel, wav() if rel.endswith(".wav") else ogg())
    assert table(megaglest.iter_clips(tmp_path)) == [
        ("commondata__sounds__archer_select1", "", "megaglest:archer", "", False),
        ("factions__persian__units__genie__sounds__genie_ack2", "", "megaglest:genie", "", False),
    ]


def test_codec2_speech_samples_only(tmp_path):
    raw = tmp_path / codec2.RAW_DIR
    pcm = (tone(1.0, 8000) * 32767).astype("<i2").tobytes()
    for name in ("hts1.raw", "hts1a.raw", "sine1k_2Hz_spread.raw"):
        write(raw / name, pcm)
    write(raw.parent / "wav" / "wia_16kHz.wav", wav(1.0, 16000))
    clips = list(codec2.iter_clips(tmp_path))
    assert table(clips) == [
        ("hts1", "", "codec2:hts1", "", False),
        ("wia_16kHz", "", "codec2:wia_16kHz", "", False),
    ]
    samples, rate = clips[0].load()
    assert rate == 8000 and len(samples) == 8000
    assert np.allclose(samples, tone(1.0, 8000), atol=1e-4)


def test_neverball_and_pingus_callouts(tmp_path):
    snd = tmp_path / neverball.SOUND_DIR
    for rel in ("go.ogg", "gd/record.ogg", "coin.ogg"):
        write(snd / rel, ogg())
    assert table(neverball.iter_clips(tmp_path)) == [
        ("main__go", "go", "neverball:main", "filename", True),
        ("gd__record", "", "neverball:gd", "", True),
    ]
    sounds = tmp_path / pingus.SOUND_DIR
    for name in ("letsgo", "splash"):
        write(sounds / f"{name}.wav", wav())
    assert table(pingus.iter_clips(tmp_path)) == [
        ("letsgo", "let's go", "pingus:penguin", "filename", True)
    ]
