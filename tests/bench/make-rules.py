#!/usr/bin/python3
"""make-rules.py: N subscribers' rule files for `make bench`, varied the
way a list's readers differ, over make-mbox.py's vocabulary (its
directories, subsystems, names and words), so that they match its mail.

    tests/bench/make-rules.py -n 10000 -o FILE

Each subscriber gets 1 to 4 rules, each with one or two criteria drawn
from paths (recursive or one level), subject patterns, authors (names and
*@domains), keywords in the diffs, with RFC and version choices; the
schedules mix daily (most), weekly and hourly, in several time zones,
one in ten asking for HTML too. FILE holds the rule files one after the
other, each ended by a line "%%". The output depends only on N and the
seed.
"""
import argparse
import importlib.util
import os
import random

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location(
    "make_mbox", os.path.join(here, "make-mbox.py"))
mm = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mm)

ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata",
         "Australia/Sydney", "Europe/London")
DOMAINS = ("*@kernel.org", "*@gmail.com", "*@intel.com", "*@linaro.org",
           "*@redhat.com", "*@suse.de")
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")


def quoted(values):
    return "{ " + ", ".join('"%s"' % v for v in values) + " }"


def criterion(r):
    kind = r.choice(("paths", "paths", "paths", "subject", "authors",
                     "authors", "keywords"))
    if kind == "paths":
        return "paths", [d + r.choice(("/", "/", "/*"))
                         for d in r.sample(mm.DIRS, r.randint(1, 3))]
    if kind == "subject":
        return "subject", [s + ":*" for s in r.sample(mm.SUBSYS,
                                                       r.randint(1, 2))]
    if kind == "authors":
        return "authors", (r.sample(mm.NAMES, r.randint(1, 3)) +
                           r.sample(DOMAINS, r.randint(0, 1)))
    return "keywords", [w for w in r.sample(mm.WORDS, 6) if len(w) >= 3][:2] \
        or ["memory"]


def rule_file(r, i):
    out = ["# subscriber %d" % i, "digest {"]
    freq = r.choice(("daily",) * 7 + ("weekly",) * 2 + ("hourly",))
    out.append("\tfrequency = %s" % freq)
    if freq != "hourly":
        out.append('\ttime = "%02d:%02d"' % (r.randint(5, 9),
                                             r.choice((0, 15, 30, 45))))
        out.append('\ttimezone = "%s"' % r.choice(ZONES))
    if freq == "weekly":
        out.append("\tday = %s" % r.choice(DAYS))
    if r.random() < 0.1:
        out.append("\tformat = both")
    out.append("}")
    for k in range(r.randint(1, 4)):
        out.append('rule "r%d" {' % k)
        for name, values in dict(criterion(r) for _ in
                                 range(r.randint(1, 2))).items():
            out.append("\t%s = %s" % (name, quoted(values)))
        if r.random() < 0.3:
            out.append("\tversions = all")
        if r.random() < 0.2:
            out.append("\trfc = no")
        out.append("}")
    return "\n".join(out) + "\n%%\n"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("-n", type=int, default=10000)
    p.add_argument("-o", required=True)
    p.add_argument("--seed", type=int, default=7)
    a = p.parse_args()
    r = random.Random(a.seed)
    with open(a.o, "w") as f:
        for i in range(a.n):
            f.write(rule_file(r, i))


if __name__ == "__main__":
    main()
