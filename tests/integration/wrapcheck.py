#!/usr/bin/python3
"""wrapcheck.py: is a plain-text digest laid out for mail readers?

    wrapcheck.py FILE [--width 78]

Every line fits in 78 columns (RFC 5322 2.1.1's recommendation; the
digest wraps at 72 and keeps lines up to 78), except what has a layout
of its own or cannot be broken:

 - in the text quoted from a mail (a cover letter, a commit message, its
   "Changes in vN" notes, its diffstat): lines indented by a space or a
   tab (code, diffstats, git's shortlog), quoted mail (">"), diffs,
   trailers ("Signed-off-by: ...", "Fixes: ...", "Link: ...");
 - anywhere: a line whose text after its indentation or its "Label: " is
   one word (a URL, a Message-ID, a path), which no break shortens.

The digest's own lines (its heading, the list of series, each series'
labelled lines) get no other exception: an indented line there is the
series list's layout, not quoted code. Columns are counted as
bot/wrap.c counts them: East Asian wide characters 2, combining marks 0.
Prints each offending line with its number; exits 1 when there is one.
"""
import argparse
import re
import sys
import unicodedata

DIFF = re.compile(r'^(diff |index |--- |\+\+\+ |@@ |[-+ ]|\\ No newline)')
TRAILER = re.compile(r'^([A-Za-z0-9]+(-[A-Za-z0-9]+)+|Fixes|Link|Closes|Cc|'
                     r'BugLink):\s', re.I)
DIFFSTAT = re.compile(r'^\s*\S.*\|\s+(\d+|Bin)|^\s*\d+ files? changed')
LABEL = re.compile(r'^\s*(?:[A-Za-z][A-Za-z ]*:\s+)?')
RULE = '-' * 70


def columns(s):
    col = 0
    for ch in s:
        if ch == '\t':
            col += 8 - col % 8
        elif unicodedata.combining(ch) or unicodedata.category(ch) == 'Cf':
            pass
        elif unicodedata.east_asian_width(ch) in ('W', 'F'):
            col += 2
        else:
            col += 1
    return col


def one_word(line):
    rest = line[LABEL.match(line).end():]
    return ' ' not in rest.strip()


def main():
    p = argparse.ArgumentParser()
    p.add_argument('file')
    p.add_argument('--width', type=int, default=78)
    a = p.parse_args()
    lines = open(a.file, encoding='utf-8', errors='replace').read().split('\n')
    bad = 0
    # own: the digest's lines; quoted: text from a mail, which starts
    # after the blank line that follows a series' "Get it:" line and
    # ends at the series' closing rule.
    quoted = False
    in_diff = False
    for n, line in enumerate(lines, 1):
        if line.startswith('Get it: '):
            quoted = True
            continue
        if line == RULE:
            quoted = False
            continue
        if columns(line) <= a.width or one_word(line):
            continue
        if quoted:
            if DIFF.match(line) and (line.startswith('diff ') or in_diff):
                in_diff = True
                continue
            in_diff = False
            if (line[:1] in (' ', '\t', '>') or TRAILER.match(line) or
                    DIFFSTAT.match(line)):
                continue
        print('%s:%d: %d columns: %s' % (a.file, n, columns(line), line))
        bad += 1
    print('%d lines over %d columns' % (bad, a.width))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
