"""The demo (seed-demo) gives the dashboard something to show, and every figure of it still
equals its list."""

from __future__ import annotations

from webapp.cli import DEMO_PASSWORD


def test_demo_dashboard(app, runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    client = app.test_client()
    token = client.post("/api/v1/auth/token",
                        json={"username": "leader", "password": DEMO_PASSWORD}).json
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    figures = client.get("/api/v1/dashboard", headers=headers).json["figures"]
    value = {f["label"]: f["value"] for f in figures}
    assert value["当前逾期"] >= 3 and value["即将到期"] >= 1 and value["在办事项"] >= 10
    assert value["同一地点再次发现问题"] >= 1
    closed = [f["value"] for f in figures if f["section"] == "按月" and "已报结" in f["label"]]
    assert sum(closed) >= 1
    assert any(f["section"] == "问题类别" and f["value"] for f in figures)
    for f in figures:
        total = client.get(f["href"] + "&per_page=1", headers=headers).json["total"]
        assert total == f["value"], f
    assert runner.invoke(args=["figures-check"]).exit_code == 0
