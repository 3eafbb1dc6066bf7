"""Translation catalogues (issue 17): every language offered in settings.LANGUAGES has a complete
catalogue (no empty or fuzzy entry, valid placeholders), and the compiled .mo that ships beside it
says exactly what the .po says, so nobody serves a stale translation."""

import gettext
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"
OFFERED = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
CATALOGUES = sorted(LOCALE.glob("*/LC_MESSAGES/django.po"))


def _msgattrib(po: Path, flag: str) -> str:
    return subprocess.run(
        ["msgattrib", flag, "--no-wrap", str(po)], capture_output=True, text=True, check=True
    ).stdout


def test_every_offered_language_has_a_catalogue():
    assert OFFERED, "no language besides English is offered"
    for code in OFFERED:
        assert (LOCALE / code / "LC_MESSAGES" / "django.po").exists(), code
        assert (LOCALE / code / "LC_MESSAGES" / "django.mo").exists(), f"{code}: not compiled"


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda po: po.parts[-3])
def test_catalogue_compiles_with_valid_placeholders(po, tmp_path):
    check = subprocess.run(
        ["msgfmt", "--check", "-o", str(tmp_path / "django.mo"), str(po)],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr


@pytest.mark.parametrize("code", OFFERED)
def test_offered_catalogue_is_complete_and_compiled(code, tmp_path):
    po = LOCALE / code / "LC_MESSAGES" / "django.po"
    untranslated = _msgattrib(po, "--untranslated")
    assert "msgid" not in untranslated.split('msgid ""\nmsgstr ""', 1)[-1], (
        f"{code}: entries without a translation:\n{untranslated[:3000]}"
    )
    fuzzy = _msgattrib(po, "--only-fuzzy")
    assert "msgid" not in fuzzy, f"{code}: fuzzy entries:\n{fuzzy[:3000]}"

    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "-o", str(fresh), str(po)], check=True)
    with fresh.open("rb") as compiled, (po.with_suffix(".mo")).open("rb") as shipped:
        expected = gettext.GNUTranslations(compiled)._catalog
        assert gettext.GNUTranslations(shipped)._catalog == expected, (
            f"{code}: django.mo is stale; run `make messages`"
        )
