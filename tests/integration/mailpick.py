#!/usr/bin/python3
"""mailpick.py: find the mails smtpd.py received and read them as a mail
reader does (Python's email package, policy.default: RFC 2047 and MIME
decoded).

    mailpick.py DIR [--to ADDR] [--subject TEXT] [--new-since FILE]
                (--count | --files | --field NAME | --body)

Mails are those in DIR/received/new whose envelope recipient (smtpd.py's
X-RcptTo) is ADDR and whose decoded Subject contains TEXT, oldest first;
--new-since keeps only those not named in FILE (a list of file names,
one a line, as --files prints them). --count prints how many; --files
their paths; --field the decoded value of header NAME of the newest
(empty when absent); --body its text/plain part.
"""
import argparse
import email
import email.policy
import os
import sys


def main():
    p = argparse.ArgumentParser()
    p.add_argument('dir')
    p.add_argument('--to')
    p.add_argument('--subject')
    p.add_argument('--new-since')
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument('--count', action='store_true')
    g.add_argument('--files', action='store_true')
    g.add_argument('--field')
    g.add_argument('--body', action='store_true')
    a = p.parse_args()

    d = os.path.join(a.dir, 'received', 'new')
    seen = set()
    if a.new_since and os.path.exists(a.new_since):
        seen = set(open(a.new_since).read().split())
    found = []
    for name in (os.listdir(d) if os.path.isdir(d) else []):
        path = os.path.join(d, name)
        if path in seen:
            continue
        raw = open(path, 'rb').read()
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        if a.to and (msg.get('x-rcptto') or '').lower() != a.to.lower():
            continue
        if a.subject and a.subject not in (msg.get('subject') or ''):
            continue
        found.append((os.stat(path).st_mtime_ns, name, path, msg))
    found.sort()
    if a.count:
        print(len(found))
        return 0
    if a.files:
        for f in found:
            print(f[2])
        return 0
    if not found:
        return 1
    msg = found[-1][3]
    if a.field:
        print(msg.get(a.field) or '')
    else:
        body = msg.get_body(('plain',))
        sys.stdout.write(body.get_content().replace('\r\n', '\n')
                         if body is not None else '')
    return 0


if __name__ == '__main__':
    sys.exit(main())
