"""`manage.py load_mixing_matrix`: a national amendment of the mixing matrix as a new version."""

from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from inventory import policy
from inventory.models import MixingCell, MixingMatrixVersion
from inventory.reference_data import REFERENCE_DIR

pytestmark = pytest.mark.django_db

SEED = (REFERENCE_DIR / "mixing_matrix.csv").read_text(encoding="utf-8")


def amended(cells: dict[tuple[str, str], str], text: str = SEED) -> str:
    """The seed CSV with some cells changed (row group, column group) -> value."""
    rows = [line.split(",") for line in text.strip().splitlines()]
    header = rows[0]
    for (a, b), value in cells.items():
        row = next(r for r in rows if r[0] == a)
        row[header.index(b)] = value
    return "\n".join(",".join(r) for r in rows) + "\n"


def write(tmp_path, text, name="matrix.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load(path, *args):
    call_command("load_mixing_matrix", str(path), *args)


def test_good_file_becomes_the_next_version(reference_policy, tmp_path, capsys):
    # The authority refuses F with C, D and E outright instead of the n2 segregation note.
    text = amended(dict.fromkeys([("C", "F"), ("F", "C"), ("D", "F"), ("F", "D")], "N"))
    text = amended({("E", "F"): "N", ("F", "E"): "N"}, text)
    path = write(tmp_path, text)
    load(path, "--effective-from", "2027-01-01", "--note", "NTA circular 4/2026")
    version = MixingMatrixVersion.objects.get(version=2)
    assert version.effective_from == date(2027, 1, 1)
    assert version.note == "NTA circular 4/2026"
    assert version.source == "matrix.csv"
    assert version.cells.count() == 169
    assert "Mixing matrix version 2 loaded" in capsys.readouterr().out
    # Version 1 applies before the date, version 2 from it; version 1 is kept as it was.
    assert policy.mixing_matrix(date(2026, 12, 31)).cell("C", "F") == "n2"
    assert policy.mixing_matrix(date(2027, 1, 1)).cell("C", "F") == "N"
    assert policy.mixing_matrix(date(2027, 1, 1)).cell("F", "E") == "N"
    assert MixingCell.objects.get(version__version=1, group_a="C", group_b="F").value == "n2"


def test_asymmetric_file_is_refused_and_nothing_written(reference_policy, tmp_path, capsys):
    path = write(tmp_path, amended({("C", "F"): "N"}))
    with pytest.raises(CommandError, match="nothing was written"):
        load(path, "--effective-from", "2027-01-01")
    assert "Not symmetric: cell C/F is N but F/C is n2." in capsys.readouterr().err
    assert MixingMatrixVersion.objects.count() == 1
    assert MixingCell.objects.count() == 169


def test_unknown_group_is_refused(reference_policy, tmp_path, capsys):
    text = SEED.replace("group,A,B,", "group,A,X,").replace("\nB,", "\nX,")
    with pytest.raises(CommandError):
        load(write(tmp_path, text), "--effective-from", "2027-01-01")
    err = capsys.readouterr().err
    assert "Column 'X' is not a compatibility group" in err
    assert "row 'X' is not a compatibility group" in err
    assert "Column B is missing." in err
    assert "Row B is missing." in err
    assert MixingMatrixVersion.objects.count() == 1


def test_bad_value_is_refused(reference_policy, tmp_path, capsys):
    text = amended({("C", "D"): "maybe", ("D", "C"): "maybe"})
    with pytest.raises(CommandError):
        load(write(tmp_path, text), "--effective-from", "2027-01-01")
    assert "Cell C/D: 'maybe' is not a mixing value" in capsys.readouterr().err
    assert MixingMatrixVersion.objects.count() == 1


def test_missing_cell_and_misplaced_note_are_refused(reference_policy, tmp_path, capsys):
    with pytest.raises(CommandError):
        load(
            write(tmp_path, amended({("C", "D"): "", ("D", "C"): ""})),
            "--effective-from",
            "2027-01-01",
        )
    assert "Cell C/D: '' is not a mixing value" in capsys.readouterr().err
    with pytest.raises(CommandError):
        load(
            write(tmp_path, amended({("C", "D"): "n1", ("D", "C"): "n1"})),
            "--effective-from",
            "2027-01-01",
        )
    assert "note n1 cannot apply to cell C/D" in capsys.readouterr().err
    assert MixingMatrixVersion.objects.count() == 1


def test_duplicate_row_and_short_row_are_refused(reference_policy, tmp_path, capsys):
    lines = SEED.strip().splitlines()
    text = "\n".join([*lines, lines[3], "S,N,Y"]) + "\n"
    with pytest.raises(CommandError):
        load(write(tmp_path, text), "--effective-from", "2027-01-01")
    err = capsys.readouterr().err
    assert "row C is given twice" in err
    assert "row S is given twice" in err
    assert MixingMatrixVersion.objects.count() == 1


def test_dates_must_be_valid_and_in_order(reference_policy, tmp_path, capsys):
    path = write(tmp_path, SEED)
    with pytest.raises(CommandError, match="not a date"):
        load(path, "--effective-from", "01/02/2027")
    with pytest.raises(CommandError):
        load(path, "--effective-from", "2020-12-31")  # version 1 is effective from 2021-01-01
    assert "takes effect on that day or later" in capsys.readouterr().err
    assert MixingMatrixVersion.objects.count() == 1


def test_missing_file_is_refused(reference_policy, tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        load(tmp_path / "nope.csv", "--effective-from", "2027-01-01")


def test_command_line_exits_non_zero_on_a_bad_file(reference_policy, tmp_path, capsys, monkeypatch):
    """What an operator sees from manage.py: exit status 1 and the problems on stderr."""
    from django.core.management import base

    from inventory.management.commands.load_mixing_matrix import Command

    # run_from_argv closes every connection when done: keep the test's transaction open.
    monkeypatch.setattr(base.connections, "close_all", lambda: None)
    path = write(tmp_path, amended({("C", "F"): "N"}))
    argv = ["manage.py", "load_mixing_matrix", str(path), "--effective-from", "2027-01-01"]
    argv.append("--skip-checks")  # the checks are not what is tested here
    with pytest.raises(SystemExit) as exit_info:
        Command().run_from_argv(argv)
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert "Not symmetric" in err
    assert "nothing was written" in err
    assert MixingMatrixVersion.objects.count() == 1


def test_admin_shows_versions_and_cells_read_only(reference_policy, admin_user, client, tmp_path):
    load(write(tmp_path, SEED), "--effective-from", "2030-01-01")
    client.force_login(admin_user)
    changelist = client.get(reverse("admin:inventory_mixingmatrixversion_changelist"))
    assert changelist.status_code == 200
    first = MixingMatrixVersion.objects.get(version=1)
    page = client.get(reverse("admin:inventory_mixingmatrixversion_change", args=[first.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<th scope='row'>K</th>" in html or '<th scope="row">K</th>' in html
    assert client.get(reverse("admin:inventory_mixingmatrixversion_add")).status_code == 403
    cells = client.get(reverse("admin:inventory_mixingcell_changelist"), {"version": first.pk})
    assert cells.status_code == 200
    cell = MixingCell.objects.filter(version=first).first()
    change = client.post(
        reverse("admin:inventory_mixingcell_change", args=[cell.pk]), {"value": "N"}
    )
    assert change.status_code == 403 or MixingCell.objects.get(pk=cell.pk).value == cell.value
    assert (
        client.post(reverse("admin:inventory_mixingcell_delete", args=[cell.pk])).status_code == 403
    )
    assert MixingCell.objects.filter(pk=cell.pk).exists()
