"""The editor's screens: they own what is shown and route widget messages."""

from .load_error_screen import LoadErrorScreen
from .main_screen import MainScreen

__all__ = ["LoadErrorScreen", "MainScreen"]
