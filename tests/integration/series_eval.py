#!/usr/bin/python3
"""series_eval.py: measure series assembly and supersession against labels.

    series_eval.py --patchletter BIN --labels FILE --fixtures DIR
                   --shared DIR --work DIR [--only fixtures|corpus] [-v]

The labels (tests/fixtures/series/labels.txt) were written by reading the
mails; their format is described at the top of that file. Each case is
ingested into a store of its own (the corpus reuses Message-IDs across
files), `patchletter series --all --json` is read back, and compared:

  edges    A program edge X -> Y is right when a labelled edge A -> B has
           a message of A in X and a message of B in Y. Edges are kept as
           a chain (series.c keeps the transitive reduction), so labels
           name consecutive versions among the postings present: v1 -> v2
           -> v3, and v10 -> v12 when v11 is not in the files. Every edge
           of the program's output counts, also those between series no
           label names: each is a false edge unless labelled.
  evidence The strongest evidence the mails hold, in issue 4's order;
           edges labelled change-id, supersedes or link must be found with
           that evidence ("proved" edges).
  series   A labelled series is found when one program series holds
           exactly its postings (cover letter and patches, not replies).
           Precision is over the program series that hold a labelled
           posting.
  attrs    key=value on a series line (version, total, received, rfc,
           resend, kind, replies, reviews, repliers, cover) must match.

Prints what is wrong, then one summary block and RESULT key=value lines for
the shell test to judge. Exits 0 unless something could not be run.
"""
import argparse
import gzip
import json
import os
import random
import shutil
import subprocess
import sys

EVIDENCE = ["change-id", "supersedes", "link", "in-reply-to", "same-title",
            "patch-titles", "resend"]
PROVED = {"change-id", "supersedes", "link"}


class Case:
    def __init__(self, name, line):
        self.name = name
        self.line = line
        self.files = []      # (kind, path) kind: corpus or fixtures
        self.series = {}     # name -> (attrs, [mid])
        self.partial = set()  # names given by one posting only
        self.order = []      # series names in label order
        self.edges = []      # (old, new, evidence, line)


def die(msg):
    print("series_eval: " + msg, file=sys.stderr)
    sys.exit(2)


def parse_labels(path):
    cases = []
    cur = None
    with open(path, encoding="utf-8") as f:
        for no, raw in enumerate(f, 1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            where = "%s:%d" % (path, no)
            word, _, rest = line.partition(" ")
            rest = rest.strip()
            if word == "case":
                cur = Case(rest, where)
                cases.append(cur)
                continue
            if cur is None:
                die(where + ": a line before the first case")
            if word == "file":
                kind, _, p = rest.partition(":")
                if kind not in ("corpus", "fixtures") or not p:
                    die(where + ": file corpus:PATH or fixtures:PATH")
                cur.files.append((kind, p))
            elif word in ("series", "posting"):
                head, sep, mids = rest.partition(":")
                if not sep:
                    die(where + ": series NAME [k=v...] : MID...")
                head = head.split()
                name, attrs = head[0], {}
                for kv in head[1:]:
                    k, eq, v = kv.partition("=")
                    if not eq:
                        die(where + ": attribute without =: " + kv)
                    attrs[k] = v
                mids = [m.strip("<>") for m in mids.split()]
                if name in cur.series:
                    die(where + ": series %s named twice" % name)
                if not mids:
                    die(where + ": series %s has no message" % name)
                if word == "posting" and (len(mids) != 1 or attrs):
                    die(where + ": posting NAME : MSGID (one, no keys)")
                cur.series[name] = (attrs, mids)
                cur.order.append(name)
                if word == "posting":
                    cur.partial.add(name)
            elif word == "edge":
                w = rest.split()
                if len(w) != 3 or w[2] not in EVIDENCE:
                    die(where + ": edge OLD NEW EVIDENCE (one of %s)" %
                        ", ".join(EVIDENCE))
                for s in w[:2]:
                    if s not in cur.series:
                        die(where + ": edge names unknown series " + s)
                cur.edges.append((w[0], w[1], w[2], where))
            else:
                die(where + ": unknown line: " + word)
    seen = {}
    for c in cases:
        for name in c.order:
            for m in c.series[name][1]:
                if (c.name, m) in seen:
                    die("%s: %s is in series %s and %s" %
                        (c.name, m, seen[(c.name, m)], name))
                seen[(c.name, m)] = name
    return cases


def split_mbox(data):
    """The messages of an mbox, each with its From_ line, as bytes."""
    msgs, cur = [], []
    for line in data.splitlines(keepends=True):
        if line.startswith(b"From ") and (not cur or cur[-1] in (b"\n",
                                                                b"\r\n")):
            if cur:
                msgs.append(b"".join(cur))
            cur = []
        cur.append(line)
    if cur:
        msgs.append(b"".join(cur))
    return msgs


def ingest(args, case, state):
    paths = []
    for kind, p in case.files:
        base = args.shared + "/corpus" if kind == "corpus" else args.fixtures
        full = os.path.join(base, p)
        if full.endswith(".gz"):
            plain = os.path.join(state, os.path.basename(full)[:-3])
            with gzip.open(full) as src, open(plain, "wb") as dst:
                shutil.copyfileobj(src, dst)
            full = plain
        paths.append(full)
    if args.shuffle is not None:
        # Arrival order must not matter: all the case's messages in one
        # mbox, in an order fixed by the seed.
        msgs = []
        for p in paths:
            with open(p, "rb") as f:
                msgs += split_mbox(f.read())
        random.Random(args.shuffle).shuffle(msgs)
        one = os.path.join(state, "shuffled.mbox")
        with open(one, "wb") as f:
            for m in msgs:
                f.write(m if m.endswith(b"\n\n") else m + b"\n")
        paths = [one]
    st = os.path.join(state, "state")
    r = subprocess.run([args.patchletter, "-s", st, "ingest"] + paths,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    if r.returncode:
        die("%s: ingest failed (%d): %s" % (case.name, r.returncode,
                                           r.stderr.strip()))
    r = subprocess.run([args.patchletter, "-s", st, "series", "--all",
                        "--json"], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    if r.returncode:
        die("%s: series failed (%d): %s" % (case.name, r.returncode,
                                           r.stderr.strip()))
    return [json.loads(l) for l in r.stdout.splitlines() if l.strip()]


def postings(s):
    p = set(s["messages"])
    if s.get("cover"):
        p.add(s["cover"])
    return p


def describe(s):
    return "#%d v%d %s%s%d/%d \"%s\" <%s>" % (
        s["id"], s["version"], "RFC " if s["rfc"] else "",
        "RESEND " if s["resend"] else "", s["received"], s["total"],
        s["title"][:70], s["author"]["address"])


def attr_value(s, key):
    if key in ("version", "total", "received", "replies", "reviews"):
        return str(s[key])
    if key in ("rfc", "resend", "complete"):
        return "1" if s[key] else "0"
    if key == "kind":
        return s["kind"]
    if key == "cover":
        return s["cover"] or "-"
    if key == "repliers":
        return ",".join(sorted(p["address"] for p in s.get("repliers", [])))
    die("unknown attribute " + key)


class Tally:
    def __init__(self):
        self.tp = self.fp = self.fn = 0
        self.proved = self.proved_found = 0
        self.ev_same = self.ev_total = 0
        self.s_label = self.s_found = 0
        self.s_prog = self.s_prog_right = 0
        self.attr_bad = self.attr_total = 0
        self.cases = 0


def evaluate(args, case, out, t):
    where = {}   # mid -> program series id
    by_id = {}
    for s in out:
        by_id[s["id"]] = s
        for m in postings(s):
            where[m] = s["id"]
    label_of = {}  # mid -> label series name
    for name in case.order:
        for m in case.series[name][1]:
            label_of[m] = name
    names = {}   # program id -> set of label names it holds
    for s in out:
        names[s["id"]] = {label_of[m] for m in postings(s) if m in label_of}
    problems = []

    # Series membership.
    for name in case.order:
        if name in case.partial:
            continue
        attrs, mids = case.series[name]
        want = set(mids)
        got_ids = {where[m] for m in mids if m in where}
        t.s_label += 1
        exact = [i for i in got_ids if postings(by_id[i]) == want]
        if exact:
            t.s_found += 1
        else:
            got = "; ".join("%s holds %d of them and %d others" % (
                describe(by_id[i]), len(postings(by_id[i]) & want),
                len(postings(by_id[i]) - want)) for i in sorted(got_ids))
            missing = [m for m in mids if m not in where]
            problems.append("series %s (%s): not one program series%s%s" % (
                name, mids[0], ": " + got if got else "",
                "; in none: " + " ".join(missing[:5]) if missing else ""))
        for k, v in attrs.items():
            t.attr_total += 1
            s = by_id.get(where.get(mids[0]))
            got = attr_value(s, k) if s else "(no series)"
            if got != v:
                t.attr_bad += 1
                problems.append("series %s: %s expected %s, got %s" % (
                    name, k, v, got))
    for s in out:
        full = names[s["id"]] - case.partial
        if full:
            t.s_prog += 1
            if any(postings(s) == set(case.series[n][1]) for n in full):
                t.s_prog_right += 1

    # Edges.
    found = set()
    for s in out:
        for e in s["supersedes"]:
            old = by_id[e["series"]]
            ev = e["evidence"].replace(" ", "-")
            match = None
            for i, (a, b, lev, _) in enumerate(case.edges):
                if a in names[old["id"]] and b in names[s["id"]]:
                    match = i
                    break
            if match is None:
                t.fp += 1
                problems.append("FALSE EDGE %s -> %s (%s: %s)" % (
                    describe(old), describe(s), ev, e.get("detail", "")))
                continue
            t.tp += 1
            if match in found:
                continue
            found.add(match)
            lev = case.edges[match][2]
            t.ev_total += 1
            if lev == ev:
                t.ev_same += 1
            elif args.verbose or lev in PROVED:
                problems.append("edge %s -> %s: evidence %s expected, "
                                "got %s" % (case.edges[match][0],
                                            case.edges[match][1], lev, ev))
            if lev in PROVED and lev == ev:
                t.proved_found += 1
    for i, (a, b, lev, line) in enumerate(case.edges):
        if lev in PROVED:
            t.proved += 1
        if i not in found:
            t.fn += 1
            problems.append("MISSED EDGE %s -> %s (%s) [%s]" % (
                a, b, lev, line))
    t.cases += 1
    if problems:
        print("# case %s:" % case.name)
        for p in problems:
            print("#   " + p)
    elif args.verbose:
        print("# case %s: right" % case.name)


def pct(a, b):
    return "%.1f" % (100.0 * a / b) if b else "100.0"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--patchletter", required=True)
    ap.add_argument("--labels", required=True)
    ap.add_argument("--fixtures", required=True)
    ap.add_argument("--shared", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--only", choices=("fixtures", "corpus"))
    ap.add_argument("--case")
    ap.add_argument("--shuffle", type=int, metavar="SEED",
                    help="ingest each case's messages in a random order")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--keep", action="store_true",
                    help="keep each case's store and input (debugging)")
    args = ap.parse_args()

    cases = parse_labels(args.labels)
    t = Tally()
    for n, case in enumerate(cases):
        corpus = any(k == "corpus" for k, _ in case.files)
        if args.only == "fixtures" and corpus:
            continue
        if args.only == "corpus" and not corpus:
            continue
        if args.case and case.name != args.case:
            continue
        state = os.path.join(args.work, "case%03d" % n)
        os.makedirs(state)
        evaluate(args, case, ingest(args, case, state), t)
        if not args.keep:
            shutil.rmtree(state)

    print("# %d cases" % t.cases)
    print("# edges: %d right, %d false, %d missed: precision %s%%, "
          "recall %s%%" % (t.tp, t.fp, t.fn, pct(t.tp, t.tp + t.fp),
                           pct(t.ev_total, t.ev_total + t.fn)))
    print("# edges proved by change-id, Supersedes: or link: %d of %d "
          "found with that evidence" % (t.proved_found, t.proved))
    print("# evidence as labelled: %d of %d edges found" %
          (t.ev_same, t.ev_total))
    print("# series: %d of %d labelled series found exactly (recall %s%%); "
          "%d of %d program series holding labelled postings are exact "
          "(precision %s%%)" % (t.s_found, t.s_label,
                                pct(t.s_found, t.s_label), t.s_prog_right,
                                t.s_prog, pct(t.s_prog_right, t.s_prog)))
    print("# attributes: %d of %d as labelled" %
          (t.attr_total - t.attr_bad, t.attr_total))
    for k, v in (("cases", t.cases), ("edges_right", t.tp),
                 ("edges_false", t.fp), ("edges_missed", t.fn),
                 ("edges_labelled", t.ev_total + t.fn),
                 ("proved", t.proved), ("proved_found", t.proved_found),
                 ("series_labelled", t.s_label), ("series_found", t.s_found),
                 ("series_program", t.s_prog),
                 ("series_program_exact", t.s_prog_right),
                 ("attrs", t.attr_total), ("attrs_bad", t.attr_bad)):
        print("RESULT %s=%d" % (k, v))


if __name__ == "__main__":
    main()
