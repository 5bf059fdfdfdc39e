"""Remit check (是否本局职责): keep the order, return it to the hotline with the likely right department, or
call joint handling.

First version: the pollution category decides (everything classified as pollution is kept). A trained
department model replaces the score; the interface stays.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class RemitDecision:
    decision: str  # "keep", "return" or "joint"
    confidence: float
    department: str = ""
    reason: str = ""

    def as_payload(self) -> dict[str, object]:
        return {"decision": self.decision, "confidence": round(self.confidence, 3), "department": self.department,
                "reason": self.reason}


def check_remit(text: str, category_code: str) -> RemitDecision:
    if category_code == "other":
        return RemitDecision("keep", 0.3, "", "未能识别污染类型，请派单员确认")
    return RemitDecision("keep", 0.8, "", f"污染类型 {category_code} 属生态环境部门职责")
