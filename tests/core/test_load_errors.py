"""Every class of bad input gives a clear, positioned error and never a traceback."""

from __future__ import annotations

import pytest

from stride_tui.core.files import loader
from stride_tui.core.files.diagnostics import ModelError
from stride_tui.core.files.loader import parse_model

from ..shared import INVALID, MINIMAL

INVALID_FILES = sorted(INVALID.glob("*.toml"))


@pytest.mark.parametrize("path", INVALID_FILES, ids=lambda p: p.stem)
def test_invalid_file_reports_expected_errors(path, run_cli, monkeypatch):
    monkeypatch.chdir(INVALID)
    code, out, err = run_cli("validate", path.name)
    assert code == 2
    assert out == ""
    assert err == (INVALID / f"{path.stem}.expected").read_text(encoding="utf-8")
    assert "Traceback" not in err


def errors_of(raw: bytes) -> list[str]:
    with pytest.raises(ModelError) as info:
        parse_model(raw, "m.toml")
    return [str(d) for d in info.value.diagnostics]


def test_all_problems_reported_in_one_run():
    errors = errors_of((INVALID / "types-and-enums.toml").read_bytes())
    assert len(errors) == 12
    assert all(e.startswith("m.toml:") for e in errors)


def test_invalid_utf8_names_line_and_column():
    raw = MINIMAL.encode().replace(b'name = "API"', b'name = "AP\xffI"')
    line = MINIMAL.splitlines().index('name = "API"') + 1
    assert errors_of(raw) == [f"m.toml:{line}:11: error: invalid UTF-8 (byte 0xff); save the file as UTF-8"]


def test_utf8_bom_is_accepted():
    loaded = parse_model(b"\xef\xbb\xbf" + MINIMAL.encode(), "m.toml")
    assert loaded.model.model.title == "Minimal"


def test_crlf_line_endings_are_accepted():
    loaded = parse_model(MINIMAL.replace("\n", "\r\n").encode(), "m.toml")
    assert list(loaded.model.components) == ["user", "api"]


def test_binary_file_is_refused():
    assert errors_of(b"\x89PNG\r\n\x1a\n\x00\x00") == ["m.toml: error: binary file, not a TOML model"]


def test_whitespace_only_file_is_empty():
    assert errors_of(b"  \n\n") == ["m.toml: error: file is empty; `stride-tui new FILE` writes a minimal model"]


def test_oversize_file_is_refused_before_parsing(monkeypatch):
    monkeypatch.setattr(loader, "MAX_FILE_BYTES", 100)
    errors = errors_of(MINIMAL.encode())
    assert len(errors) == 1 and "the limit for a model is 100 bytes" in errors[0]


def test_oversize_file_on_disk_is_refused_without_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(loader, "MAX_FILE_BYTES", 100)
    path = tmp_path / "big.toml"
    path.write_text(MINIMAL)
    with pytest.raises(ModelError) as info:
        loader.load_model(path)
    assert "limit for a model is 100 bytes" in str(info.value)


@pytest.mark.parametrize("depth", [30, 5000])
def test_absurd_nesting_is_capped(depth):
    raw = (MINIMAL + "\n[threats.t]\nx = " + "[" * depth + "]" * depth + "\n").encode()
    errors = errors_of(raw)
    assert len(errors) == 1 and "nested too deeply" in errors[0]


def test_absurd_nesting_in_a_known_field_is_capped_with_its_place():
    # the depth is checked only once validation fails: a field of the schema holding the deep
    # value fails it too, and the depth error (placed) is the one reported
    raw = MINIMAL.replace('name = "API"', 'name = "API"\ntags = ' + "[" * 30 + "]" * 30).encode()
    line = MINIMAL.splitlines().index('name = "API"') + 2
    assert errors_of(raw) == [f"m.toml:{line}:1: error: values nested too deeply (more than {loader.MAX_DEPTH} levels)"]


def test_a_toml_error_in_a_model_with_true_values_gets_no_ini_hint():
    # every model has table headers and `internet = true`: only the failing line decides
    raw = MINIMAL.replace('name = "API"', 'name = "A\x1bPI"').encode()
    assert "internet = true" in MINIMAL
    (error,) = errors_of(raw)
    assert "invalid TOML" in error and "INI" not in error


def test_unknown_key_names_the_line_of_the_key():
    raw = MINIMAL.replace('protocol = "https"', 'protocol = "https"\nencryptd = true').encode()
    line = MINIMAL.count("\n") + 1
    assert errors_of(raw) == [
        f"m.toml:{line}:1: error: unknown key `encryptd` in [flows.user-to-api] (did you mean `encrypted`?)"
    ]


def test_quoted_and_dotted_keys_are_located():
    raw = (MINIMAL + '\n[components."web"]\nkind = "process"\n"odd key" = 1\n').encode()
    errors = errors_of(raw)
    last_line = (MINIMAL + '\n[components."web"]\nkind = "process"\n').count("\n") + 1
    assert errors == [f"m.toml:{last_line}:1: error: unknown key `odd key` in [components.web]"]


def test_key_after_multiline_string_is_located():
    text = MINIMAL.replace(
        'name = "API"', 'name = "API"\ndescription = """\nfake = "line"\n[not.a.table]\n"""\nbogus = 1'
    )
    line = text.splitlines().index("bogus = 1") + 1
    assert errors_of(text.encode()) == [f"m.toml:{line}:1: error: unknown key `bogus` in [components.api]"]


def test_control_character_escape_in_a_tag_is_rejected():
    raw = MINIMAL.replace('name = "API"', 'name = "API"\ntags = ["ok", "bad\\u001b[2J"]').encode()
    (error,) = errors_of(raw)
    assert "components.api.tags[1]" in error and "U+001B" in error


def test_orphan_decision_is_not_an_error():
    raw = (MINIMAL + '\n[decisions."no-such-rule@ghost"]\nstatus = "accepted"\n').encode()
    loaded = parse_model(raw, "m.toml")
    assert "no-such-rule@ghost" in loaded.model.decisions


def test_bidi_override_in_a_name_is_a_warning():
    raw = MINIMAL.replace('name = "API"', 'name = "API \u202eevil"').encode()
    loaded = parse_model(raw, "m.toml")
    (warning,) = loaded.warnings
    assert warning.level == "warning" and "U+202E" in warning.message and warning.line == 17


@pytest.mark.parametrize(
    "spelled", ["\\u202eevil", "\\U0000202Eevil", "\\u200b", "é \u200b"], ids=["u", "U", "zero-width", "literal"]
)
def test_invisible_characters_spelled_as_escapes_in_an_ascii_file_are_warned_of_too(spelled):
    """The loader skips the look at every field when the file cannot hold such a character; a
    file that spells one with an escape (all ASCII) still gets its warning."""
    raw = MINIMAL.replace('name = "API"', f'name = "API {spelled}"').encode()
    loaded = parse_model(raw, "m.toml")
    (warning,) = loaded.warnings
    assert warning.level == "warning" and warning.line == 17


def test_an_ascii_file_without_escapes_has_no_text_warnings():
    loaded = parse_model(MINIMAL.replace('name = "API"', 'name = "API \\\\x"').encode(), "m.toml")
    assert loaded.warnings == [] and loaded.model.components["api"].name == "API \\x"


def test_comments_are_found_outside_strings_only():
    text = MINIMAL.replace('name = "API"', 'name = "C# # not a comment"  # a comment') + "# trailing\n"
    loaded = parse_model(text.encode(), "m.toml")
    lines = text.splitlines()
    assert loaded.comment_lines == [
        lines.index('name = "C# # not a comment"  # a comment') + 1,
        len(lines),
    ]


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(ModelError, match="no such file"):
        loader.load_model(tmp_path / "nope.toml")
    with pytest.raises(ModelError, match="is a directory"):
        loader.load_model(tmp_path)


def test_boundary_nesting_depth_is_capped_quickly():
    chain = "".join(f'[boundaries.b{i}]\nparent = "b{i + 1}"\n\n' for i in range(2000)) + "[boundaries.b2000]\n"
    raw = f'stride_tui = 1\n\n[model]\ntitle = "Deep"\n\n{chain}'.encode()
    (error,) = errors_of(raw)
    assert "is nested 33 levels deep; at most 32 are allowed" in error


def test_thirty_two_levels_are_fine():
    chain = "".join(f'[boundaries.b{i}]\nparent = "b{i + 1}"\n\n' for i in range(31)) + "[boundaries.b31]\n"
    loaded = parse_model(f'stride_tui = 1\n\n[model]\ntitle = "Deep"\n\n{chain}'.encode(), "m.toml")
    assert len(loaded.model.boundaries) == 32


def test_a_boundary_cannot_be_the_internet_and_not_at_once(tmp_path):
    from stride_tui.core.files.diagnostics import ModelError
    from stride_tui.core.files.loader import load_model

    path = tmp_path / "m.toml"
    path.write_text('stride_tui = 1\n[model]\ntitle = "x"\n[boundaries.net]\nkind = "internet"\ninternet = false\n')
    with pytest.raises(ModelError) as caught:
        load_model(path)
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.line == 6 and 'kind = "internet" but internet = false' in diagnostic.message
