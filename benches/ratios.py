#!/usr/bin/env python3
"""Prints the BENCHMARKS.md ratio table from the interleaved measurements the benches write to
<target>/edoc-ratios/*.json (see benches/common/mod.rs `interleaved`).

Usage: python3 benches/ratios.py [TARGET_DIR]   (default: $CARGO_TARGET_DIR or ./target)
"""
import glob
import json
import os
import sys

target = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("CARGO_TARGET_DIR", "target")
files = sorted(glob.glob(os.path.join(target, "edoc-ratios", "*.json")))

# name prefix -> (what is compared, issue target as a time ratio, how the target reads)
TARGETS = {
    "package_verify_warm": ("verify, chain cached / (2 raw sig checks + SHA-256)", 1.15, "≤ 1.15×"),
    "package_verify_cold_vs_certs_and_crls": ("verify, chain cold / (2 sigs + 4 cert + 4 CRL sig checks + SHA-256)", 1.5, "≤ 1.5×"),
    "package_verify_cold_vs_certs": ("verify, chain cold / (2 sigs + 4 cert sig checks + SHA-256)", 1.5, "≤ 1.5×"),
    "package_verify_bytes_warm": ("parse + verify, chain cached / (2 sigs + SHA-256)", None, "—"),
    "package_sign": ("sign one signature / (SHA-256 + raw sign)", 1.15, "≤ 1.15×"),
    "check_reader_vs_sha256": ("detached check_reader / raw SHA-256 (time)", 1 / 0.9, "speed ≥ 90%"),
    "sign": ("JAdES sign_detached / raw ring sign", None, "—"),
    "verify_detached": ("JAdES verify_detached (parsed) / raw ring verify", None, "—"),
    "parse_and_verify": ("JAdES parse + verify_detached / raw ring verify", None, "—"),
    "parse_vs_base64_decode": ("Package::parse / base64 decode of the attachment", None, "—"),
    "to_json_vs_base64_encode": ("Package::to_json / base64 encode of the attachment", None, "—"),
    "submit_vs_verify": ("Router::submit / verify_bytes of the same package", None, "—"),
}


def t(ns):
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


print("| measurement | case | edoc | baseline | ratio | target | |")
print("|---|---|---|---|---|---|---|")
for f in files:
    with open(f) as fh:
        r = json.load(fh)
    prefix, _, case = r["name"].partition("/")
    what, limit, shown = TARGETS.get(prefix, (prefix, None, "—"))
    ratio = r["ratio"]
    if prefix == "check_reader_vs_sha256":
        value = f"{ratio:.2f}× (speed {1 / ratio:.0%})"
    else:
        value = f"{ratio:.2f}×"
    verdict = "" if limit is None else ("met" if ratio <= limit else "**missed**")
    print(f"| {what} | {case} | {t(r['ours_ns'])} | {t(r['baseline_ns'])} | {value} | {shown} | {verdict} |")
