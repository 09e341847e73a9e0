"""退回重办, then 办结反馈 again: the new feedback starts from the returned one.

The form is filled with the returned feedback's text, and its evidence files are offered to
carry over (kept by reference to the stored blobs, never uploaded again); the liaison edits
the text and drops or adds files. Only the unit's own latest final feedback, when the office
returned it, can be carried over.
"""

from __future__ import annotations

from collections.abc import Sequence

from webapp.errors import InvalidInput
from webapp.media.files import FileInfo
from webapp.media.store import has_blob
from webapp.supervision.models import Feedback, FeedbackKind, ReviewState, SupervisionItem


def returned_feedback(item: SupervisionItem, unit_id: int | None) -> Feedback | None:
    """The unit's latest final feedback on the item, if the office returned it."""
    finals = [f for f in item.feedback if f.kind == FeedbackKind.FINAL and f.unit_id == unit_id]
    if finals and finals[-1].review_state == ReviewState.RETURNED:
        return finals[-1]
    return None


def carried_attachments(item: SupervisionItem, unit_id: int | None,
                        ids: Sequence[str]) -> list[tuple[str, FileInfo]]:
    """The returned feedback's files the liaison keeps (by attachment id), as the
    (filename, FileInfo) pairs submit_feedback takes; anything else is refused."""
    if not ids:
        return []
    returned = returned_feedback(item, unit_id)
    rows = {str(a.id): a for a in returned.attachments} if returned else {}
    if any(i not in rows for i in ids):
        raise InvalidInput("要沿用的附件不在退回的办结反馈中，请刷新页面后重新选择",
                           field="keep_attachment")
    kept = [rows[i] for i in dict.fromkeys(ids)]
    missing = [a.filename for a in kept if not has_blob(a.sha256)]
    if missing:
        raise InvalidInput(f"附件“{missing[0]}”的文件已不存在，请重新上传", field="keep_attachment")
    return [(a.filename, FileInfo(a.sha256, a.size, a.content_type)) for a in kept]
