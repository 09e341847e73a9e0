"""Font subsets are built automatically on a fresh machine, per tier, with renumbered glyphs."""

from __future__ import annotations

from fontTools.ttLib import TTFont

from webapp.documents.rendering import fonts
from webapp.documents.rendering.charsets import TIERS, tier_codepoints


def test_subsets_are_built_on_first_use_into_the_cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("DUBAN_FONT_CACHE", str(tmp_path / "fonts"))
    built = fonts.build_all()
    assert set(built) == {f"{face}-{tier}" for face in fonts.FACES for tier in TIERS}
    for key, (path, _seconds) in built.items():
        assert path is not None and path.parent == tmp_path / "fonts", key
        tier = key.rsplit("-", 1)[1]
        with TTFont(path) as font:
            cmap = set(font.getBestCmap())
            wanted = tier_codepoints(tier)
            assert cmap <= wanted and len(cmap) >= 0.95 * len(wanted), key
            # glyphs renumbered: no empty slots beyond the characters kept
            assert len(font.getGlyphOrder()) < 1.1 * len(cmap) + 50, key
    mtimes = {key: path.stat().st_mtime_ns for key, (path, _s) in built.items()}
    again = fonts.build_all()  # cached: the same files, not rebuilt
    assert {key: path.stat().st_mtime_ns for key, (path, _s) in again.items()} == mtimes


def test_tiers_do_not_overlap_and_cover_gb2312():
    core, l1, l2 = (tier_codepoints(t) for t in TIERS)
    assert not (core & l1) and not (core & l2) and not (l1 & l2)
    for char in "督办通知〔〕“”（）：；，。、ＡＢ１２AZaz09":
        assert ord(char) in core, char
    assert ord("琛") in l2 and ord("堃") not in core | l1 | l2  # 堃 is outside GB2312
    assert len(core | l1 | l2) > 7400
