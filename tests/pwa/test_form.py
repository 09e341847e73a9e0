"""The inspection form on the phone: evidence is not lost by one tap."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.pwa.conftest import log_in, stored, wait_until
from tests.pwa.test_outbox import fill_inspection, picture

pytestmark = pytest.mark.browser


def test_deleting_a_photo_asks_first(phone, live_url, inspector, checklist):
    """Photos of an unannounced visit cannot be taken again: × asks, like deleting a finding."""
    log_in(phone, live_url, inspector)
    uuid = fill_inspection(phone, checklist["dress"], picture())
    item = phone.locator(f"[data-item='{checklist['dress']}']")
    asked, answers = [], [False, True]
    phone.on("dialog", lambda d: (asked.append(d.message),
                                  d.accept() if answers.pop(0) else d.dismiss()))
    remove = item.get_by_role("button", name="删除照片 IMG_001.jpg")

    remove.click()  # "取消": nothing happens
    wait_until(phone, lambda: len(asked) == 1)
    assert asked[0] == "删除这张照片“IMG_001.jpg”？暗访照片往往无法补拍，删除后不能恢复。"
    phone.reload()
    phone.wait_for_selector("body[data-view='form']")
    expect(item.locator("[data-photo][data-stored='1']")).to_have_count(1)
    assert len(stored(phone, "photos")) == 1

    remove.click()  # "确定": gone from the form and from the phone
    expect(item.locator("[data-photo]")).to_have_count(0)
    wait_until(phone, lambda: stored(phone, "photos") == [])
    record = next(r for r in stored(phone, "inspections") if r["uuid"] == uuid)
    assert record["checklist"][str(checklist["dress"])]["photos"] == []
    assert len(asked) == 2
