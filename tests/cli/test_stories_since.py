"""`stories --since REV`: only the stories of threats new or worse than at a git revision."""

from __future__ import annotations

import json

from ..shared import MINIMAL

NEW_FLOW = """
[components.ledger]
kind = "data_store"
name = "Ledger"

[flows.api-to-ledger]
from = "api"
to = "ledger"
data = "refunds"
encrypted = false
"""


def test_since_keeps_the_stories_of_the_feature_branch(git_repo, run_cli, monkeypatch) -> None:
    monkeypatch.chdir(git_repo.path)
    model = git_repo / "threat-model.toml"
    model.write_text(MINIMAL)
    git_repo.git("add", "threat-model.toml")
    git_repo.git("commit", "-q", "-m", "v1")

    rank = ["low", "medium", "high", "critical"]

    def threats_now() -> dict[str, int]:
        threats = json.loads(run_cli("threats", model, "--format", "json")[1])["threats"]
        return {t["id"]: rank.index(t["severity"]) for t in threats if t["status"] in ("open", "investigating")}

    before = threats_now()
    model.write_text(MINIMAL + NEW_FLOW)
    after = threats_now()
    # what the branch brought: threats that are new, or rated higher than before
    new = {t for t, severity in after.items() if t not in before or severity > before[t]}
    code, out, err = run_cli("stories", model, "--since", "HEAD", "--all", "--format", "json")
    assert code == 0, err
    since = json.loads(out)["stories"]
    assert since and {"tls-in-transit@api-to-ledger", "encryption-at-rest@ledger"} <= new
    for story in since:  # a story covers the threats the branch added or made worse, and no other
        assert set(story["threat_ids"]) <= new, story["id"]
    shown = {t for s in since for t in s["threat_ids"]}
    assert new <= shown
    assert len(since) < len(json.loads(run_cli("stories", model, "--all", "--format", "json")[1])["stories"])
    git_repo.git("commit", "-q", "-am", "v2")
    code, out, _ = run_cli("stories", model, "--since", "HEAD")
    assert code == 0 and "No undecided threat is new or worse since HEAD: nothing to add to the backlog." in out
    code, _, err = run_cli("stories", model, "--since", "no-such-rev")
    assert code == 2 and "no-such-rev" in err
