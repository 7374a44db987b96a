"""The WeCom group robot's message JSON (企业微信群机器人): text and markdown, within their byte limits.

POST https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=KEY with one of
  {"msgtype": "text", "text": {"content": ..., "mentioned_list": [...]}}      content <= 2048 bytes
  {"msgtype": "markdown", "markdown": {"content": ...}}                       content <= 4096 bytes
The robot answers {"errcode": 0, "errmsg": "ok"}; it accepts 20 messages a minute.
"""

from __future__ import annotations

from typing import Any

TEXT_LIMIT = 2048
MARKDOWN_LIMIT = 4096


def clip(content: str, limit: int) -> str:
    """Cut at a character boundary so the UTF-8 encoding fits `limit` bytes (Chinese is 3 bytes a character)."""
    encoded = content.encode()
    if len(encoded) <= limit:
        return content
    return encoded[: limit - 3].decode(errors="ignore") + "…"


def text(content: str, mentioned: list[str] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"content": clip(content, TEXT_LIMIT)}
    if mentioned:
        body["mentioned_list"] = mentioned
    return {"msgtype": "text", "text": body}


def markdown(content: str) -> dict[str, Any]:
    return {"msgtype": "markdown", "markdown": {"content": clip(content, MARKDOWN_LIMIT)}}
