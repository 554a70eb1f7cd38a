"""A declared single-byte encoding the file's text is not in (x25r2: a Polish cp1250 export
declared cp1252 planned "2 valid" and read ``Przedsiêbiorstwo £ódŸ``): the plan says, in
one line, which code page reads it and how to declare it; a file both read alike, or a
true declaration, is never flagged (a labelled table of real-language lines)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.encoding_advice import misread
from bulk.errors import InputError
from bulk.manifest import header_note, misread_note, read_manifest
from jobs.transforms.text import check_control

# real-language lines, as exports hold them (names, companies, places, typography)
LINES = {
    "fr": ["Société Générale;Crème brûlée à Noël;Château-Thierry",
           "Façade de l'élève;François Lefèvre;12,50 €",
           "Hôtel Côte d'Azur;« Réunion »;Jérôme Dupré — Directeur"],
    "de": ["Müller & Söhne GmbH;Größe;Straße", "Jürgen Bäcker;„Angebot“ \u2013 5 €;Köln",
           "Österreich Süd;Grüße aus München;Weißwurst"],
    "es": ["Año nuevo;Señora Núñez;¿Qué tal?", "Compañía Española;Peña;Málaga",
           "Información técnica;José Martínez;Logroño"],
    "pt": ["São Paulo;Ação comercial;Informações", "João Gonçalves;Conceição;Lisboa",
           "Distribuição;Atenção;Fábio Araújo"],
    "sv": ["Göteborg;Åsa Öberg;Malmö", "Ærø Fjord;Søren Kierkegaard;Århus",
           "Jönköping;Björn Håkansson;Växjö"],
    "pl": ["P1;Wdrożenie systemu;Przedsiębiorstwo Łódź Sp. z o.o.;Paweł Żółć",
           "P2;Umowa serwisowa;Zakład Świętokrzyski;Agnieszka Wąsik",
           "P3;Licencje;Hurtownia Źródło;Łukasz Ćwik"],
    "cs": ["Šťastná;Příliš žluťoučký kůň;Dvořák", "Brno-střed;Úpěl ďábelské ódy;Jiří Novák",
           "Ústí nad Labem;Černý;Plzeň"],
    "hu": ["Árvíztűrő tükörfúrógép;Győr;Ödön Szőke", "Kovács Béla;Pécs;Székesfehérvár",
           "Fővárosi Vízművek;Szűcs;Debrecen"],
    "ru": ["Привет;Москва;Иван Петров",
           "Общество \u0441 ограниченной ответственностью;Санкт-Петербург;Ольга",
           "Внедрение системы;Новосибирск;Сергей Иванов"],
    "bg": ["София;Благодаря;Пловдив", "Търговия ООД;Стефан Димитров;Варна",
           "Договор за услуги;Бургас;Мария"],
}
WRITTEN = [("fr", "cp1252"), ("fr", "latin-1"), ("de", "cp1252"), ("de", "latin-1"),
           ("es", "cp1252"), ("es", "latin-1"), ("pt", "cp1252"), ("sv", "cp1252"),
           ("sv", "latin-1"), ("pl", "cp1250"), ("pl", "iso-8859-2"), ("cs", "cp1250"),
           ("cs", "iso-8859-2"), ("hu", "cp1250"), ("hu", "iso-8859-2"), ("ru", "cp1251"),
           ("bg", "cp1251")]
DECLARED = ["cp1252", "latin-1", "cp1250", "iso-8859-2", "cp1251"]


def written(lang: str, encoding: str) -> bytes:
    """The language's lines under a header, in ``encoding`` (characters it has no byte
    for, € or — in latin-1, left out)."""
    text = "Key;A;B;C\r\n" + "\r\n".join(LINES[lang]) + "\r\n"
    return "".join(c for c in text if c.encode(encoding, "ignore")).encode(encoding)


def _alike(data: bytes, a: str, b: str) -> bool:
    try:
        return data.decode(a) == data.decode(b)
    except UnicodeDecodeError:
        return False


TABLE = [(lang, enc, declared, _alike(written(lang, enc), enc, declared))
         for lang, enc in WRITTEN for declared in DECLARED]


@pytest.mark.parametrize(("lang", "enc", "declared", "alike"), TABLE,
                         ids=[f"{lang}-{enc}-as-{d}" for lang, enc, d, _ in TABLE])
def test_the_labelled_table(lang: str, enc: str, declared: str, alike: bool) -> None:
    """A declaration that reads the text as written (the true one, or one mapping the file's
    bytes alike) is never flagged; every other is, naming a code page that reads it right."""
    data = written(lang, enc)
    found = misread(data, declared)
    if alike:
        assert found is None, found
        return
    assert found is not None
    assert data.decode(found[0]) == data.decode(enc) or _alike(data, found[0], enc), found


def test_false_alarms_on_true_declarations_are_zero() -> None:
    """The table's summary: 0 false alarms over every true or byte-alike declaration."""
    alarms = [(lang, enc, d) for lang, enc, d, alike in TABLE
              if alike and misread(written(lang, enc), d) is not None]
    assert len([t for t in TABLE if t[3]]) >= 25
    assert alarms == []


def test_polish_cp1250_declared_cp1252_is_said_in_one_line(tmp_path: Path) -> None:
    """x25r2's file: the plan's note names cp1250, a garbled word, and how to declare it."""
    path = tmp_path / "pl.csv"
    path.write_bytes(written("pl", "cp1250"))
    note = misread_note(path, "cp1252")
    assert note is not None and "\n" not in note
    assert "looks like cp1250" in note and "«Wdro¿enie» where cp1250 reads «Wdrożenie»" in note
    assert '--encoding cp1250 (or encoding = "cp1250" in the mapping\'s [defaults])' in note
    assert note in (header_note(path, encoding="cp1252") or "")
    assert "[defaults]" not in (misread_note(path, "cp1252", mapping=False) or "[defaults]")
    assert misread_note(path, "cp1250") is None and misread_note(path, None) is None


def test_files_read_alike_pass_silently(tmp_path: Path) -> None:
    """ASCII, a UTF-8 file (read as UTF-8 whatever is declared), German latin-1 declared
    cp1252, an XLSX-looking file: nothing said."""
    ascii_ = tmp_path / "a.csv"
    ascii_.write_bytes(b"Key;Title\r\nK1;Plain deal\r\n")
    utf8 = tmp_path / "u.csv"
    utf8.write_bytes("Key;Title\nK1;Łódź\n".encode())
    german = tmp_path / "g.csv"
    german.write_bytes(written("de", "latin-1"))
    for path in (ascii_, utf8, german):
        for declared in ("cp1252", "latin-1", "cp1250"):
            if path is german and declared == "cp1250":
                continue  # ä ö ü ß read alike, but «Å» is «Ĺ» in cp1250: said
            assert misread_note(path, declared) is None, (path, declared)


def test_latin1_on_cp1252_names_cp1252_and_its_rows_say_why(tmp_path: Path) -> None:
    """latin-1 declared on a cp1252 file: the plan names cp1252; a row failing "control
    character U+0096" (its en dash) hints that the file looks like cp1252."""
    path = tmp_path / "de.csv"
    path.write_bytes(written("de", "cp1252"))
    note = misread_note(path, "latin-1")
    assert note is not None and "looks like cp1252" in note and "control character" in note
    cells = [v for r in read_manifest(path, encoding="latin-1") for v in r.values.values()]
    dashed = next(c for c in cells if "\x96" in c)
    with pytest.raises(InputError, match=r"U\+0096.*the file looks like cp1252.*"
                                         r'encoding = "cp1252"'):
        check_control(dashed[dashed.index("\x96"):])
    with pytest.raises(InputError) as exc:
        check_control("a\x01b")  # not a code page's character: no hint
    assert "cp1252" not in str(exc.value)


def test_plan_import_and_update_say_it(tmp_path: Path) -> None:
    """`pdbulk plan import` (the mapping's encoding, and --encoding) and `pdbulk plan update`
    print the line; the true declaration prints none."""
    from typer.testing import CliRunner

    from bulk.sandbox import SandboxConfig
    from pdbulk.cli import app
    from tests.sandbox_helpers import ThreadedSandbox

    token = "declared-encoding-token"
    manifest = tmp_path / "pl.csv"
    manifest.write_bytes(written("pl", "cp1250").replace(b"Key;A;B;C", b"Key;Title;Org;Name"))
    mapping, plain = tmp_path / "m.toml", tmp_path / "plain.toml"
    body = ('[import]\nkey_column = "Key"\n[deal]\ntitle = "Title"\n[organization]\n'
            'name = "Org"\n[person]\nname = "Name"\n')
    mapping.write_text('version = 1\n[defaults]\nencoding = "cp1252"\n' + body, "utf-8")
    plain.write_text("version = 1\n" + body, "utf-8")
    update = tmp_path / "u.toml"
    update.write_text('[update]\nkey_column = "Key"\nkey_field = "External ID"\n'
                      '[deal]\ntitle = "Title"\n', "utf-8")
    common = ["--url", "", "--plan", "ultimate", "--oauth"]
    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=token, deals=0,
                                       seed=7)) as sb:
        common[1] = sb.url
        said = {}
        for name, args in {
                "mapping": ["plan", "import", str(manifest), "-m", str(mapping)],
                "option": ["plan", "import", str(manifest), "-m", str(plain), "--encoding",
                           "latin-1"],
                "true": ["plan", "import", str(manifest), "-m", str(plain), "--encoding",
                         "cp1250"],
                "update": ["plan", "update", str(manifest), "-m", str(update), "--encoding",
                           "cp1252"]}.items():
            res = CliRunner().invoke(app, [*args, "--create-key-field", *common]
                                     if args[1] == "import" else [*args, *common],
                                     env={"PIPEDRIVE_API_TOKEN": token})
            said[name] = " ".join(res.output.split())
            assert "Traceback" not in said[name] and token not in said[name], said[name]
    for name in ("mapping", "option", "update"):
        assert "but looks like cp1250" in said[name], (name, said[name])
        assert 'encoding = "cp1250"' in said[name], (name, said[name])
    assert "looks like" not in said["true"], said["true"]


def test_runs_refuse_a_garbling_declaration_before_any_write(tmp_path: Path) -> None:
    """x26r3: `pdbulk import` (which asks nothing) wrote ``Umowa £ódŸ`` under a mapping
    declaring cp1252 on a cp1250 file, and re-importing right did not mend the persons
    matched by e-mail. The import refuses before any write (exit 1, no job folder), as do
    update and move-stage; the plan says the run will refuse; ``cp1252!`` (on the command
    line or in the mapping) reads the file as declared."""
    from typer.testing import CliRunner

    from bulk.sandbox import SandboxConfig
    from pdbulk.cli import app
    from tests.sandbox_helpers import ThreadedSandbox

    token = "declared-encoding-token"
    manifest = tmp_path / "pl.csv"
    manifest.write_bytes(written("pl", "cp1250").replace(b"Key;A;B;C", b"Key;Title;Org;Name"))
    body = ('[import]\nkey_column = "Key"\nkey_field = "External ID"\n[deal]\n'
            'title = "Title"\n[organization]\nname = "Org"\n[person]\nname = "Name"\n')
    mapping, checked = tmp_path / "m.toml", tmp_path / "checked.toml"
    mapping.write_text('version = 1\n[defaults]\nencoding = "cp1252"\n' + body, "utf-8")
    checked.write_text('version = 1\n[defaults]\nencoding = "cp1252!"\n' + body, "utf-8")
    update = tmp_path / "u.toml"
    update.write_text('[update]\nkey_column = "Key"\nkey_field = "External ID"\n'
                      '[deal]\ntitle = "Title"\n', "utf-8")
    jobs = tmp_path / "jobs"
    common = ["--url", "", "--plan", "ultimate", "--oauth", "--job-dir", str(jobs)]
    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=token, deals=0,
                                       seed=7)) as sb:
        common[1] = sb.url

        def pdbulk(*args: str) -> tuple[int, str]:
            res = CliRunner().invoke(app, [*args, *common], env={"PIPEDRIVE_API_TOKEN": token})
            said = " ".join(res.output.split())
            assert "Traceback" not in said and token not in said, said
            return res.exit_code, said

        def writes() -> int:
            return sum(sb.stats()["writes_applied"].values())

        code, said = pdbulk("plan", "import", str(manifest), "-m", str(mapping),
                            "--create-key-field")
        assert "but looks like cp1250" in said and "Until then the import refuses" in said, said
        assert "--encoding cp1252!" in said and 'encoding = "cp1252!"' in said, said
        for args in (["-m", str(mapping)], ["-m", str(mapping), "--encoding", "cp1252"]):
            code, said = pdbulk("import", str(manifest), *args, "--create-key-field")
            assert code == 1 and "but looks like cp1250" in said, (code, said)
            assert "nothing was sent" in said, said
            assert writes() == 0, sb.stats()["writes_applied"]
        assert not jobs.exists() or not any(jobs.iterdir())
        # checked: read as declared, on the command line or in the mapping
        code, said = pdbulk("plan", "import", str(manifest), "-m", str(checked),
                            "--create-key-field")
        assert "looks like" not in said, said
        code, said = pdbulk("import", str(manifest), "-m", str(mapping), "--encoding",
                            "cp1252!", "--create-key-field")
        # exit 3: P3's 0x8f (cp1250 Ź) is no cp1252 character: its row fails alone
        assert code == 3 and "done 2 (created 2)" in said, said
        before = writes()
        # update and move-stage: the plan says it, the run refuses before any write
        code, said = pdbulk("plan", "update", str(manifest), "-m", str(update),
                            "--encoding", "cp1252")
        assert "Until then the update refuses" in said, said
        code, said = pdbulk("update", str(manifest), "-m", str(update), "--encoding", "cp1252",
                            "--yes")
        assert code == 1 and "but looks like cp1250" in said and "nothing was sent" in said, \
            (code, said)
        code, said = pdbulk("move-stage", "--manifest", str(manifest), "--key-column", "Key",
                            "--key-field", "External ID", "--to-stage", "Qualified",
                            "--encoding", "cp1252", "--yes")
        assert code == 1 and "Until then move-stage refuses" in said, (code, said)
        assert "[defaults]" not in said, said  # move-stage takes no mapping
        assert writes() == before, sb.stats()["writes_applied"]
        code, said = pdbulk("update", str(manifest), "-m", str(update), "--encoding",
                            "cp1252!", "--yes")
        assert code == 3 and "unchanged 2" in said and "looks like" not in said, said


def test_a_declared_code_page_wins_over_a_bom_the_file_contradicts(tmp_path: Path) -> None:
    """x26r3: a cp1252 file behind a UTF-8 BOM: the plan advised --encoding cp1252, and
    with it (or [defaults] encoding) every row failed "byte 0xe9 ... is not valid UTF-8"
    (the BOM won); init-mapping --encoding cp1252 wrote no encoding line: an advice loop.
    The declared code page reads it, the BOM dropped; a BOM file that is UTF-8 throughout
    is still read as UTF-8."""
    from typer.testing import CliRunner

    from bulk.manifest import choose_encoding
    from bulk.sandbox import SandboxConfig
    from pdbulk.cli import app
    from tests.sandbox_helpers import ThreadedSandbox

    text = ("Key,Title,Org,Name\r\nK1,Café crème,Société Générale,José Müller\r\n"
            "K2,Größe,Château,François\r\n")
    manifest = tmp_path / "bom.csv"
    manifest.write_bytes(b"\xef\xbb\xbf" + text.encode("cp1252"))
    assert choose_encoding(manifest, "cp1252") == "cp1252"
    for declared in ("cp1252", "cp1252!"):
        rows = list(read_manifest(manifest, encoding=declared))
        assert [r.values for r in rows] == [
            {"Key": "K1", "Title": "Café crème", "Org": "Société Générale", "Name": "José Müller"},
            {"Key": "K2", "Title": "Größe", "Org": "Château", "Name": "François"}], rows
    assert header_note(manifest, encoding="cp1252") is None  # no "1 line is UTF-8"
    utf8 = tmp_path / "utf8.csv"
    utf8.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert choose_encoding(utf8, "cp1252") == "utf-8-sig"
    assert next(iter(read_manifest(utf8, encoding="cp1252"))).values["Title"] == "Café crème"

    token = "bom-encoding-token"
    drafted = tmp_path / "m.toml"
    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=token, deals=0,
                                       seed=7)) as sb:
        common = ["--url", sb.url, "--plan", "ultimate", "--oauth"]
        res = CliRunner().invoke(app, ["init-mapping", str(manifest), "-o", str(drafted),
                                       "--encoding", "cp1252", *common],
                                 env={"PIPEDRIVE_API_TOKEN": token})
        assert res.exit_code == 0, res.output
        assert 'encoding = "cp1252"' in drafted.read_text("utf-8"), drafted.read_text("utf-8")
        mapping = tmp_path / "plain.toml"
        mapping.write_text('version = 1\n[defaults]\nencoding = "cp1252"\n[import]\n'
                           'key_column = "Key"\n[deal]\ntitle = "Title"\n[organization]\n'
                           'name = "Org"\n[person]\nname = "Name"\n', "utf-8")
        res = CliRunner().invoke(app, ["plan", "import", str(manifest), "-m", str(mapping),
                                       "--create-key-field", "--failed-csv",
                                       str(tmp_path / "pf.csv"), *common],
                                 env={"PIPEDRIVE_API_TOKEN": token})
        said = " ".join(res.output.split())
        assert res.exit_code == 0 and "2 valid" in said and "not valid UTF-8" not in said, said
