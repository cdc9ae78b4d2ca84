#!/usr/bin/python3
"""The IMAP tests' own client: puts mail into a test Dovecot, and measures
how long the bot takes to store it.

  imap-client.py PORT [--tls starttls|implicit] COMMAND ARGS...

  append MAILBOX N PREFIX   append N mails, Message-ID <PREFIX.I@test>,
                            Subject "PREFIX I" (I from 1)
  create MAILBOX / delete MAILBOX
  uidvalidity MAILBOX       print the mailbox's UIDVALIDITY
  latency MAILBOX N STORE   append N mails one at a time; after each, poll
                            the store (sqlite, read-only) until one more
                            row is in the unparsed table; print each
                            latency in ms, then "median M worst W"

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
            check("append", m.append(box, None, None, mail(prefix, i)))
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
        lat.sort()
        print(f"median {lat[len(lat) // 2]:.1f} worst {lat[-1]:.1f}")
    else:
        sys.exit(f"imap-client: unknown command {cmd}")
    m.logout()


main()
