#!/usr/bin/env python3
"""Writes the tlog-cosignature/v1 vectors (cosig_*) from the spec text alone.

Independent of our C++ code: Python's `cryptography` package (OpenSSL Ed25519)
signs the message defined in c2sp.org/tlog-cosignature, "Ed25519 signed message":
  "cosignature/v1\n" "time <decimal>\n" <checkpoint note text>
with the witness key of go_note_peter.key (a standard signed-note private key, as
transparency-dev/formats NewSignerForCosignatureV1 takes). Run from this directory:
  python3 make_cosignature_vectors.py
"""
import base64, hashlib, struct
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives import serialization

skey = open("go_note_peter.key").read().strip().split("+", 4)
name, seed = skey[2], base64.b64decode(skey[4])[1:]
priv = Ed25519PrivateKey.from_private_bytes(seed)
pub = priv.public_key().public_bytes(serialization.Encoding.Raw,
                                     serialization.PublicFormat.Raw)
key_id = hashlib.sha256(name.encode() + b"\n" + b"\x04" + pub).digest()[:4]
vkey = "%s+%s+%s" % (name, key_id.hex(), base64.b64encode(b"\x04" + pub).decode())
open("cosig_peter.vkey", "w").write(vkey + "\n")

text = ("example.com/behind-the-sofa\n20852163\n"
        "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n")
ts = 1679315147
msg = ("cosignature/v1\ntime %d\n" % ts).encode() + text.encode()
sig = priv.sign(msg)
line = "\u2014 %s %s\n" % (name, base64.b64encode(key_id + struct.pack(">Q", ts) + sig).decode())
open("cosig_peter_checkpoint.note", "w", encoding="utf-8").write(text + "\n" + line)
