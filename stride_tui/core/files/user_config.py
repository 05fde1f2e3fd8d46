"""The user's own settings: ``$XDG_CONFIG_HOME/stride-tui/config.toml`` (default ``~/.config``).

Holds what the editor should remember between runs — today the theme chosen in the command
palette. Written through the one atomic write (temp file, fsync, rename), so a crash never
leaves half a file. A file that cannot be read or makes no sense is reported with its path and
line and otherwise ignored: settings are a convenience, never a reason not to start.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import tomli
import tomli_w

from stride_tui.core.files.storage import atomic_write

_KEYS = {"theme"}
_LINE = re.compile(r"at line (\d+)")


@dataclass(frozen=True)
class UserConfig:
    """The settings; None means "not set" (the editor's default applies)."""

    theme: str | None = None


def config_path(environ: os._Environ[str] | dict[str, str] | None = None) -> Path:
    """Where the settings live: ``$XDG_CONFIG_HOME/stride-tui/config.toml``, per the XDG spec
    (an unset, empty or relative ``XDG_CONFIG_HOME`` means ``~/.config``)."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_CONFIG_HOME", "")
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".config"
    return root / "stride-tui" / "config.toml"


def load_config(path: Path) -> tuple[UserConfig, str | None]:
    """The settings in ``path`` and a problem to report (``PATH:LINE: error: …``), or None.

    A missing file is no problem; a broken one gives the defaults and says why.
    """
    try:
        data = tomli.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return UserConfig(), None
    except tomli.TOMLDecodeError as error:
        match = _LINE.search(str(error))
        where = f"{path}:{match.group(1)}" if match else str(path)
        return UserConfig(), f"{where}: error: {error}; settings ignored"
    except (OSError, UnicodeDecodeError) as error:
        return UserConfig(), f"{path}: error: cannot read: {error}; settings ignored"
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        return UserConfig(), f"{path}: error: unknown setting {', '.join(unknown)} (known: theme); settings ignored"
    theme = data.get("theme")
    if theme is not None and (not isinstance(theme, str) or not theme.strip()):
        return UserConfig(), f"{path}: error: theme must be a theme's name (text); settings ignored"
    return UserConfig(theme=theme), None


def save_config(path: Path, config: UserConfig) -> None:
    """Write ``config`` to ``path`` atomically, creating its folder (only the settings that are set).

    Raises:
        SaveError, OSError: the folder or file cannot be written.
    """
    data = {key: value for key, value in (("theme", config.theme),) if value is not None}
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, tomli_w.dumps(data).encode("utf-8"))


def colour_disabled(environ: os._Environ[str] | dict[str, str] | None = None) -> bool:
    """Whether colour is off: ``NO_COLOR`` set to anything but the empty string (no-color.org)."""
    env = os.environ if environ is None else environ
    return bool(env.get("NO_COLOR"))
