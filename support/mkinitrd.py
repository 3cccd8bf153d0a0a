#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Packs a directory into a cpio "newc" archive, the initrd format Skiff's kernel mounts.

Usage: support/mkinitrd.py DIR OUT
Paths are stored relative to DIR, directories before their contents, in sorted order, with fixed
owner and time so the same tree always gives the same bytes.
"""
import os
import stat
import sys


def entry(name, mode, data, ino):
    name_b = name.encode() + b"\0"
    fields = [ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(name_b), 0]
    hdr = b"070701" + b"".join(b"%08X" % f for f in fields)
    out = hdr + name_b
    out += b"\0" * (-len(out) % 4)
    out += data + b"\0" * (-len(data) % 4)
    return out


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    root, archive, ino = sys.argv[1], bytearray(), 1
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        rel = os.path.relpath(dirpath, root)
        if rel != ".":
            archive += entry(rel, stat.S_IFDIR | 0o755, b"", ino)
            ino += 1
        for f in sorted(filenames):
            path = os.path.join(dirpath, f)
            name = os.path.normpath(os.path.join(rel, f))
            archive += entry(name, stat.S_IFREG | 0o644, open(path, "rb").read(), ino)
            ino += 1
    archive += entry("TRAILER!!!", 0, b"", 0)
    with open(sys.argv[2], "wb") as out:
        out.write(archive)


main()
