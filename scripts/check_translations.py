"""Check the translation catalogues (this refreshes the .po files from the code first): every string of the
code and templates is translated into zh-Hans (and has an English entry), nothing is fuzzy, and the committed
.mo files match their .po files.

Run from the project root: `.venv/bin/python scripts/check_translations.py`. Exit 1 lists what is missing.
"""

from __future__ import annotations

import gettext
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "ecohotline" / "locale"
LANGUAGES = ["zh_Hans", "en"]


def entries(po_text: str) -> list[tuple[str, str, bool]]:
    """(msgid, msgstr of the first form, fuzzy) for each entry of a .po file."""
    result = []
    for block in po_text.split("\n\n"):
        fuzzy = "#, fuzzy" in block or re.search(r"^#,.*\bfuzzy\b", block, re.M) is not None
        msgid = "".join(re.findall(r'"(.*)"', _section(block, "msgid")))
        msgstr_section = _section(block, "msgstr") or _section(block, "msgstr[0]")
        msgstr = "".join(re.findall(r'"(.*)"', msgstr_section))
        if msgid:
            result.append((msgid, msgstr, fuzzy))
    return result


def _section(block: str, keyword: str) -> str:
    lines = block.splitlines()
    out: list[str] = []
    inside = False
    for line in lines:
        if line.startswith(keyword + " "):
            inside = True
            out.append(line[len(keyword) + 1:])
            continue
        if inside:
            if line.startswith('"'):
                out.append(line)
            else:
                break
    return "\n".join(out)


def main() -> int:
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "ECOHOTLINE_DATA_DIR": tmp}
        # Extract afresh so that strings added to the code but not to the catalogue show up as untranslated.
        subprocess.run(
            [sys.executable, "-m", "ecohotline", "makemessages", "--no-obsolete", "--no-location",
             *[arg for lang in LANGUAGES for arg in ("-l", lang)]],
            cwd=ROOT / "ecohotline", env=env, check=True, capture_output=True,
        )
        for lang in LANGUAGES:
            fresh = (LOCALE / lang / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
            for msgid, msgstr, fuzzy in entries(fresh):
                if lang == "zh_Hans" and (not msgstr or fuzzy):
                    problems.append(f"{lang}: untranslated{' (fuzzy)' if fuzzy else ''}: {msgid!r}")
            mo = LOCALE / lang / "LC_MESSAGES" / "django.mo"
            compiled = Path(tmp) / f"{lang}.mo"
            subprocess.run(["msgfmt", "-o", str(compiled), str(LOCALE / lang / "LC_MESSAGES" / "django.po")],
                           check=True)
            if not mo.exists():
                problems.append(f"{lang}: {mo} is missing (run `ecohotline compilemessages`)")
                continue
            with mo.open("rb") as committed_file, compiled.open("rb") as compiled_file:
                committed = gettext.GNUTranslations(committed_file)._catalog  # type: ignore[attr-defined]
                current = gettext.GNUTranslations(compiled_file)._catalog  # type: ignore[attr-defined]
            if committed != current:
                problems.append(f"{lang}: django.mo is out of date (run `ecohotline compilemessages`)")
    for problem in problems:
        print(problem)
    print(f"{len(problems)} translation problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
