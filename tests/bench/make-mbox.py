#!/usr/bin/python3
"""make-mbox.py: write an mboxrd of N realistic kernel-list mails for
`make bench` (the parser's speed and memory).

    tests/bench/make-mbox.py -n 100000 -o FILE

The mails have the shape of lore.kernel.org's (vger) traffic, as the
shared corpus shows it: about 40 header fields (a Received chain, DKIM and
ARC signatures, long To/Cc lists, some RFC 2047 names, folded subjects),
then series of patches (git format-patch and b4 layout: commit message,
trailers, ---, diffstat, one to five file diffs), their cover letters,
review replies that quote the patch, and a few pull requests; one mail in
ten is quoted-printable and one in fifty base64, as Outlook and
Thunderbird send them. Median size near lore's (about 10 KB). The output
depends only on N and the seed, so runs compare.
"""
import argparse
import base64
import quopri
import random

WORDS = ("the a of to in is that for on with as by this be are from it at "
         "not or an when which but have has was if we can so do all no "
         "driver device kernel memory lock page buffer queue irq dma cpu "
         "config build warning error fix add remove use instead check "
         "pointer struct function value return call path case handle "
         "support update clean up avoid leak race free list entry map "
         "state reset init probe register timer clock power bus").split()
SUBSYS = ("kbuild", "mm", "sched", "net", "drm/i915", "x86/mm", "arm64",
          "iio: adc", "usb: dwc3", "scsi: ufs", "btrfs", "ext4", "rust",
          "bpf", "KVM: SVM", "perf/x86", "tracing", "media: uvcvideo",
          "pinctrl: qcom", "sparse", "modpost", "kconfig")
DIRS = ("scripts", "mm", "kernel/sched", "net/core", "drivers/gpu/drm/i915",
        "arch/x86/mm", "arch/arm64/kernel", "drivers/iio/adc",
        "drivers/usb/dwc3", "drivers/ufs/core", "fs/btrfs", "fs/ext4",
        "rust/kernel", "kernel/bpf", "arch/x86/kvm/svm", "include/linux",
        "tools/perf", "kernel/trace", "drivers/media/usb/uvc")
NAMES = ("Kees Cook", "Nathan Chancellor", "Masahiro Yamada", "Nicolas Schier",
         "Miguel Ojeda", "Thomas Weißschuh", "Uwe Kleine-König",
         "Björn Roy Baron", "Dan Carpenter", "Linus Torvalds",
         "Christophe JAILLET", "Ricardo B. Marlière", "Zoë Ångström",
         "Luc Van Oostenryck", "Peter Zijlstra", "Greg Kroah-Hartman",
         "Marco Elver", "Vlastimil Babka", "Andy Shevchenko", "Jonathan Cameron")
TAGS = ("Reviewed-by", "Acked-by", "Tested-by", "Reported-by")


def words(r, n):
    return " ".join(r.choice(WORDS) for _ in range(n))


def sentence(r, lo=6, hi=14):
    s = words(r, r.randint(lo, hi))
    return s[0].upper() + s[1:] + "."


def paragraph(r, width=72):
    out, line = [], ""
    for _ in range(r.randint(2, 5)):
        for w in sentence(r).split():
            if len(line) + len(w) + 1 > width:
                out.append(line)
                line = w
            else:
                line = (line + " " + w).strip()
    out.append(line)
    return "\n".join(out)


def person(r):
    name = r.choice(NAMES)
    user = name.split()[-1].lower().encode("ascii", "ignore").decode() or "x"
    return name, "%s@%s" % (user, r.choice(("kernel.org", "gmail.com",
                                             "intel.com", "redhat.com",
                                             "nvidia.com", "suse.com")))


def address(name, addr):
    try:
        name.encode("ascii")
        return "%s <%s>" % (name, addr)
    except UnicodeEncodeError:
        q = "".join(c if c.isalnum() and ord(c) < 128 else
                    ("_" if c == " " else
                     "".join("=%02X" % b for b in c.encode())) for c in name)
        return "=?UTF-8?q?%s?= <%s>" % (q, addr)


def fold(field, value, width=78):
    out, line = [], field + ": "
    for w in value.split(" "):
        if len(line) + len(w) + 1 > width and line.strip():
            out.append(line.rstrip())
            line = " " + w
        else:
            line += ("" if line.endswith(" ") else " ") + w
    out.append(line.rstrip())
    return "\n".join(out)


def transport_headers(r, n, date):
    h = ["Return-Path: <linux-kbuild+bounces-%d-lists=lfdr.de@vger.kernel.org>"
         % n,
         "Delivered-To: lists+linux-kbuild@lfdr.de"]
    for hop in range(r.randint(3, 6)):
        h.append("Received: from host%d.example.net (host%d.example.net "
                 "[192.0.2.%d])\n\tby mx%d.example.org (Postfix) with ESMTPS "
                 "id %08X\n\tfor <linux-kbuild@vger.kernel.org>; %s"
                 % (hop, hop, r.randint(1, 254), hop, r.getrandbits(32), date))
    b = base64.b64encode(r.randbytes(256)).decode()
    h.append("ARC-Seal: i=1; a=rsa-sha256; d=subspace.kernel.org; "
             "s=arc-20240116;\n\tt=%d; cv=none; b=%s" % (n, b))
    h.append("ARC-Message-Signature: i=1; a=rsa-sha256; d=subspace.kernel.org;"
             "\n\ts=arc-20240116; t=%d; c=relaxed/simple;\n\tbh=%s;\n\t"
             "h=From:To:Cc:Subject:Date:Message-ID:MIME-Version; b=%s"
             % (n, base64.b64encode(r.randbytes(32)).decode(), b))
    h.append("ARC-Authentication-Results: i=1; smtp.subspace.kernel.org; "
             "dmarc=pass (p=none dis=none) header.from=kernel.org; "
             "dkim=pass (2048-bit key) header.d=kernel.org")
    h.append("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/simple; "
             "d=kernel.org;\n\ts=k20201202; t=%d;\n\tbh=%s;\n\th=From:Date:"
             "Subject:To:Cc:From;\n\tb=%s"
             % (n, base64.b64encode(r.randbytes(32)).decode(), b))
    h.append("Authentication-Results: smtp.subspace.kernel.org; dkim=pass")
    h.append("X-Original-To: linux-kbuild@vger.kernel.org")
    return h


def diff(r, files):
    stat, body, ins, dels = [], [], 0, 0
    for path in files:
        a = r.randint(1, 30)
        d = r.randint(0, 12)
        ins, dels = ins + a, dels + d
        stat.append(" %-50s | %3d %s" % (path, a + d,
                                          "+" * min(a, 40) + "-" * min(d, 20)))
        start = r.randint(1, 2000)
        body.append("diff --git a/%s b/%s\nindex %07x..%07x 100644\n"
                    "--- a/%s\n+++ b/%s\n@@ -%d,%d +%d,%d @@ %s\n"
                    % (path, path, r.getrandbits(28), r.getrandbits(28), path,
                       path, start, d + 6, start, a + 6,
                       "static int " + r.choice(WORDS) + "(void)"))
        lines = [" \t" + words(r, r.randint(2, 8)) + ";" for _ in range(3)]
        lines += ["-\t" + words(r, r.randint(2, 9)) + ";" for _ in range(d)]
        lines += ["+\t" + words(r, r.randint(2, 9)) + ";" for _ in range(a)]
        lines += [" \t" + words(r, r.randint(2, 8)) + ";" for _ in range(3)]
        body.append("\n".join(lines) + "\n")
    stat.append(" %d file%s changed, %d insertions(+), %d deletions(-)"
                % (len(files), "" if len(files) == 1 else "s", ins, dels))
    return "\n".join(stat) + "\n\n" + "".join(body)


def patch_body(r, author, files):
    trailers = ["%s: %s <%s>" % ((r.choice(TAGS),) + person(r))
                for _ in range(r.randint(0, 3))]
    trailers.append("Signed-off-by: %s <%s>" % author)
    notes = ""
    if r.random() < 0.4:
        notes = "\nChanges in v2:\n- %s\n- %s\n" % (sentence(r), sentence(r))
    return ("%s\n\n%s\n\n%s\n---\n%s\n%s\n-- \n2.47.1\n"
            % (paragraph(r), paragraph(r), "\n".join(trailers), notes,
               diff(r, files)))


def one_mail(r, n, series):
    """The n-th mail; series carries the state of the series in flight."""
    date = "Thu, %d Apr 2026 %02d:%02d:%02d +0200" % (
        1 + n % 28, n % 24, n % 60, (n * 7) % 60)
    if not series or series["next"] > series["total"]:
        total = r.choice((1, 1, 1, 2, 3, 4, 5, 7, 10))
        series.clear()
        series.update(total=total, next=0 if total > 1 else 1,
                      version=r.choice((1, 1, 2, 3, 4)),
                      subsys=r.choice(SUBSYS), author=person(r),
                      dir=r.choice(DIRS), id="%d.series-%d" % (n, r.getrandbits(30)),
                      title=words(r, r.randint(3, 8)))
    s = series
    author = s["author"]
    kind = r.random()
    extra = []
    if kind < 0.02:
        subject = "[GIT PULL] %s fixes for 7.%d" % (s["subsys"], n % 9)
        files = ["%s/%s.c" % (s["dir"], r.choice(WORDS)) for _ in range(3)]
        body = ("Hi Linus,\n\nPlease pull.\n\nThe following changes since "
                "commit %040x:\n\n  Linux 7.0 (2026-04-12)\n\nare available "
                "in the Git repository at:\n\n  git://git.kernel.org/pub/scm/"
                "linux/kernel/git/x/y.git tags/fixes\n\nfor you to fetch "
                "changes up to %040x:\n\n  %s\n\n%s\n%s\n"
                % (r.getrandbits(160), r.getrandbits(160), s["title"],
                   "-" * 64, diff(r, files).split("\n\n")[0]))
        mid = "%d.pull@kernel.org" % n
    elif kind < 0.25 and s.get("posted"):
        replier = person(r)
        author = replier
        subject = "Re: " + s["posted"]
        mid = "%d.reply-%x@%s" % (n, r.getrandbits(32), replier[1].split("@")[1])
        quoted = "\n".join("> " + line for line in paragraph(r).split("\n"))
        body = ("On %s, %s wrote:\n%s\n\n%s\n\n%s: %s <%s>\n"
                % (date, s["author"][0], quoted, paragraph(r),
                   r.choice(TAGS), replier[0], replier[1]))
        extra = ["In-Reply-To: <%s>" % s["posted_id"],
                 "References: <%s> <%s>" % (s["id"], s["posted_id"])]
    else:
        v = "" if s["version"] == 1 else " v%d" % s["version"]
        cnt = "" if s["total"] == 1 else " %0*d/%d" % (
            len(str(s["total"])), s["next"], s["total"])
        subject = "[PATCH%s%s] %s: %s" % (v, cnt, s["subsys"], s["title"]
                                         if s["next"] == 0 else
                                         words(r, r.randint(3, 9)))
        if s["next"] == 0:
            mid = s["id"] + "@kernel.org"
            body = ("%s\n\n%s\n\n%s (%d):\n  %s\n\n%s-- \n2.47.1\n"
                    % (paragraph(r), paragraph(r), author[0], s["total"],
                       s["title"], diff(r, ["%s/%s.c" % (s["dir"], w) for w in
                                            r.sample(WORDS, 3)]).split(
                                                "\n\n")[0] + "\n"))
        else:
            mid = "%s-%d@kernel.org" % (s["id"], s["next"])
            files = ["%s/%s.c" % (s["dir"], w)
                     for w in r.sample(WORDS, r.randint(1, 5))]
            body = patch_body(r, author, files)
            if s["total"] > 1:
                extra = ["In-Reply-To: <%s@kernel.org>" % s["id"],
                         "References: <%s@kernel.org>" % s["id"]]
        s["posted"] = subject
        s["posted_id"] = mid
        s["next"] += 1

    cte = "8bit"
    roll = r.random()
    if roll < 0.1:
        cte = "quoted-printable"
        body = quopri.encodestring(body.encode()).decode()
    elif roll < 0.12:
        cte = "base64"
        raw = base64.b64encode(body.encode()).decode()
        body = "\n".join(raw[i:i + 76] for i in range(0, len(raw), 76)) + "\n"
    to = [address(*person(r)) for _ in range(r.randint(2, 9))]
    h = transport_headers(r, n, date)
    h += [fold("From", address(*author)), "Date: " + date,
          fold("Subject", subject), "Message-ID: <%s>" % mid]
    h += extra
    h += [fold("To", ", ".join(to)),
          fold("Cc", ", ".join(["linux-kbuild@vger.kernel.org",
                                "linux-kernel@vger.kernel.org"] +
                               [address(*person(r)) for _ in range(3)])),
          "List-Id: <linux-kbuild.vger.kernel.org>",
          "List-Subscribe: <mailto:linux-kbuild+subscribe@vger.kernel.org>",
          "List-Unsubscribe: <mailto:linux-kbuild+unsubscribe@vger.kernel.org>",
          "Precedence: bulk", "MIME-Version: 1.0",
          "Content-Type: text/plain; charset=UTF-8",
          "Content-Transfer-Encoding: " + cte]
    # mboxrd: one more '>' before From_ lines of the body.
    lines = []
    for line in body.split("\n"):
        if line.lstrip(">").startswith("From "):
            line = ">" + line
        lines.append(line)
    return ("From mboxrd@z Thu Jan  1 00:00:00 1970\n" + "\n".join(h) +
            "\n\n" + "\n".join(lines).rstrip("\n") + "\n\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", type=int, default=100000, help="mails")
    ap.add_argument("-o", required=True, help="output file")
    ap.add_argument("--seed", type=int, default=20260401)
    a = ap.parse_args()
    r = random.Random(a.seed)
    series = {}
    with open(a.o, "w", encoding="utf-8") as f:
        for n in range(a.n):
            f.write(one_mail(r, n, series))


if __name__ == "__main__":
    main()
