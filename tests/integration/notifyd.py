#!/usr/bin/python3
"""notifyd.py: the service manager's end of sd_notify(3), for the tests.

    notifyd.py NAME FILE

Binds the abstract AF_UNIX datagram socket NAME (given without the
leading @; the daemon gets NOTIFY_SOCKET=@NAME) and appends what it
receives to FILE, one assignment a line, as "PID UID VAR=VALUE": a
datagram holds newline-separated assignments, and the kernel tells the
sender's pid and uid (SO_PASSCRED), which is how systemd knows whether
the main process sent it (NotifyAccess=main). Each line is flushed at
once so that a test can poll FILE. Before anything else it writes
"# listening": the test waits for that line before starting the daemon.
It runs until killed.

An abstract name is reachable by any user in the network namespace
without a file to grant access to, so the daemon's user needs nothing.
"""
import socket
import struct
import sys

UCRED = struct.Struct("iII")  # struct ucred: pid, uid, gid


def main():
    name, path = sys.argv[1], sys.argv[2]
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
    s.bind("\0" + name)
    with open(path, "a", encoding="utf-8", errors="replace") as out:
        out.write("# listening\n")
        out.flush()
        while True:
            data, anc, _, _ = s.recvmsg(4096, socket.CMSG_SPACE(UCRED.size))
            pid = uid = -1
            for level, kind, cred in anc:
                if level == socket.SOL_SOCKET and \
                        kind == socket.SCM_CREDENTIALS:
                    pid, uid, _ = UCRED.unpack(cred[:UCRED.size])
            for line in data.decode("utf-8", "replace").splitlines():
                out.write("%d %d %s\n" % (pid, uid, line))
            out.flush()


if __name__ == "__main__":
    main()
