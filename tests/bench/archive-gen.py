#!/usr/bin/python3
"""Write a `git fast-import` stream of a public-inbox v2 epoch holding N
generated messages (fictional people and code), laid out as public-inbox
writes them (public-inbox-v2-format(5)): one commit per message whose tree
holds only the blob "m", author and date taken from the mail, committer
the archiver.

    tests/bench/archive-gen.py N | git --git-dir=DIR.git fast-import --quiet

Messages are lore-sized (a header block of received lines and list
headers, then a patch or a reply of a few KiB) and vary enough that git's
delta compression sees realistic input. Deterministic: the same N gives
the same archive.
"""
import email.utils
import random
import sys

BASE = 1700000000  # 2023-11-14
WORDS = ("the of and to in is that for it as was with be by on not he this "
         "are or his from at which but have an they you were her she there "
         "one all we their can has been if more when will would who so no "
         "lock page cpu irq queue driver device kernel memory buffer node "
         "struct mutex spin patch commit fix update remove add series").split()
PATHS = ["drivers/net/ethernet/intel/e1000e/netdev.c", "mm/page_alloc.c",
         "fs/btrfs/inode.c", "arch/x86/kvm/svm/svm.c", "kernel/sched/fair.c",
         "net/ipv4/tcp.c", "drivers/gpu/drm/i915/i915_gem.c",
         "include/linux/mm.h", "tools/testing/selftests/bpf/verifier.c"]


def sentence(rnd, n):
    return " ".join(rnd.choice(WORDS) for _ in range(n))


def message(rnd, i):
    who = "Dev%d Example" % rnd.randrange(500)
    addr = "dev%d@example.org" % rnd.randrange(500)
    t = BASE + i * 37
    date = email.utils.formatdate(t)
    mid = "<%d.%08x-%d@example.org>" % (t, rnd.getrandbits(32), i)
    subj = "[PATCH v%d %d/%d] %s" % (rnd.randrange(1, 5), rnd.randrange(1, 9),
                                      9, sentence(rnd, 6))
    hdr = []
    for hop in range(rnd.randrange(2, 5)):
        hdr.append("Received: from mx%d.example.net (mx%d.example.net "
                   "[192.0.2.%d])\n\tby smtp.example.org with ESMTPS id "
                   "%08x\n\tfor <list@example.org>; %s" %
                   (hop, hop, hop, rnd.getrandbits(32), date))
    hdr += ["From: %s <%s>" % (who, addr), "To: list@example.org",
            "Subject: %s" % subj, "Date: %s" % date, "Message-ID: %s" % mid,
            "List-Id: <list.example.org>", "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=UTF-8"]
    if i and rnd.random() < 0.6:
        hdr.append("In-Reply-To: <%d.0-%d@example.org>" %
                   (BASE + (i - 1) * 37, i - 1))
    body = [sentence(rnd, 12) for _ in range(rnd.randrange(3, 12))]
    path = rnd.choice(PATHS)
    body += ["", "Signed-off-by: %s <%s>" % (who, addr), "---",
             " %s | 4 ++--" % path, "", "diff --git a/%s b/%s" % (path, path),
             "--- a/%s" % path, "+++ b/%s" % path,
             "@@ -%d,7 +%d,7 @@" % (i % 900 + 1, i % 900 + 1)]
    for _ in range(rnd.randrange(10, 80)):
        body.append(rnd.choice(" -+") + "\t" + sentence(rnd, 8) + ";")
    text = "\n".join(hdr) + "\n\n" + "\n".join(body) + "\n"
    return who, addr, t, text.encode()


def main():
    n = int(sys.argv[1])
    rnd = random.Random(n)
    out = sys.stdout.buffer
    for i in range(n):
        who, addr, t, raw = message(rnd, i)
        out.write(b"blob\nmark :1\ndata %d\n" % len(raw) + raw + b"\n")
        msg = b"generated message %d\n" % i
        out.write(b"commit refs/heads/master\n")
        out.write(("author %s <%s> %d +0000\n" % (who, addr, t)).encode())
        out.write(("committer archiver <archiver@example.org> %d +0000\n" %
                   (t + 5)).encode())
        out.write(b"data %d\n" % len(msg) + msg)
        out.write(b"deleteall\nM 100644 :1 m\n\n")
    out.write(b"done\n")


if __name__ == "__main__":
    main()
