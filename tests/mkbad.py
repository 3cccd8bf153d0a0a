#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes malformed variants of a good plat/kvm image, one file per defect, for skiff-hv's tests.

Usage: tests/mkbad.py IMAGE OUTDIR    (prints the names it wrote)
"""
import struct
import sys

PT_LOAD, PT_NOTE = 1, 4


def phdrs(img):
    phoff, = struct.unpack_from("<Q", img, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", img, 0x36)
    return [(phoff + i * phentsize) for i in range(phnum)]


def loads(img):
    return [o for o in phdrs(img) if struct.unpack_from("<I", img, o)[0] == PT_LOAD]


def set_u64(img, off, v):
    struct.pack_into("<Q", img, off, v)


def manifest_offset(img):
    i = img.find(b"Skiff\0\0\0")
    if i < 0:
        sys.exit("mkbad: no Skiff manifest in the image")
    return i + 8  # descriptor follows the padded name


def variants(good):
    out = {}
    out["truncated"] = good[:200]
    out["empty"] = b""
    out["not-elf"] = b"#!/bin/sh\necho not an image\n" + bytes(100)
    v = bytearray(good); v[4] = 1; out["class32"] = v
    v = bytearray(good); v[5] = 2; out["bigendian"] = v
    v = bytearray(good); struct.pack_into("<H", v, 0x12, 3); out["machine"] = v
    first, second = loads(good)[0], loads(good)[1]
    v = bytearray(good); set_u64(v, first + 0x18, 0x7fff0000); set_u64(v, first + 0x10, 0x7fff0000)
    out["outside-memory"] = v
    v = bytearray(good)
    paddr, = struct.unpack_from("<Q", good, first + 0x18)
    set_u64(v, second + 0x18, paddr); set_u64(v, second + 0x10, paddr)
    out["overlap"] = v
    v = bytearray(good); set_u64(v, loads(good)[-1] + 0x28, 1 << 40); out["huge-memsz"] = v
    v = bytearray(good); set_u64(v, 0x18, 0x5000000); out["entry-outside"] = v
    v = bytearray(good); set_u64(v, second + 0x20, 1 << 40); out["filesz-past-end"] = v
    v = bytearray(good); struct.pack_into("<I", v, manifest_offset(good), 99); out["abi-version"] = v
    v = bytearray(good); i = v.find(b"Skiff\0\0\0"); v[i:i + 5] = b"Xkiff"; out["no-manifest"] = v
    v = bytearray(good); set_u64(v, manifest_offset(good) + 8, 0x12345); out["bad-trap-entry"] = v
    v = bytearray(good); set_u64(v, first + 0x10, 0xffffffff80000000); out["vaddr-differs"] = v
    v = bytearray(good); struct.pack_into("<I", v, manifest_offset(good) + 4, 0x1 | 0x40)
    out["unknown-device"] = v
    return out


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    good = open(sys.argv[1], "rb").read()
    for name, data in variants(good).items():
        with open(f"{sys.argv[2]}/{name}.kvm", "wb") as f:
            f.write(bytes(data))
        print(name)


main()
