"""Models under version control: semantic diff, git revisions and textconv."""
