"""Other tools' formats: Threat Dragon."""
