#!/usr/bin/python3
"""mailcheck.py: what a mail reader sees in one received mail, as
NAME=VALUE lines for the tests to compare, read with Python's email
package (policy.default: RFC 5322 and MIME parsing, RFC 2047 decoding).

    mailcheck.py FILE [--body-out PATH] [--html-out PATH]

Lines: defects (count, every part), message-id, date (epoch seconds),
subject (decoded), subject-raw (as on the wire, unfolded), from, to,
auto-submitted, precedence, list-id, list-unsubscribe,
list-unsubscribe-post, mime-version, content-type, parts, bcc (how many
Bcc fields), header-count, longest-line (octets, line end excluded),
line-ends (crlf, or bad), x-tls, x-rcptto, x-mailfrom. --body-out writes
the text/plain part decoded, --html-out the text/html part.
"""
import argparse
import email
import email.policy
import email.utils
import sys


def main():
    p = argparse.ArgumentParser()
    p.add_argument('file')
    p.add_argument('--body-out')
    p.add_argument('--html-out')
    a = p.parse_args()
    raw = open(a.file, 'rb').read()
    msg = email.message_from_bytes(raw, policy=email.policy.default)

    def out(name, value):
        print('%s=%s' % (name, '' if value is None else value))

    defects = sum(len(part.defects) for part in msg.walk())
    out('defects', defects)
    for name in ('message-id', 'subject', 'from', 'to', 'auto-submitted',
                 'precedence', 'list-id', 'list-unsubscribe',
                 'list-unsubscribe-post', 'mime-version', 'x-tls',
                 'x-rcptto', 'x-mailfrom'):
        out(name, msg.get(name))
    date = msg.get('date')
    out('date', int(email.utils.parsedate_to_datetime(date).timestamp())
        if date else None)
    head = raw.split(b'\r\n\r\n', 1)[0].replace(b'\r\n ', b' ')
    subj = [l for l in head.split(b'\r\n') if l.lower().startswith(b'subject:')]
    out('subject-raw', subj[0][9:].decode('ascii', 'backslashreplace')
        if subj else None)
    out('content-type', msg.get_content_type())
    out('parts', ','.join(part.get_content_type() for part in msg.walk()
                          if not part.is_multipart()))
    out('bcc', len(msg.get_all('bcc', [])))
    out('header-count', len(msg.keys()))
    lines = raw.split(b'\n')
    out('longest-line', max(len(l.rstrip(b'\r')) for l in lines))
    bad = any(not l.endswith(b'\r') for l in lines[:-1]) or lines[-1] != b''
    out('line-ends', 'bad' if bad or b'\r\r' in raw else 'crlf')
    body = msg.get_body(('plain',))
    if a.body_out and body is not None:
        # line ends as a reader sees them: CRLF on the wire, one break
        open(a.body_out, 'w', encoding='utf-8').write(
            body.get_content().replace('\r\n', '\n'))
    html = msg.get_body(('html',))
    if a.html_out and html is not None:
        open(a.html_out, 'w', encoding='utf-8').write(
            html.get_content().replace('\r\n', '\n'))


if __name__ == '__main__':
    sys.exit(main())
