#!/usr/bin/python3
"""show_expect.py: compare `patchletter show --json` with expected values.

    show_expect.py PATCHLETTER BASE EXPECT.json
        every mail EXPECT.json lists (a file below BASE and its Message-ID,
        or its index in the file), field by field
    show_expect.py --git-t5100 PATCHLETTER DIR
        git's mailinfo samples against its expectations (info* files):
        author name and address, and the title against git's Subject

Prints "ok - ..." or "not ok - ..." per mail, and under a failure one
"#   field: expected ..., got ..." line per field that differs. The lines
are read by t020-show.sh. Exits 0.

An EXPECT.json record: {"file", "message_id", "index" (optional: the
message's place in the file, for mails without a Message-ID), "why",
"note" (optional), "expect": {field: value}}. Every field of "expect" is
compared with the same key of the JSON (message.h's keys); "files_count"
compares the number of files instead of the list.
"""
import gzip
import json
import os
import subprocess
import sys

# The interface: `patchletter show --json` keys, in this order.
KEYS = ["message_id", "in_reply_to", "references", "list_id", "date", "from",
        "author", "subject", "title", "tags", "kind", "trailers", "files",
        "diffstat"]
TAG_KEYS = ["prefixes", "version", "number", "total", "rfc", "resend",
            "reply", "pull"]


def show(patchletter, path):
    """The JSON objects `show --json` prints for path, and its stderr."""
    if path.endswith(".gz"):
        with open(path, "rb") as f:
            data = gzip.decompress(f.read())
        p = subprocess.run([patchletter, "show", "--json", "-"], input=data,
                           capture_output=True, check=False)
    else:
        p = subprocess.run([patchletter, "show", "--json", path],
                           capture_output=True, check=False)
    out = []
    for line in p.stdout.decode("utf-8").splitlines():
        out.append(json.loads(line))
    return out, p.returncode, p.stderr.decode("utf-8", "replace")


def shape_problems(obj):
    """What is wrong with the key set of one object, or []."""
    bad = []
    if list(obj.keys()) != KEYS:
        bad.append("keys %s, expected %s" % (list(obj.keys()), KEYS))
    if list(obj.get("tags", {}).keys()) != TAG_KEYS:
        bad.append("tags keys %s" % list(obj.get("tags", {}).keys()))
    for k in ("from", "author"):
        if list(obj.get(k, {}).keys()) != ["name", "address"]:
            bad.append("%s keys %s" % (k, list(obj.get(k, {}).keys())))
    return bad


def short(v):
    s = json.dumps(v, ensure_ascii=False)
    return s if len(s) <= 300 else s[:300] + "..."


def report(name, problems):
    if problems:
        print("not ok - %s" % name)
        for p in problems:
            print("#   %s" % p)
    else:
        print("ok - %s" % name)


def check_expectations(patchletter, base, expect_path):
    with open(expect_path, encoding="utf-8") as f:
        records = json.load(f)
    by_file = {}
    for r in records:
        by_file.setdefault(r["file"], []).append(r)
    for rel, recs in by_file.items():
        msgs, rc, err = show(patchletter, os.path.join(base, rel))
        shape = [p for m in msgs for p in shape_problems(m)]
        for r in recs:
            name = "%s <%s>: %s" % (rel, r["message_id"] or
                                     "#%d" % r.get("index", -1), r["why"])
            problems = []
            if rc != 0:
                problems.append("show exited %d: %s" % (rc, err.strip()))
            problems += shape[:3]
            if "index" in r:
                found = msgs[r["index"]:r["index"] + 1]
            else:
                found = [m for m in msgs if m["message_id"] == r["message_id"]]
            if len(found) != 1:
                problems.append("%d messages found with that Message-ID "
                                "(of %d in the file)" % (len(found), len(msgs)))
                report(name, problems)
                continue
            got = found[0]
            for key, want in r["expect"].items():
                have = (len(got["files"]) if key == "files_count"
                        else got.get(key))
                if have != want:
                    problems.append("%s: expected %s, got %s"
                                    % (key, short(want), short(have)))
            report(name, problems)


def info_fields(path):
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if ": " in line:
                k, v = line.rstrip("\n").split(": ", 1)
                out[k] = v
            elif line.endswith(":\n"):
                out[line[:-2]] = ""
    return out


def check_t5100(patchletter, d):
    """
    git's expectations where the notion is the same: git mailinfo's
    Author and Email are our author (the in-body From: wins, as in git
    am), and its Subject, with [PATCH] tags and Re: cut, is our title.
    Sample 14 is compared with its --scissors expectation (we cut at
    scissors as `git am --scissors`); sample 15's in-body "From:
    bogosity" has no address, which we leave out (git reports an empty
    author), so its --no-inbody-headers expectation. git's Date is the
    header text as written: not compared here (test_mail checks dates).
    """
    for mbox, infos in (("sample.mbox", ["info%04d" % i
                                         for i in range(1, 19)]),
                        ("rfc2047-samples.mbox",
                         ["rfc2047-info-%04d" % i for i in range(1, 12)])):
        msgs, rc, err = show(patchletter, os.path.join(d, mbox))
        if len(msgs) != len(infos) or rc != 0:
            report("git t5100 %s splits into %d mails" % (mbox, len(infos)),
                   ["got %d (exit %d): %s" % (len(msgs), rc, err.strip())])
            continue
        for i, info in enumerate(infos):
            if info == "info0014":
                info += "--scissors"
            elif info == "info0015":
                info += "--no-inbody-headers"
            want = info_fields(os.path.join(d, info))
            got = msgs[i]
            problems = []
            if "Email" in want:
                if got["author"]["address"] != want["Email"]:
                    problems.append("author address: expected %s, got %s" % (
                        short(want["Email"]), short(got["author"]["address"])))
                if got["author"]["name"] != want["Author"]:
                    problems.append("author name: expected %s, got %s" % (
                        short(want["Author"]), short(got["author"]["name"])))
            if got["title"] != want["Subject"]:
                problems.append("title: expected %s (git's Subject), got %s"
                                % (short(want["Subject"]), short(got["title"])))
            report("git t5100 %s #%d against %s" % (mbox, i + 1, info),
                   problems)


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--git-t5100":
        check_t5100(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 4:
        check_expectations(sys.argv[1], sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
