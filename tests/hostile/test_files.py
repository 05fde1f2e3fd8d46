"""Files that are not what they seem: other encodings, stray NULs, pipes, devices, endless files.

Each is refused before it can hang or exhaust memory, with an error that says what the file is.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from stride_tui.core.files import loader
from stride_tui.core.files.diagnostics import ModelError
from stride_tui.core.files.loader import load_model, parse_model

from ..shared import MINIMAL


def error_of(raw: bytes) -> str:
    with pytest.raises(ModelError) as info:
        parse_model(raw, "m.toml")
    (diagnostic,) = info.value.diagnostics
    return str(diagnostic)


@pytest.mark.parametrize(
    ("codec", "name"),
    [
        ("utf-16-le", "UTF-16 (little-endian, no byte-order mark)"),
        ("utf-16-be", "UTF-16 (big-endian, no byte-order mark)"),
        ("utf-16", "UTF-16 (little-endian, with a byte-order mark)"),
        ("utf-32-le", "UTF-32 (little-endian, no byte-order mark)"),
        ("utf-32-be", "UTF-32 (big-endian, no byte-order mark)"),
        ("utf-32", "UTF-32 (little-endian, with a byte-order mark)"),
    ],
)
def test_wide_encodings_are_named_not_called_binary(codec: str, name: str) -> None:
    message = error_of(MINIMAL.encode(codec))
    assert message == f"m.toml: error: the file is {name}; save it as UTF-8 (a model file is UTF-8)"


def test_a_utf16_file_with_non_ascii_names_is_still_recognised() -> None:
    assert "UTF-16 (big-endian" in error_of(MINIMAL.replace("API", "Zahlungsdienst äöü").encode("utf-16-be"))


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("stride_tui = 1\n# a comment \x00 with a NUL\n", "2:13"),
        ('stride_tui = 1\n[model]\ntitle = "Sh\x00op"\n', "3:12"),
        ("\x00stride_tui = 1\n", "1:1"),
        ("stride_tui = 1\n# é\x00\n", "2:4"),  # columns count characters, not bytes
    ],
)
def test_a_stray_nul_in_a_text_file_has_its_place(text: str, position: str) -> None:
    assert error_of(text.encode()) == (
        f"m.toml:{position}: error: NUL character (U+0000): a model file cannot hold one; delete it"
    )


@pytest.mark.parametrize("raw", [bytes(range(256)) * 4, b"\x7fELF\x02\x01\x01" + b"\x00" * 64, b"\x00" * 100])
def test_binary_files_are_called_binary(raw: bytes) -> None:
    assert error_of(raw) == "m.toml: error: binary file, not a TOML model"


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path, run_cli) -> None:
    fifo = tmp_path / "model.toml"
    os.mkfifo(fifo)
    result: list[tuple[int, str, str]] = []
    worker = threading.Thread(target=lambda: result.append(run_cli("validate", fifo)), daemon=True)
    worker.start()
    worker.join(10)
    if worker.is_alive():  # unblock the reader so the test run can go on, then fail
        with open(fifo, "wb") as handle:
            handle.write(b"")
        pytest.fail("validate waited on a FIFO")
    code, _, err = result[0]
    assert code == 2 and err == f"{fifo}: error: is a named pipe (FIFO), not a model file\n"


def test_a_symlink_to_an_endless_device_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "model.toml"
    link.symlink_to("/dev/zero")
    with pytest.raises(ModelError) as info:
        load_model(link)
    assert str(info.value.diagnostics[0]) == f"{link}: error: is a device, not a model file"


def test_never_more_than_the_size_cap_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file that grows after `stat` (or a special file reporting size 0) is cut at the cap."""
    monkeypatch.setattr(loader, "MAX_FILE_BYTES", 1000)
    path = tmp_path / "model.toml"
    path.write_bytes(b"#" * 5000)
    real_stat = os.stat

    def shrunk_stat(target, *args, **kwargs):  # type: ignore[no-untyped-def]
        result = real_stat(target, *args, **kwargs)
        if str(target) == str(path):
            return os.stat_result((*result[:6], 10, *result[7:]))  # st_size says 10 bytes
        return result

    reads: list[int] = []
    real_open = open

    class Spy:
        def __init__(self, handle):  # type: ignore[no-untyped-def]
            self.handle = handle

        def __enter__(self):  # type: ignore[no-untyped-def]
            return self

        def __exit__(self, *exc):  # type: ignore[no-untyped-def]
            self.handle.close()

        def read(self, size: int = -1) -> bytes:
            reads.append(size)
            return self.handle.read(size)

    monkeypatch.setattr(loader.os, "stat", shrunk_stat)
    monkeypatch.setattr("builtins.open", lambda p, mode="r", *a, **k: Spy(real_open(p, mode, *a, **k)))
    with pytest.raises(ModelError) as info:
        load_model(path)
    assert reads == [1001]
    assert "the limit for a model is 1,000 bytes" in str(info.value.diagnostics[0])


@pytest.mark.parametrize("blank", ["", "   ", "\u200b", "\u202e\u2066 ", "\ufeff"])
def test_titles_and_names_need_visible_text(blank: str) -> None:
    raw = f'stride_tui = 1\n[model]\ntitle = "T"\n[components.api]\nkind = "process"\nname = "{blank}"\n'
    assert error_of(raw.encode()) == (
        "m.toml:6:1: error: `components.api.name` needs visible text: blanks and invisible characters alone are not a name"
    )


def test_a_threat_dragon_name_of_invisible_characters_gets_the_fallback_name(tmp_path: Path, run_cli) -> None:
    import json

    document = json.loads((Path(__file__).resolve().parents[1] / "threat_dragon" / "generic-cms.json").read_text())

    def blank_names(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "name" and isinstance(value, str):
                    node[key] = "\u200b "
                else:
                    blank_names(value)
        elif isinstance(node, list):
            for item in node:
                blank_names(item)

    blank_names(document)
    source = tmp_path / "td.json"
    source.write_text(json.dumps(document))
    target = tmp_path / "model.toml"
    code, _, err = run_cli("import", source, "--from", "threat-dragon", "-o", target)
    assert code == 0, err
    model = load_model(target).model
    assert all(c.name and c.name.strip() for c in model.components.values())


def test_new_refuses_a_title_that_shows_nothing(tmp_path: Path, run_cli) -> None:
    code, _, err = run_cli("new", tmp_path / "m.toml", "--title", "\u200b")
    assert code == 2 and "needs visible text" in err and not (tmp_path / "m.toml").exists()


def test_a_threat_dragon_file_with_a_lone_surrogate_names_the_field(tmp_path: Path, run_cli) -> None:
    text = (Path(__file__).resolve().parents[1] / "threat_dragon" / "generic-cms.json").read_text()
    source = tmp_path / "td.json"
    source.write_text(text.replace('"name": "product managers"', '"name": "product \\ud800managers"', 1))
    target = tmp_path / "model.toml"
    code, _, err = run_cli("import", source, "--from", "threat-dragon", "-o", target)
    assert code == 2 and not target.exists()
    assert "invalid text at `detail.contributors[1].name`: it holds a lone UTF-16 surrogate" in err
    assert "internal error" not in err
