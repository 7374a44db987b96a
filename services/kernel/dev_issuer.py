"""The development token issuer: an RSA key kept in `.run/`, and tokens signed with it.

Never used in production, where tokens come from the community's OpenID Connect provider.
"""

from __future__ import annotations

import functools
import time
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from services.kernel.settings import RUN_DIR

PRIVATE_NAME = "dev-jwt-private.pem"
PUBLIC_NAME = "dev-jwt-public.pem"
ISSUER = "linli-dev"
AUDIENCE = "linli"


def ensure_key(run_dir: Path = RUN_DIR) -> tuple[Path, Path]:
    """Create the key pair once; later calls reuse it so tokens stay valid across restarts."""
    run_dir.mkdir(parents=True, exist_ok=True)
    private, public = run_dir / PRIVATE_NAME, run_dir / PUBLIC_NAME
    if not private.exists():
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        private.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        private.chmod(0o600)
        public.write_bytes(
            key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        )
    return private, public


def issue_token(
    sub: str,
    roles: list[str],
    *,
    name: str | None = None,
    community: str = "meihu",
    building_group: int | None = None,
    ttl_seconds: int = 30 * 24 * 3600,
    run_dir: Path = RUN_DIR,
) -> str:
    private, _ = ensure_key(run_dir)
    now = int(time.time())
    claims: dict[str, object] = {
        "sub": sub,
        "name": name or sub,
        "community": community,
        "roles": roles,
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + ttl_seconds,
    }
    if building_group is not None:
        claims["building_group"] = building_group
    return jwt.encode(
        claims, _signing_key(private, private.stat().st_mtime_ns), algorithm="RS256", headers={"kid": "linli-dev"}
    )


@functools.lru_cache(maxsize=8)
def _signing_key(path: Path, _mtime: int) -> RSAPrivateKey:
    """The parsed key, once per file version: parsing the PEM costs ~40 ms, signing ~1 ms."""
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    assert isinstance(key, RSAPrivateKey)
    return key
