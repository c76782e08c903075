"""The words of the reminders' buttons and of the answers to them; the messages themselves are
templates/messages/reminders/ (bot/reminders/texts.py)."""

from __future__ import annotations

CONTINUE_BUTTON = "继续填写"
REVIEW_BUTTON = "查看并审核"
SNOOZE_1_BUTTON = "1天后提醒"
SNOOZE_3_BUTTON = "3天后提醒"
MUTE_BUTTON = "今年不再提醒"
SNOOZED = "好的，将在{when}再提醒您。"
MUTED = "好的，今年不再发送填报提醒。"
NOT_YOURS = "这条提醒不是发给您的。"
GONE = "这条提醒已失效。"
CLI_NO_AGENCY = "找不到单位：{}"
CLI_NO_DATABASE = "无法读取数据库：{}"
