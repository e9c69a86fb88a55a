#!/usr/bin/env python3
"""Prints the BENCHMARKS.md ratio table from criterion's saved estimates (medians).

Usage: python3 benches/ratios.py [CRITERION_DIR]   (default: $CARGO_TARGET_DIR/criterion or target/criterion)
"""
import json
import os
import sys

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.environ.get("CARGO_TARGET_DIR", "target"), "criterion")


def median(group, function, param):
    path = os.path.join(root, group, function, param, "new", "estimates.json")
    try:
        with open(path) as f:
            return json.load(f)["median"]["point_estimate"]
    except FileNotFoundError:
        return None


def fmt_time(ns):
    if ns is None:
        return "n/a"
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


rows = []


def ratio(what, group, ours, base, params, target=None, invert=False):
    for p in params:
        a, b = median(group, ours, p), median(group, base, p)
        if a is None or b is None:
            continue
        r = (b / a) if invert else (a / b)
        if target is None:
            verdict = ""
        elif invert:
            verdict = "met" if r >= target else "MISSED"
        else:
            verdict = "met" if r <= target else "MISSED"
        shown_target = "" if target is None else (f"≥ {target:.0%}" if invert else f"≤ {target}×")
        shown = f"{r:.0%}" if invert else f"{r:.2f}×"
        rows.append((f"{what} ({p})", fmt_time(a), fmt_time(b), shown, shown_target, verdict))


algs = ["RS256", "PS256", "ES256", "ES384", "EdDSA"]
ratio("JAdES sign_detached vs raw ring sign", "sign", "jades_sign_detached", "raw_ring", algs)
ratio("JAdES verify_detached (parsed) vs raw ring verify", "verify", "jades_verify_detached", "raw_ring", algs)
ratio("JAdES parse + verify_detached vs raw ring verify", "verify", "jades_parse_and_verify", "raw_ring", algs)
pv = "package_verify_1MiB"
ratio("package verify, chain cached vs 2 sigs + SHA-256", pv, "verify_warm", "raw_warm", ["ES256", "RS256"], 1.15)
ratio("package verify, chain cold vs 2 sigs + 4 cert sigs + SHA-256", pv, "verify_cold", "raw_cold_certs", ["ES256", "RS256"], 1.5)
ratio("package verify, chain cold vs 2 sigs + 4 cert + 4 CRL sigs + SHA-256", pv, "verify_cold", "raw_cold_certs_and_crls", ["ES256", "RS256"], 1.5)
ratio("package verify_bytes (parse included), cached vs 2 sigs + SHA-256", pv, "verify_bytes_warm", "raw_warm", ["ES256", "RS256"])
ratio("package sign (one signature) vs SHA-256 + raw sign", "package_sign_1MiB", "package_sign", "raw_hash_and_sign", ["ES256", "RS256", "EdDSA"], 1.15)
ratio("detached attachment check_reader: speed vs raw SHA-256", "attachment_hashing", "check_reader", "raw_sha256", ["1MiB", "100MiB"], 0.9, invert=True)
ratio("hash_stream: speed vs raw SHA-256", "attachment_hashing", "hash_stream", "raw_sha256", ["1MiB", "100MiB"], 0.9, invert=True)
ratio("package parse vs base64 decode of the attachment", "package_format", "parse", "raw_base64_decode", ["small", "10MiB"])
ratio("package to_json vs base64 encode of the attachment", "package_format", "to_json", "raw_base64_encode", ["small", "10MiB"])
ratio("Router::submit vs verify only (route bench)", "submit", "submit", "verify_only", ["1KiB", "256KiB"], 1.3)

print("| measurement | edoc (median) | baseline (median) | ratio | target | |")
print("|---|---|---|---|---|---|")
for r in rows:
    print("| " + " | ".join(r) + " |")
c = median("canonicalization", "header_canonical_bytes", "") if False else None
path = os.path.join(root, "canonicalization", "header_canonical_bytes", "new", "estimates.json")
if os.path.exists(path):
    with open(path) as f:
        print(f"\nheader canonicalization: {fmt_time(json.load(f)['median']['point_estimate'])}")
