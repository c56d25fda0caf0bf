"""Every word a person reads in a report, in Vietnamese, defined once.

Code, logs and the CLI speak English; tables, headings and status words in the HTML, XLSX and Markdown
outputs come from here only.
"""

from __future__ import annotations

from types import MappingProxyType

# Status of one (plan, requirement) cell: the machine's three, the reviewer's "justified", and n/a.
STATUS = MappingProxyType({
    "covered": "Đã đáp ứng",
    "partial": "Đáp ứng một phần",
    "missing": "Chưa đáp ứng",
    "justified": "Có giải trình",
    "n/a": "Không áp dụng",
    "none": "Chưa đánh giá",
})
STALE = "Cần xem lại"
SUSPECT = "Kết quả cũ: kế hoạch cấp trên hoặc quy tắc đã thay đổi"
MACHINE = "Máy đánh giá"
REVIEWED = "Người rà soát"

DOC_KIND = MappingProxyType({
    "district": "Cấp huyện",
    "commune": "Cấp xã",
    "agency": "Sở, ban, ngành",
    "province": "Cấp tỉnh",
    "ministry": "Bộ, ngành Trung ương",
    "party": "Cấp ủy đảng",
})
REQUIREMENT_KIND = MappingProxyType({
    "task": "Nhiệm vụ",
    "subtask": "Nhiệm vụ chi tiết",
    "target": "Chỉ tiêu",
    "assignment": "Phân công",
    "reference": "Văn bản viện dẫn",
})
SEVERITY = MappingProxyType({"error": "Lỗi", "warning": "Cảnh báo", "info": "Lưu ý"})
GROUP = MappingProxyType({"references": "Văn bản viện dẫn", "II.2": "Chỉ tiêu (II.2)"})
COMPARE = MappingProxyType({"equal": "Bằng", "higher": "Cao hơn", "lower": "Thấp hơn", "unknown": "Không so sánh được"})

COLUMN = MappingProxyType({
    "document": "Văn bản",
    "name": "Tên tệp",
    "path": "Đường dẫn",
    "issuer": "Cơ quan ban hành",
    "title": "Trích yếu",
    "number": "Số, ký hiệu",
    "date": "Ngày ban hành",
    "kind": "Cấp",
    "requirement": "Yêu cầu",
    "requirement_text": "Nội dung yêu cầu",
    "group": "Nhóm",
    "status": "Kết quả",
    "machine_status": "Máy đánh giá",
    "score": "Điểm",
    "evidence": "Căn cứ trong kế hoạch",
    "page": "Trang",
    "clause": "Mục",
    "why": "Giải thích",
    "review": "Ý kiến rà soát",
    "reviewer": "Người rà soát",
    "at": "Thời điểm",
    "note": "Ghi chú",
    "coverage": "Tỷ lệ đáp ứng",
    "indicator": "Chỉ tiêu",
    "period": "Giai đoạn",
    "province_value": "Tỉnh giao",
    "plan_value": "Kế hoạch ghi",
    "comparison": "So sánh",
    "code": "Mã",
    "severity": "Mức độ",
    "message": "Nội dung",
    "as_written": "Cách ghi trong văn bản",
    "expected": "Đúng là",
    "error": "Lỗi",
    "count": "Số lượng",
})

HEADING = MappingProxyType({
    "matrix": "Ma trận đối chiếu việc thực hiện",
    "heatmap": "Tỷ lệ đáp ứng theo nhóm yêu cầu",
    "cells": "Chi tiết từng yêu cầu",
    "documents": "Các văn bản đã đối chiếu",
    "failed": "Văn bản không đọc được",
    "ignored": "Tệp không đọc (bỏ qua)",
    "withdrawn": "Văn bản đã rút (không còn trong thư mục quét)",
    "report": "Báo cáo đối chiếu kế hoạch",
    "summary": "Tổng hợp",
    "requirements": "Các yêu cầu của kế hoạch cấp trên (chưa đáp ứng trước)",
    "targets": "So sánh chỉ tiêu với kế hoạch cấp trên",
    "legal": "Viện dẫn văn bản (dành cho bộ phận pháp chế)",
    "references": "Văn bản phải viện dẫn",
    "findings": "Sai sót viện dẫn",
    "parent": "Kế hoạch cấp trên",
    "choose_parent": "Chọn kế hoạch cấp trên để xem ma trận đối chiếu",
    "other_parents": "Kế hoạch cấp trên khác trong cơ sở dữ liệu",
    "none": "Không có",
    "coverage_note": "Tỷ lệ = (đã đáp ứng + có giải trình + ½ đáp ứng một phần) / số yêu cầu áp dụng",
})


def review_line(review: dict | None, escape=str) -> str:
    """A reviewer's decision in words: "Có giải trình: note (who, when) — Cần xem lại"; ``escape`` is the
    output format's escaping of the free text (note, reviewer)."""
    if not review:
        return ""
    stale = f" — {STALE}" if review["stale"] else ""
    return f"{STATUS[review['status']]}: {escape(review['note'])} ({escape(review['reviewer'])}, {review['at']}){stale}"
