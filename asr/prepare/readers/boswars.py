"""Bos Wars (Debian `boswars-data`): tutorial briefings and unit announcements.

Audio: WAV under `/usr/share/games/boswars/`, 22 kHz (a few 11 or 44 kHz).
- `campaigns/tutorial/level01*.wav`: the tutorial's radio messages. Text: `level01.wav` is the
  map's briefing in `campaigns/tutorial/campaign.lua` (`CreateMapStep(map, objectives,
  briefing, "campaigns/tutorial/level01.wav")`); `level01-0N.wav` is played by
  `Play("level01-0N.wav")` in `level01.sms` after the `AddMessage("...")` lines it reads. The
  opening "-- Incoming transmission from Central Command: --" is said (without the dashes),
  the closing "-- End transmission --" is not.
- `units/<unit>/<unit>.<event>.wav` (`power.plant.underattack.wav`, `buggy_ready.wav`): the
  announcer; the text is the unit and event from the file name ("power plant under attack").
  `<unit>_select` / `_action` are the unit's own short acknowledgements: no text (teachers
  only). Deaths, attacks and `sfx_*` files are sound effects and skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from asr.prepare.readers import Clip, decode_file

PACKAGE = "boswars-data"
GAME_DIR = Path("usr/share/games/boswars")
TUTORIAL = Path("campaigns/tutorial")
UNITS = {
    "aircraftfactory": "aircraft factory", "artil": "artillery", "assault": "assault",
    "assault.unit": "assault unit", "bazoo": "bazooka", "bomber": "bomber", "buggy": "buggy",
    "camera": "camera", "cannon": "cannon", "chopper": "chopper", "destroyer": "destroyer",
    "engineer": "engineer", "grenadier": "grenadier", "gturret": "gun turret",
    "harvester": "harvester", "hospital": "hospital", "jet": "jet", "magmapump": "magma pump",
    "medic": "medic", "power.plant": "power plant", "radar": "radar", "rtank": "rocket tank",
    "smolder": "smolder", "tank": "tank", "training.camp": "training camp", "vault": "vault",
    "vehicle.factory": "vehicle factory",
}  # fmt: skip
EVENTS = {"ready": "ready", "completed": "completed", "underattack": "under attack"}
ACKS = ("select", "selected", "action")
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
_PLAY = re.compile(r'Play\("([^"]+\.wav)"\)')


def _said(messages: list[str]) -> str:
    """The spoken part of radio messages: dashes dropped, the closing line left out."""
    lines = []
    for message in messages:
        for line in message.replace("\\n", "\n").split("\n"):
            line = line.strip()
            if line.startswith("--"):
                line = line.strip("- ").rstrip(":")
                if not line or line.lower().startswith("end"):
                    continue
            if line:
                lines.append(line if line[-1] in ".!?" else line + ".")
    return " ".join(lines)


def tutorial_texts(campaign_lua: str, level_sms: str) -> dict[str, str]:
    """Sound file name -> text, from the campaign's briefings and the level's messages."""
    texts = {}
    for step in campaign_lua.split("CreateMapStep(")[1:]:
        strings = _STRING.findall(re.sub(r"\{[^}]*\}", "", step.split("),")[0]))
        if len(strings) >= 3 and strings[-1].endswith(".wav"):
            texts[strings[-1].rsplit("/", 1)[-1]] = _said(["".join(strings[1:-1])])
    messages: list[str] = []
    for line in level_sms.splitlines():
        if "AddMessage(" in line:
            messages += _STRING.findall(line)[:1]
        elif match := _PLAY.search(line):
            texts[match.group(1)] = _said(messages)
            messages = []
        elif line.strip().startswith(("function", "end")):
            messages = []
    return texts


def unit_text(stem: str) -> tuple[str, bool]:
    """(text, is speech) of a unit sound file name."""
    name = stem.replace("_", ".")
    for event, words in EVENTS.items():
        if name.endswith("." + event) and name[: -len(event) - 1] in UNITS:
            return f"{UNITS[name[: -len(event) - 1]]} {words}", True
    if name.startswith("sfx.") or not name.endswith(tuple("." + a for a in ACKS)):
        return "", False
    return "", True


def iter_clips(root: Path) -> Iterator[Clip]:
    game = root / GAME_DIR
    if not game.is_dir():
        return
    lua, sms = game / TUTORIAL / "campaign.lua", game / TUTORIAL / "level01.sms"
    texts = {}
    if lua.is_file() and sms.is_file():
        texts = tutorial_texts(lua.read_text("latin-1"), sms.read_text("latin-1"))
    for name, said in sorted(texts.items()):
        path = game / TUTORIAL / name
        if path.is_file() and said:
            yield Clip(
                source="boswars",
                clip_id=f"tutorial__{path.stem}",
                speaker="boswars:command",
                load=lambda path=path: decode_file(path),
                text=said,
                text_kind="game-text",
                package=PACKAGE,
            )
    for path in sorted((game / "units").glob("*/*.wav")):
        said, speech = unit_text(path.stem)
        if not speech:
            continue
        yield Clip(
            source="boswars",
            clip_id=f"{path.parent.name}__{path.stem}",
            speaker="boswars:announcer" if said else f"boswars:{path.parent.name}",
            load=lambda path=path: decode_file(path),
            text=said,
            text_kind="filename" if said else "",
            speaker_known=bool(said),
            package=PACKAGE,
        )
