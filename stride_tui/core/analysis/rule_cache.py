"""The analyzer for a model's rule files, kept while the files it was built from stay the same."""

from __future__ import annotations

from pathlib import Path

from stride_tui.core.analysis.engine import Analysis, Analyzer
from stride_tui.core.analysis.rules import builtin_rules, rules_for
from stride_tui.core.files.diagnostics import ModelError
from stride_tui.core.model.elements import ThreatModel


class RuleCache:
    """One `Analyzer` per (model file, rule files); an analyzer keeps the findings of elements
    that did not change between edits, so reusing it makes re-analysis cheap."""

    def __init__(self) -> None:
        self._key: tuple[str, tuple[str, ...], tuple[tuple[int, int] | None, ...]] | None = None
        self._analyzer: Analyzer | None = None
        self._resolved: tuple[Path, str] | None = None
        self.problem: str | None = None
        """Why the model's own rule files could not be used (built-in rules run instead)."""

    def analyzer(self, model: ThreatModel, path: Path) -> Analyzer:
        """The analyzer for ``model`` saved at ``path`` (rule files are relative to it)."""
        if self._resolved is None or self._resolved[0] != path:
            self._resolved = (path, str(path.resolve()))
        files = tuple(model.model.rule_files or ())
        # a rule file edited on disk is a new rule set: every element is analysed again
        key = (self._resolved[1], files, tuple(_stamp(path.parent / f) for f in files))
        if self._analyzer is not None and self._key == key:
            return self._analyzer
        try:
            rules = rules_for(path, model.model.rule_files)
            self.problem = None
        except ModelError as error:
            rules = builtin_rules()
            first = error.diagnostics[0] if error.diagnostics else None
            self.problem = f"rule files not used: {first}" if first else "rule files not used"
        self._key, self._analyzer = key, Analyzer(rules)
        return self._analyzer

    def analyse(self, model: ThreatModel, path: Path) -> Analysis:
        """Analyse ``model`` saved at ``path`` with its rules."""
        return self.analyzer(model, path).analyse(model)

    def forget(self) -> None:
        """Build the analyzer again next time (the model file moved or was reloaded)."""
        self._key = self._analyzer = None


def _stamp(file: Path) -> tuple[int, int] | None:
    """When a file last changed and its size, or None when it cannot be read."""
    try:
        stat = file.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size
