#!/usr/bin/python3
"""smtpd.py: the SMTP server of the integration tests (aiosmtpd, Debian's
python3-aiosmtpd), with the failures the tests need, driven by files.

    smtpd.py --port N --dir D [--starttls | --smtps] [--cert C --key K]
             [--require-starttls] [--auth USER:PASSWORD] [--discard]

--discard accepts mail without keeping it, and notes no event but
connections and a count at exit in D/discarded: for the benchmarks,
where the server's own disk writes would be what is measured.

Files the tests write in D/control/ (read at each transaction):
    fail-next   a number N: the next N mails get "451 4.3.0" after their
                data (the number counts down)
    refuse      addresses, one a line: RCPT TO them gets "550 5.1.1"
    delay       seconds (a float) to wait before answering after the data

What it writes:
    D/received/new/    each accepted mail as a Maildir file: X-MailFrom,
                       X-RcptTo and X-TLS (yes/no) lines, then the bytes as
                       received (after SMTP's dot-unstuffing)
    D/deferred/new/    the same for each mail answered 451 by fail-next
    D/events           one line per event: "connect", "auth USER",
                       "rcpt ADDRESS CODE", "data CODE"
A mail is written to new/ (tmp/, fsync, rename) before the 250 is sent:
what the client was told was accepted is on disk.
"""
import argparse
import asyncio
import os
import signal
import socket
import ssl
import time

from aiosmtpd.smtp import SMTP, AuthResult


class Handler:
    def __init__(self, d, discard=False):
        self.dir = d
        self.count = 0
        self.discard = discard
        for sub in ('tmp', 'new', 'cur'):
            os.makedirs(os.path.join(d, 'received', sub), exist_ok=True)
        os.makedirs(os.path.join(d, 'control'), exist_ok=True)

    def event(self, line):
        with open(os.path.join(self.dir, 'events'), 'a') as f:
            f.write(line + '\n')

    def control(self, name):
        try:
            with open(os.path.join(self.dir, 'control', name)) as f:
                return f.read()
        except FileNotFoundError:
            return None

    def take_failure(self):
        """Count down fail-next; True when this mail is to fail."""
        n = self.control('fail-next')
        if not n or int(n) <= 0:
            return False
        path = os.path.join(self.dir, 'control', 'fail-next')
        with open(path + '.tmp', 'w') as f:
            f.write('%d\n' % (int(n) - 1))
        os.rename(path + '.tmp', path)
        return True

    async def handle_RCPT(self, server, session, envelope, address, options):
        refused = (self.control('refuse') or '').split()
        if address.lower() in (a.lower() for a in refused):
            self.event('rcpt %s 550' % address)
            return '550 5.1.1 <%s>: Recipient address rejected: ' \
                'User unknown' % address
        envelope.rcpt_tos.append(address)
        if not self.discard:
            self.event('rcpt %s 250' % address)
        return '250 2.1.5 OK'

    async def handle_DATA(self, server, session, envelope):
        if self.discard:
            self.count += 1
            return '250 2.0.0 OK discarded'
        delay = self.control('delay')
        if delay:
            await asyncio.sleep(float(delay))
        tls = server.transport.get_extra_info('ssl_object') is not None
        head = 'X-MailFrom: %s\r\nX-RcptTo: %s\r\nX-TLS: %s\r\n' % (
            envelope.mail_from, ', '.join(envelope.rcpt_tos),
            'yes' if tls else 'no')
        if self.take_failure():
            self.save('deferred', head.encode() + envelope.original_content)
            self.event('data 451')
            return '451 4.3.0 Temporary local problem, try again later'
        name = self.save('received',
                         head.encode() + envelope.original_content)
        self.event('data 250')
        return '250 2.0.0 OK queued as %s' % name

    def save(self, folder, data):
        """Deliver data into the Maildir D/folder; its file name."""
        self.count += 1
        name = '%d.%d_%d.%s' % (time.time(), os.getpid(), self.count,
                                socket.gethostname())
        for sub in ('tmp', 'new', 'cur'):
            os.makedirs(os.path.join(self.dir, folder, sub), exist_ok=True)
        tmp = os.path.join(self.dir, folder, 'tmp', name)
        with open(tmp, 'wb') as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.rename(tmp, os.path.join(self.dir, folder, 'new', name))
        return name


class Server(SMTP):
    """aiosmtpd's SMTP, noting each new connection."""

    def __init__(self, handler, *args, **kw):
        super().__init__(handler, *args, **kw)
        self.patchletter_handler = handler

    def connection_made(self, transport):
        # Called again after STARTTLS on the same connection.
        if self.transport is None:
            self.patchletter_handler.event('connect')
        super().connection_made(transport)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--port', type=int, required=True)
    p.add_argument('--dir', required=True)
    p.add_argument('--starttls', action='store_true')
    p.add_argument('--smtps', action='store_true')
    p.add_argument('--require-starttls', action='store_true')
    p.add_argument('--cert')
    p.add_argument('--key')
    p.add_argument('--auth', help='USER:PASSWORD; AUTH required')
    p.add_argument('--discard', action='store_true')
    a = p.parse_args()

    handler = Handler(a.dir, a.discard)
    ctx = None
    if a.starttls or a.smtps:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(a.cert, a.key)
    kw = {'hostname': 'smtp.test', 'data_size_limit': 256 << 20}
    if a.starttls:
        kw['tls_context'] = ctx
        kw['require_starttls'] = a.require_starttls
    if a.auth:
        user, password = a.auth.split(':', 1)

        def authenticator(server, session, envelope, mechanism, data):
            ok = (data.login.decode() == user and
                  data.password.decode() == password)
            handler.event('auth %s %s' % (data.login.decode(),
                                          'ok' if ok else 'refused'))
            # handled=False: aiosmtpd then answers 535 itself
            return AuthResult(success=ok, handled=False)
        kw['authenticator'] = authenticator
        kw['auth_required'] = True
        kw['auth_require_tls'] = bool(a.starttls or a.smtps)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    server = loop.run_until_complete(loop.create_server(
        lambda: Server(handler, loop=loop, **kw), '127.0.0.1', a.port,
        ssl=ctx if a.smtps else None))
    loop.add_signal_handler(signal.SIGTERM, loop.stop)
    try:
        loop.run_forever()
    finally:
        server.close()
        if a.discard:
            with open(os.path.join(a.dir, 'discarded'), 'w') as f:
                f.write('%d\n' % handler.count)


if __name__ == '__main__':
    main()
