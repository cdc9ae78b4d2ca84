#!/usr/bin/python3
"""The IMAP tests' own client: puts mail into a test Dovecot, and measures
how long the bot takes to store it.

  imap-client.py PORT [--tls starttls|implicit] COMMAND ARGS...

  append MAILBOX N PREFIX   append N mails, Message-ID <PREFIX.I@test>,
                            Subject "PREFIX I" (I from 1)
  append-mbox MAILBOX FILE  append every mail of the mboxrd FILE, in order
  append-file MAILBOX       append the one mail on standard input
  create MAILBOX / delete MAILBOX
  uidvalidity MAILBOX       print the mailbox's UIDVALIDITY
  latency MAILBOX N STORE   append N mails one at a time; after each, poll
                            the store (sqlite, read-only) until one more
                            row is in the unparsed table; print each
                            latency in ms, then "median M worst W"
  idle-latency MAILBOX N    the server's own share: append N mails one at
                            a time while a second connection idles, and
                            time each APPEND to its EXISTS; same output

Logs in as bot/secret (lib-dovecot.sh's user). TLS here does not verify:
the client is the test's, the bot under test is what must verify.
"""
import imaplib
import sqlite3
import ssl
import sys
import time


def connect(port, tls):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if tls == "implicit":
        m = imaplib.IMAP4_SSL("127.0.0.1", port, ssl_context=ctx)
    else:
        m = imaplib.IMAP4("127.0.0.1", port)
        if tls == "starttls":
            m.starttls(ssl_context=ctx)
    m.login("bot", "secret")
    return m


def mail(prefix, i):
    return (
        "From: Test Sender <sender@test>\r\n"
        "To: list@test\r\n"
        f"Subject: {prefix} {i}\r\n"
        f"Message-ID: <{prefix}.{i}@test>\r\n"
        "Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n"
        "\r\n"
        f"Mail {i} of {prefix}.\r\n"
    ).encode()


def check(what, res):
    typ, data = res
    if typ != "OK":
        sys.exit(f"imap-client: {what}: {typ} {data}")
    return data


def rows(store):
    db = sqlite3.connect(f"file:{store}?mode=ro", uri=True, timeout=5)
    try:
        return db.execute("SELECT count(*) FROM unparsed").fetchone()[0]
    except sqlite3.OperationalError:
        return 0  # the store is not created yet
    finally:
        db.close()


def summary(lat):
    lat.sort()
    print(f"median {lat[len(lat) // 2]:.1f} worst {lat[-1]:.1f}")


def idle_latency(m, port, box, n):
    """A raw IDLE (imaplib has none before Python 3.14) on a second
    connection; the first appends."""
    import socket

    s = socket.create_connection(("127.0.0.1", port))
    f = s.makefile("rb")

    def command(line, tag=None):
        s.sendall(line.encode() + b"\r\n")
        tag = (tag or line.split()[0]).encode() + b" "
        while True:
            got = f.readline()
            if not got:
                sys.exit("imap-client: idle-latency: connection closed")
            if got.startswith(tag):
                return

    f.readline()  # greeting
    command('a LOGIN bot secret')
    command(f'b EXAMINE {box}')
    lat = []
    for i in range(1, n + 1):
        s.sendall(b"c IDLE\r\n")
        while not f.readline().startswith(b"+"):
            pass
        t0 = time.monotonic()
        check("append", m.append(box, None, None, mail("idle", i)))
        while not f.readline().rstrip().endswith(b"EXISTS"):
            pass
        lat.append((time.monotonic() - t0) * 1000)
        print(f"{lat[-1]:.1f}")
        command("DONE", tag="c")
    s.close()
    summary(lat)


def main():
    args = sys.argv[1:]
    port = int(args.pop(0))
    tls = None
    if args and args[0] == "--tls":
        args.pop(0)
        tls = args.pop(0)
    cmd = args.pop(0)
    m = connect(port, tls)
    if cmd == "append":
        box, n, prefix = args[0], int(args[1]), args[2]
        for i in range(1, n + 1):
            # Dovecot may refuse an APPEND to a mailbox just recreated
            # ("Mailbox was deleted under us") while another session
            # opens it; a NO stored nothing, so try again.
            for attempt in range(5):
                typ, data = m.append(box, None, None, mail(prefix, i))
                if typ == "OK":
                    break
                time.sleep(0.1)
            check("append", (typ, data))
    elif cmd == "append-mbox":
        import mailbox
        box = args[0]
        for msg in mailbox.mbox(args[1]):
            raw = msg.as_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
            check("append", m.append(box, None, None, raw))
    elif cmd == "append-file":
        # One mail from standard input, as it is, with CRLF line ends.
        raw = sys.stdin.buffer.read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        check("append", m.append(args[0], None, None, raw))
    elif cmd == "create":
        check("create", m.create(args[0]))
    elif cmd == "delete":
        check("delete", m.delete(args[0]))
    elif cmd == "uidvalidity":
        data = check("status", m.status(args[0], "(UIDVALIDITY)"))
        print(data[0].decode().split("UIDVALIDITY ")[1].rstrip(")"))
    elif cmd == "latency":
        box, n, store = args[0], int(args[1]), args[2]
        lat = []
        for i in range(1, n + 1):
            before = rows(store)
            t0 = time.monotonic()
            check("append", m.append(box, None, None, mail("latency", i)))
            deadline = t0 + 10
            while rows(store) <= before:
                if time.monotonic() > deadline:
                    sys.exit(f"imap-client: mail {i} not stored in 10 s")
                time.sleep(0.001)
            lat.append((time.monotonic() - t0) * 1000)
            print(f"{lat[-1]:.1f}")
            # Let the bot go back to IDLE before the next one.
            time.sleep(0.05)
        summary(lat)
    elif cmd == "idle-latency":
        idle_latency(m, port, args[0], int(args[1]))
    else:
        sys.exit(f"imap-client: unknown command {cmd}")
    m.logout()


main()
