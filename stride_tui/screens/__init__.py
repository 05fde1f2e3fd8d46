"""The editor's screens: they own what is shown, route widget messages and call core."""

from .choice_screen import Choice, ChoiceScreen
from .load_error_screen import LoadErrorScreen
from .main_screen import MainScreen

__all__ = ["Choice", "ChoiceScreen", "LoadErrorScreen", "MainScreen"]
