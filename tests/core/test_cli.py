"""Whole-application commands: init-db, seed-demo (skipping when not empty), check-setup,
the WSGI entry. Backup and restore: test_backup.py."""

from sqlalchemy import func, select

from webapp.extensions import db
from webapp.supervision.models import SupervisionItem


def test_init_db_is_idempotent(runner):
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert "数据库已就绪" in result.output


def test_seed_demo_if_empty_skips_a_used_database(app, runner, office):
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "跳过" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(SupervisionItem.id))) == 0


def test_check_setup_passes_on_a_machine_set_up_by_make(runner):
    """CI's machine is set up by `make test`: fonts and libharfbuzz-subset must be there."""
    result = runner.invoke(args=["check-setup"])
    assert result.exit_code == 0, result.output
    assert "环境检查通过" in result.output


def test_the_wsgi_entry_starts_and_warms_rendering(tmp_path):
    """What gunicorn loads (`webapp.wsgi:app`): it starts on a new instance, checks the set-up
    and warms rendering up before the workers fork."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'w.sqlite3'}",
           "DUBAN_SECRET_KEY": "k", "DUBAN_AUDIT_HMAC_KEY": "a",
           "DUBAN_UPLOAD_ROOT": str(tmp_path / "uploads")}
    code = "import webapp.wsgi as w; print(w.app.name, sorted(w.app.blueprints)[:1])"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert "rendering warmed up" in result.stderr
    assert result.stdout.startswith("webapp")
