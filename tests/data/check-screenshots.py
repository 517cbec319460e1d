#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Check that every image the README and the AppStream metainfo name exists.

    check-screenshots.py SOURCE_ROOT [--expect FILE]

README.md names images as ![alt](path) or <img src="path">; a path is
relative to SOURCE_ROOT. The metainfo (data/*.metainfo.xml.in) names its
screenshots by URL. A URL into this repository's raw files on GitHub, in
either, refers to the file at its path here, which must exist; and a
metainfo screenshot must be a PNG of the width and height its <image>
claims, since software centres lay the page out before the image arrives.
Images elsewhere are not checked.

With --expect, the check passes only when it finds exactly the problems
listed in FILE, one a line: the fixture test proves that the check fails.
"""

import pathlib
import re
import struct
import sys
import xml.etree.ElementTree as ET

MARKDOWN_IMAGE = re.compile(r'!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)')
HTML_IMAGE = re.compile(r'<img\s[^>]*src="([^"]+)"', re.IGNORECASE)
# https://raw.githubusercontent.com/OWNER/REPO/REF/PATH
RAW_URL = re.compile(r'^https://raw\.githubusercontent\.com/socketplayground/socket-playground/'
                     r'[^/]+/(.+)$')
PNG_SIGNATURE = b'\x89PNG\r\n\x1a\n'


def png_size(path):
    """(width, height) from a PNG's IHDR chunk, or None if it is no PNG."""
    with open(path, 'rb') as f:
        head = f.read(24)
    if len(head) < 24 or head[:8] != PNG_SIGNATURE or head[12:16] != b'IHDR':
        return None
    return struct.unpack('>II', head[16:24])


def is_remote(target):
    return re.match(r'^[a-z][a-z0-9+.-]*:', target, re.IGNORECASE) is not None


def readme_problems(root):
    readme = root / 'README.md'
    text = readme.read_text(encoding='utf-8')
    targets = MARKDOWN_IMAGE.findall(text) + HTML_IMAGE.findall(text)
    problems = []
    for target in targets:
        match = RAW_URL.match(target)
        if match is not None:
            target = match.group(1)
        elif is_remote(target) or target.startswith('#'):
            continue
        if not (root / target).is_file():
            problems.append(f'README.md: {target} does not exist')
    return len(targets), problems


def metainfo_problems(root):
    count = 0
    problems = []
    for metainfo in sorted((root / 'data').glob('*.metainfo.xml*')):
        name = metainfo.relative_to(root).as_posix()
        for image in ET.parse(metainfo).getroot().iterfind('screenshots/screenshot/image'):
            url = (image.text or '').strip()
            match = RAW_URL.match(url)
            if match is None and is_remote(url):
                continue
            count += 1
            target = match.group(1) if match else url
            path = root / target
            if not path.is_file():
                problems.append(f'{name}: {target} does not exist')
                continue
            size = png_size(path)
            claimed = (image.get('width'), image.get('height'))
            if size is None:
                problems.append(f'{name}: {target} is not a PNG')
            elif None not in claimed and tuple(int(n) for n in claimed) != size:
                problems.append(f'{name}: {target} is {size[0]}×{size[1]}, the <image> says '
                                f'{claimed[0]}×{claimed[1]}')
    return count, problems


def main(argv):
    expected = None
    if len(argv) == 4 and argv[2] == '--expect':
        expected = sorted(line for line in
                          pathlib.Path(argv[3]).read_text(encoding='utf-8').splitlines() if line)
    elif len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    root = pathlib.Path(argv[1]).resolve()

    in_readme, problems = readme_problems(root)
    in_metainfo, more = metainfo_problems(root)
    problems += more
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f'{in_readme} images in README.md, {in_metainfo} screenshots in the metainfo, '
          f'{len(problems)} problems')

    if expected is None:
        return 1 if problems else 0
    if sorted(problems) != expected:
        for line in sorted(set(expected) - set(problems)):
            print(f'not found: {line}', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
