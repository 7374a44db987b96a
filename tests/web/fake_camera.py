"""A QR code as the video of Chromium's fake camera (--use-file-for-fake-video-capture reads a .y4m file)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import segno

WIDTH, HEIGHT = 640, 480


def qr_video(text: str, path: Path) -> Path:
    """One frame (Chromium loops it) of `text` as a QR code, black on white in the middle, YUV 4:2:0."""
    modules = np.array([list(row) for row in segno.make_qr(text, error="m").matrix], dtype=bool)
    quiet = 4
    size = modules.shape[0] + 2 * quiet
    scale = (min(WIDTH, HEIGHT) - 40) // size
    code = np.pad(modules, quiet).repeat(scale, axis=0).repeat(scale, axis=1)
    luma = np.full((HEIGHT, WIDTH), 255, dtype=np.uint8)
    top, left = (HEIGHT - code.shape[0]) // 2, (WIDTH - code.shape[1]) // 2
    luma[top : top + code.shape[0], left : left + code.shape[1]] = np.where(code, 0, 255).astype(np.uint8)
    chroma = np.full((HEIGHT // 2, WIDTH // 2), 128, dtype=np.uint8)
    header = f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode()
    path.write_bytes(header + b"FRAME\n" + luma.tobytes() + chroma.tobytes() + chroma.tobytes())
    return path


def fake_camera_args(video: Path) -> list[str]:
    """Chromium's switches for a camera that films `video`, allowed without asking."""
    return [
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]
