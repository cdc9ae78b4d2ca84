#!/usr/bin/python3
"""A scripted IMAP server for the fault tests (t204): just enough IMAP4rev1
(RFC 3501) for the bot, one connection at a time, with one misbehaviour
chosen on the command line. Where a real server cannot be made to fail on
cue (a drop in the middle of a literal, a UID expunged between two
FETCHes, an EXISTS sent with a FETCH answer), this one does.

  fake-imapd.py PORT SCENARIO LOG

Mailbox "list", UIDVALIDITY 777, user bot / secret. SCENARIO:

  drop          the first body FETCH stops in the middle of a literal
  no            the first body FETCH is answered NO
  bye           the first body FETCH is answered with a BYE, then closed
  vanish        UIDs 3 and 5 have no answer at all (expunged before the
                size FETCH), UID 6 none to the body FETCH
  unsolicited   FETCH answers carry unsolicited FETCHes (flags, no UID;
                a UID twice)
  exists-in-fetch   a mail arrives during the first body FETCH: its
                EXISTS comes with that answer, never again
  exists-before-idle  a mail arrives as the first IDLE starts: its EXISTS
                comes before the "+"
  no-uidvalidity    EXAMINE says nothing of UIDVALIDITY
  greeting-bye  every greeting is "* BYE"
  big           UID 3 says it has 70 000 000 bytes (RFC822.SIZE), more
                than the bot fetches of one mail; a partial FETCH
                (BODY.PEEK[]<0.N>) gets its real bytes

Always, as RFC 3501 6.4.8 allows: "UID n:*" with n above the highest UID
matches the highest, and SEARCH lists UIDs in no particular order.
LOG gets one line per connection and per command.
"""
import socket
import sys

port, scenario, logpath = int(sys.argv[1]), sys.argv[2], sys.argv[3]
logf = open(logpath, "a", buffering=1)


def log(*a):
    print(*a, file=logf)


def mail(uid):
    return (
        f"Message-ID: <fake.{uid}@test>\r\nSubject: fake {uid}\r\n\r\n"
        f"Mail with UID {uid}.\r\n" + "x" * 200 + "\r\n"
    ).encode()


# The mailbox: UIDs in order; 4 is missing (expunged long ago).
uids = [1, 2, 3, 5, 6, 7]
gone_for_sizes = {3, 5} if scenario == "vanish" else set()
gone_for_bodies = {3, 5, 6} if scenario == "vanish" else set()
fired = set()  # one-shot faults already done


def once(name):
    if name in fired:
        return False
    fired.add(name)
    return True


def parse_set(text):
    out = []
    for part in text.split(","):
        if ":" in part:
            a, b = part.split(":")
            hi = max(uids) if b == "*" else int(b)
            lo = int(a)
            if lo > hi:
                lo, hi = hi, lo  # "n:*" with n above the highest
            out += [u for u in uids if lo <= u <= hi]
        else:
            out += [u for u in uids if u == int(part)]
    return sorted(set(out))


class Closed(Exception):
    pass


def serve(conn, nr):
    f = conn.makefile("rb")

    def send(data):
        if isinstance(data, str):
            data = data.encode()
        conn.sendall(data)

    def line(text):
        send(text + "\r\n")

    if scenario == "greeting-bye":
        line("* BYE [UNAVAILABLE] server too busy")
        raise Closed
    line("* OK [CAPABILITY IMAP4rev1 IDLE AUTH=PLAIN] fake ready")
    while True:
        raw = f.readline()
        if not raw:
            raise Closed
        words = raw.decode().rstrip("\r\n").split(" ")
        tag, cmd = words[0], " ".join(words[1:3]).upper()
        log(f"conn {nr}: {' '.join(words[1:])}")
        verb = words[1].upper()
        if verb == "CAPABILITY":
            line("* CAPABILITY IMAP4rev1 IDLE AUTH=PLAIN")
            line(f"{tag} OK done")
        elif verb == "LOGIN":
            ok = words[2].strip('"') == "bot" and words[3].strip('"') == "secret"
            line(f"{tag} OK logged in" if ok else f"{tag} NO wrong")
        elif verb in ("EXAMINE", "SELECT"):
            line("* FLAGS (\\Seen)")
            line(f"* {len(uids)} EXISTS")
            line("* 0 RECENT")
            if scenario != "no-uidvalidity":
                line("* OK [UIDVALIDITY 777] UIDs valid")
            line(f"* OK [UIDNEXT {max(uids) + 1}] next")
            line(f"{tag} OK [READ-ONLY] done")
        elif cmd == "UID SEARCH":
            found = parse_set(words[4])
            found.reverse()  # any order will do
            line("* SEARCH " + " ".join(map(str, found)))
            line(f"{tag} OK done")
        elif cmd == "UID FETCH":
            fetch(tag, parse_set(words[3]), raw.decode(), line, send)
        elif verb == "IDLE":
            if scenario == "exists-before-idle" and once("idle"):
                uids.append(max(uids) + 1)
                line(f"* {len(uids)} EXISTS")
            line("+ idling")
            done = f.readline()
            if not done:
                raise Closed
            log(f"conn {nr}: {done.decode().strip()}")
            line(f"{tag} OK idle done")
        elif verb == "NOOP":
            line(f"{tag} OK done")
        elif verb == "LOGOUT":
            line("* BYE bye")
            line(f"{tag} OK done")
            raise Closed
        else:
            line(f"{tag} BAD unknown")


def fetch(tag, wanted, command, line, send):
    bodies = "BODY" in command
    partial = "BODY.PEEK[]<0." in command
    if bodies and scenario == "no" and once("no"):
        line(f"{tag} NO [SERVERBUG] try again later")
        return
    if bodies and scenario == "bye" and once("bye"):
        line("* BYE going down")
        raise Closed
    gone = gone_for_bodies if bodies else gone_for_sizes
    for u in wanted:
        if u in gone:
            continue
        seq = uids.index(u) + 1
        if scenario == "unsolicited":
            line(f"* {seq} FETCH (FLAGS (\\Seen))")
            line(f"* {seq} FETCH (UID {u} FLAGS ())")
        if not bodies:
            size = len(mail(u))
            if scenario == "big" and u == 3:
                size = 70000000
            line(f"* {seq} FETCH (UID {u} RFC822.SIZE {size})")
            continue
        body = mail(u)
        if partial:
            send(f"* {seq} FETCH (UID {u} BODY[]<0> {{{len(body)}}}\r\n")
            send(body + b")\r\n")
            continue
        if scenario == "drop" and u == wanted[-1] and once("drop"):
            send(f"* {seq} FETCH (UID {u} BODY[] {{{len(body)}}}\r\n")
            send(body[: len(body) // 2])
            raise Closed
        send(f"* {seq} FETCH (UID {u} BODY[] {{{len(body)}}}\r\n")
        send(body + b")\r\n")
    if bodies and scenario == "exists-in-fetch" and once("exists"):
        uids.append(max(uids) + 1)
        line(f"* {len(uids)} EXISTS")
    line(f"{tag} OK done")


s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port))
s.listen(8)
nr = 0
while True:
    conn, _ = s.accept()
    nr += 1
    log(f"conn {nr}: open")
    try:
        serve(conn, nr)
    except (Closed, ConnectionError, BrokenPipeError):
        pass
    log(f"conn {nr}: closed")
    conn.close()
