#!/usr/bin/env python3
"""Verify an edoc JAdES detached signature with jwcrypto (a third-party JOSE library).

Usage: verify_jws.py SIGNATURE.json URI=FILE [URI=FILE ...]

SIGNATURE.json is a flattened JWS JSON object {"protected", "signature"} with no payload.
The signature is checked by jwcrypto with the public key of the x5c leaf, over the empty
detached payload (JAdES sigD: the signing input is BASE64URL(protected) + "."). jwcrypto does
not know JAdES, so this script also checks the sigD part itself: pars equal the given URIs in
order, and each hashV is SHA-256 of the file's raw bytes (b64 false) or of its base64url text.
Exit 0 and "jwcrypto: verified" on success, 1 with the reason otherwise.
"""
import base64
import hashlib
import json
import sys

from cryptography import x509
from jwcrypto import jwk, jws
from jwcrypto.common import JWSEHeaderParameter


def b64u_decode(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def b64u_encode(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=")


def main():
    sig_path, pairs = sys.argv[1], sys.argv[2:]
    with open(sig_path) as f:
        raw = f.read()
    header = json.loads(b64u_decode(json.loads(raw)["protected"]))

    leaf = x509.load_der_x509_certificate(base64.b64decode(header["x5c"][0]))
    key = jwk.JWK.from_pyca(leaf.public_key())

    # jwcrypto refuses crit members it does not know: register sigD (b64 it knows).
    # srCms and iat are not critical, as in DSS, so jwcrypto need not understand them.
    registry = {"sigD": JWSEHeaderParameter("JAdES signed data objects", True, True, None)}
    token = jws.JWS(header_registry=registry)
    token.deserialize(raw)
    token.verify(key, detached_payload=b"")

    sig_d = header["sigD"]
    assert sig_d["mId"] == "http://uri.etsi.org/19182/ObjectIdByURIHash", sig_d["mId"]
    assert sig_d["hashM"] == "S256", sig_d["hashM"]
    uris = [p.split("=", 1)[0] for p in pairs]
    if sig_d["pars"] != uris:
        raise SystemExit("pars %r differ from %r" % (sig_d["pars"], uris))
    for (uri, path), digest in zip((p.split("=", 1) for p in pairs), sig_d["hashV"]):
        with open(path, "rb") as f:
            data = f.read()
        if header.get("b64", True):
            data = b64u_encode(data)
        if b64u_decode(digest) != hashlib.sha256(data).digest():
            raise SystemExit("hashV mismatch for %s" % uri)
    print("jwcrypto: verified", header["alg"])


if __name__ == "__main__":
    try:
        main()
    except SystemExit:
        raise
    except Exception as e:  # any jwcrypto refusal is a failed verification
        print("jwcrypto: REJECTED: %r" % e)
        sys.exit(1)
