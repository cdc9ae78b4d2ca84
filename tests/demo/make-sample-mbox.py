#!/usr/bin/python3
"""Write tests/demo/sample-list.mbox: realistic kernel-style list traffic
written for patchletter (fictional people and code; nothing copied).

The series are built from small before/after file contents, so every diff,
hunk header and diffstat is what `git format-patch` would print for them.
Run it again after editing; the output is committed so the demo needs no
Python.

    tests/demo/make-sample-mbox.py > tests/demo/sample-list.mbox
"""
import difflib
import email.utils
import hashlib
import sys
from email.header import Header

LIST = "kvm.vger.kernel.org"
LIST_ADDR = "kvm@vger.kernel.org"
import os
# 2026-11-20 08:00:00 UTC; the daemon's tests start the traffic from now
# (PATCHLETTER_SAMPLE_BASE=seconds), so that it is news to a subscriber.
BASE = int(os.environ.get("PATCHLETTER_SAMPLE_BASE", 1795161600))


def msgid(tag):
    h = hashlib.sha1(tag.encode()).hexdigest()[:12]
    return "20261120.%s-%s@example.org" % (h, tag.split(":")[0])


def date(minutes, tz=0):
    """RFC 5322 date in the sender's zone (tz in hours east of UTC)."""
    import datetime
    zone = datetime.timezone(datetime.timedelta(hours=tz))
    t = datetime.datetime.fromtimestamp(BASE + minutes * 60, zone)
    return email.utils.format_datetime(t)


def diff_file(path, old, new, mode="modify"):
    """Return (diff text, insertions, deletions) for one file."""
    a = old.splitlines(keepends=True)
    b = new.splitlines(keepends=True)
    body = list(difflib.unified_diff(a, b, "a/" + path, "b/" + path, n=3))
    ins = sum(1 for l in body[2:] if l.startswith("+"))
    dels = sum(1 for l in body[2:] if l.startswith("-"))
    head = "diff --git a/%s b/%s\n" % (path, path)
    if mode == "new":
        head += "new file mode 100644\nindex 0000000..1f2e3d4\n"
        body[0] = "--- /dev/null\n"
    else:
        head += "index 3a4b5c6..7d8e9f0 100644\n"
    return head + "".join(body), ins, dels


def diffstat(files):
    width = max(len(p) for p, _, _ in files)
    digits = max(len(str(i + d)) for _, i, d in files)
    out = []
    ti = td = 0
    for path, ins, dels in files:
        out.append(" %-*s | %*d %s%s\n" % (width, path, digits, ins + dels,
                                          "+" * ins, "-" * dels))
        ti += ins
        td += dels
    n = len(files)
    summary = " %d file%s changed" % (n, "" if n == 1 else "s")
    if ti:
        summary += ", %d insertion%s(+)" % (ti, "" if ti == 1 else "s")
    if td:
        summary += ", %d deletion%s(-)" % (td, "" if td == 1 else "s")
    out.append(summary + "\n")
    return "".join(out)


def header_name(name):
    try:
        name.encode("ascii")
        return name
    except UnicodeEncodeError:
        return Header(name, "utf-8").encode()


def mail(frm, subject, mid, minutes, body, irt=None, refs=(), extra=()):
    name, addr, tz = frm
    lines = [
        "From mboxrd@z Thu Jan  1 00:00:00 1970",
        "From: %s <%s>" % (header_name(name), addr),
        "To: %s" % LIST_ADDR,
        "Subject: %s" % subject,
        "Date: %s" % date(minutes, tz),
        "Message-ID: <%s>" % mid,
    ]
    if irt:
        lines.append("In-Reply-To: <%s>" % irt)
    if refs:
        lines.append("References: " + "\n ".join("<%s>" % r for r in refs))
    lines += [
        "List-Id: <%s>" % LIST,
        "MIME-Version: 1.0",
    ]
    lines += list(extra)
    if not any(l.startswith("Content-Type") for l in extra):
        lines.append("Content-Type: text/plain; charset=utf-8")
        lines.append("Content-Transfer-Encoding: 8bit")
    text = "\n".join(lines) + "\n\n" + body
    if not text.endswith("\n"):
        text += "\n"
    # mboxrd: quote From lines in the body.
    out = []
    for i, l in enumerate(text.split("\n")):
        if i > 0 and l.lstrip(">").startswith("From "):
            l = ">" + l
        out.append(l)
    return "\n".join(out) + "\n"


def patch_body(author, message, files, notes="", trailers=()):
    diffs = [diff_file(*f) for f in files]
    stat = diffstat([(f[0], d[1], d[2]) for f, d in zip(files, diffs)])
    body = message.rstrip("\n") + "\n\n"
    body += "".join(t + "\n" for t in trailers)
    body += "Signed-off-by: %s <%s>\n---\n" % author[:2]
    if notes:
        body += notes.rstrip("\n") + "\n\n"
    body += stat + "\n"
    body += "".join(d[0] for d in diffs)
    body += "-- \n2.47.1\n"
    return body, stat


def cover_body(author, intro, titles, stats, extra="", b4=None):
    """A cover letter as git format-patch --cover-letter writes it, or, with
    b4=(base, change-id), as b4 send does."""
    body = intro.rstrip("\n") + "\n\n"
    if extra:
        body += extra.rstrip("\n") + "\n\n"
    if b4:
        body += "---\n"
    body += "%s (%d):\n" % (author[0], len(titles))
    body += "".join("      %s\n" % t for t in titles) + "\n"
    # A cover letter's diffstat sums its patches'.
    allf = {}
    for s in stats:
        for line in s.splitlines():
            if "|" in line:
                p, rest = line.split("|")
                n = rest.split()
                ins = rest.count("+")
                dels = rest.count("-")
                a = allf.setdefault(p.strip(), [0, 0])
                a[0] += ins
                a[1] += dels
    body += diffstat([(p, v[0], v[1]) for p, v in sorted(allf.items())])
    if b4:
        body += ("---\nbase-commit: %s\nchange-id: %s\n\nBest regards,\n"
                 "-- \n%s <%s>\n" % (b4[0], b4[1], author[0], author[1]))
    else:
        body += "\n-- \n2.47.1\n"
    return body


ADA = ("Ada Lindqvist", "ada.lindqvist@example.com", 1)
RAJ = ("Rajesh Iyer", "rajesh.iyer@example.net", 5.5)
ZOE = ("Zoë Ångström", "zoe@example.se", 1)
SEAN = ("Tomasz Wieczorek", "tomasz@example.org", 1)
MAINT = ("Paula Maintainer", "paula@kernel.example.org", -8)

SVM_C = """static int svm_vcpu_create(struct kvm_vcpu *vcpu)
{
	struct vcpu_svm *svm = to_svm(vcpu);
	int err;

	err = avic_init_vcpu(svm);
	if (err)
		return err;

	svm->asid_generation = 0;
	svm->current_vmcb->asid = 0;
	return 0;
}

static void pre_svm_run(struct kvm_vcpu *vcpu)
{
	struct svm_cpu_data *sd = per_cpu_ptr(&svm_data, vcpu->cpu);
	struct vcpu_svm *svm = to_svm(vcpu);

	if (svm->asid_generation != sd->asid_generation)
		new_asid(svm, sd);
}
"""

SVM_C_V1 = SVM_C.replace("""	svm->asid_generation = 0;
	svm->current_vmcb->asid = 0;
""", """	svm->current_vmcb->asid = vcpu->kvm->arch.asid;
""").replace("""	if (svm->asid_generation != sd->asid_generation)
		new_asid(svm, sd);
""", """	if (sd->last_vm_asid != svm->current_vmcb->asid) {
		svm_flush_asid(svm);
		sd->last_vm_asid = svm->current_vmcb->asid;
	}
""")

SVM_C_V2 = SVM_C_V1.replace("""	if (sd->last_vm_asid != svm->current_vmcb->asid) {
		svm_flush_asid(svm);
		sd->last_vm_asid = svm->current_vmcb->asid;
	}
""", """	/* A new physical CPU may hold stale translations for this ASID. */
	if (sd->last_vm_asid != svm->current_vmcb->asid) {
		svm_flush_asid(svm, KVM_FLUSH_ASID_CURRENT);
		sd->last_vm_asid = svm->current_vmcb->asid;
	}
""")

SVM_H = """struct svm_cpu_data {
	u64 asid_generation;
	u32 max_asid;
	u32 next_asid;
	u32 min_asid;
};
"""
SVM_H_V1 = SVM_H.replace("""	u64 asid_generation;
	u32 max_asid;
	u32 next_asid;
	u32 min_asid;
""", """	unsigned int last_vm_asid;
""")

X86_C = """int kvm_arch_init_vm(struct kvm *kvm, unsigned long type)
{
	int ret;

	ret = kvm_page_track_init(kvm);
	if (ret)
		return ret;

	return static_call(kvm_x86_vm_init)(kvm);
}
"""
X86_C_V1 = X86_C.replace("""	return static_call(kvm_x86_vm_init)(kvm);
""", """	ret = kvm_alloc_asid(kvm);
	if (ret)
		return ret;

	return static_call(kvm_x86_vm_init)(kvm);
""")

VFIO_C = """static long vfio_pin_pages_remote(struct vfio_dma *dma, unsigned long vaddr,
				  long npage, unsigned long *pfn_base)
{
	long pinned = 0;

	while (pinned < npage) {
		if (vaddr_get_pfn(dma, vaddr, pfn_base))
			break;
		pinned++;
		vaddr += PAGE_SIZE;
	}
	return pinned;
}
"""
VFIO_C_V1 = VFIO_C.replace("""		pinned++;
		vaddr += PAGE_SIZE;
""", """		pinned++;
		vaddr += PAGE_SIZE;
		/* Pinning a large region can take seconds. */
		cond_resched();
""")

SPARSE_C = """static void check_cast(struct expression *expr)
{
	struct symbol *t = expr->ctype;

	if (!t)
		return;
	if (is_int_type(t))
		return;
}
"""
SPARSE_C_V1 = SPARSE_C.replace("""	if (is_int_type(t))
		return;
""", """	if (is_int_type(t))
		return;
	if (is_restricted_type(t) && !expr->flags)
		warning(expr->pos, "cast from restricted type");
""")
SPARSE_T = "" 
SPARSE_T_V1 = """/*
 * check-name: cast from restricted type
 * check-command: sparse -Wbitwise $file
 */
typedef unsigned int __attribute__((bitwise)) le32;
static int f(le32 x) { return (int)x; }
"""

NET_C = """static int tun_set_hash(struct tun_struct *tun, void __user *data)
{
	struct tun_vnet_hash hash;

	if (copy_from_user(&hash, data, sizeof(hash)))
		return -EFAULT;
	return 0;
}
"""
NET_C_V1 = NET_C.replace("""	return 0;
""", """	if (hash.flags & ~TUN_VNET_HASH_MASK)
		return -EINVAL;
	tun->vnet_hash = hash;
	return 0;
""")
NET_C_V2 = NET_C_V1.replace("""	tun->vnet_hash = hash;
""", """	tun->vnet_hash = hash;
	tun_update_hash_key(tun);
""")
NET_H = """#define TUNSETVNETHDRSZ _IOW('T', 216, int)
"""
NET_H_V1 = NET_H + """#define TUNSETVNETHASH _IOW('T', 228, struct tun_vnet_hash)
"""
NET_DOC = """TUN/TAP ioctls
==============
"""
NET_DOC_V1 = NET_DOC + """
TUNSETVNETHASH sets the hash types the device computes for each packet.
"""

out = []

# --- Series 1: v1 of the SVM ASID work, cover + 3 patches. ---------------
CID = "20261120-svm-asid-4f2c1a9b7e3d"
v1_titles = ["KVM: SVM: Allocate one ASID per VM",
             "KVM: SVM: Flush the ASID when a vCPU moves to a new CPU",
             "KVM: x86: Allocate the ASID when the VM is created"]
v1_files = [
    [("arch/x86/kvm/svm/svm.c", SVM_C, SVM_C_V1)],
    [("arch/x86/kvm/svm/svm.h", SVM_H, SVM_H_V1)],
    [("arch/x86/kvm/x86.c", X86_C, X86_C_V1)],
]
v1_msgs = [
    "Dynamic ASIDs per vCPU were added for CPUs without FLUSHBYASID, which\n"
    "every CPU made since 2010 has. Give each VM one ASID instead and keep\n"
    "it for the VM's lifetime.",
    "With one ASID per VM, a vCPU that runs on a physical CPU where another\n"
    "vCPU of the same VM ran last may see stale translations. Remember the\n"
    "last ASID each CPU ran and flush when it changes.",
    "Allocate the VM's ASID in kvm_arch_init_vm() so that the vendor code\n"
    "finds it ready when it creates the first vCPU.",
]
cover1 = msgid("svm-v1:cover")
stats = []
patches = []
for i, (t, f, m) in enumerate(zip(v1_titles, v1_files, v1_msgs), 1):
    body, stat = patch_body(ADA, m, f)
    stats.append(stat)
    patches.append((t, body, i))
out.append(mail(ADA, "[PATCH 0/3] KVM: SVM: Use a single ASID per VM",
                cover1, 0,
                cover_body(ADA,
                           "This series changes SVM to use a single ASID per VM instead of\n"
                           "dynamic, generation-based ASIDs per vCPU. ASIDs are local to a\n"
                           "physical CPU; all that is needed is a flush before a different vCPU\n"
                           "of the same VM runs there.\n\n"
                           "Tested with the KVM selftests and a Linux guest on a Milan host, with\n"
                           "and without NPT.",
                           v1_titles, stats,
                           b4=("0f1e2d3c4b5a69788796a5b4c3d2e1f001122334", CID))))
for t, body, i in patches:
    out.append(mail(ADA, "[PATCH %d/3] %s" % (i, t),
                    msgid("svm-v1:%d" % i), i, body, irt=cover1,
                    refs=[cover1]))

# A review of v1 patch 2, with a question (no trailer).
out.append(mail(MAINT, "Re: [PATCH 2/3] KVM: SVM: Flush the ASID when a vCPU moves to a new CPU",
                msgid("svm-v1:2:review"), 90,
                "On Fri, Nov 20, 2026, Ada Lindqvist wrote:\n"
                "> With one ASID per VM, a vCPU that runs on a physical CPU where another\n"
                "> vCPU of the same VM ran last may see stale translations.\n\n"
                "Please say which flush type is used, and put the reason in a comment\n"
                "next to the check, not only in the changelog.\n",
                irt=msgid("svm-v1:2"), refs=[cover1, msgid("svm-v1:2")]))

# --- Series 2: v2 of the same work, with Link to v1 and change-id. -------
cover2 = msgid("svm-v2:cover")
v2_files = [
    [("arch/x86/kvm/svm/svm.c", SVM_C, SVM_C_V1)],
    [("arch/x86/kvm/svm/svm.c", SVM_C_V1, SVM_C_V2),
     ("arch/x86/kvm/svm/svm.h", SVM_H, SVM_H_V1)],
    [("arch/x86/kvm/x86.c", X86_C, X86_C_V1)],
]
v2_msgs = list(v1_msgs)
v2_msgs[1] += "\n\nUse KVM_FLUSH_ASID_CURRENT so that only this ASID is flushed."
stats = []
patches = []
for i, (t, f, m) in enumerate(zip(v1_titles, v2_files, v2_msgs), 1):
    body, stat = patch_body(ADA, m, f,
                            notes="v2: explain the flush in a comment" if i == 2 else "")
    stats.append(stat)
    patches.append((t, body, i))
out.append(mail(ADA, "[PATCH v2 0/3] KVM: SVM: Use a single ASID per VM",
                cover2, 24 * 60,
                cover_body(ADA,
                           "This series changes SVM to use a single ASID per VM instead of\n"
                           "dynamic, generation-based ASIDs per vCPU. ASIDs are local to a\n"
                           "physical CPU; all that is needed is a flush before a different vCPU\n"
                           "of the same VM runs there.",
                           v1_titles, stats,
                           extra="Changes in v2:\n"
                                 "- Flush only the current ASID and say why in a comment (Paula).\n"
                                 "- Rebased on kvm/next.\n"
                                 "- Link to v1: https://lore.kernel.org/r/%s" % cover1,
                           b4=("5a69788796a5b4c3d2e1f0011223340f1e2d3c4b", CID))))
for t, body, i in patches:
    out.append(mail(ADA, "[PATCH v2 %d/3] %s" % (i, t),
                    msgid("svm-v2:%d" % i), 24 * 60 + i, body, irt=cover2,
                    refs=[cover2]))
out.append(mail(MAINT, "Re: [PATCH v2 0/3] KVM: SVM: Use a single ASID per VM",
                msgid("svm-v2:cover:ack"), 26 * 60,
                "On Sat, Nov 21, 2026, Ada Lindqvist wrote:\n"
                "> This series changes SVM to use a single ASID per VM instead of\n"
                "> dynamic, generation-based ASIDs per vCPU.\n\n"
                "Looks good, thanks for the comment.\n\n"
                "Reviewed-by: Paula Maintainer <paula@kernel.example.org>\n",
                irt=cover2, refs=[cover2]))
out.append(mail(SEAN, "Re: [PATCH v2 2/3] KVM: SVM: Flush the ASID when a vCPU moves to a new CPU",
                msgid("svm-v2:2:tested"), 27 * 60,
                "On Sat, Nov 21, 2026, Ada Lindqvist wrote:\n"
                "> +\t/* A new physical CPU may hold stale translations for this ASID. */\n\n"
                "Ran the selftests on a Genoa host, no failures.\n\n"
                "Tested-by: Tomasz Wieczorek <tomasz@example.org>\n",
                irt=msgid("svm-v2:2"), refs=[cover2, msgid("svm-v2:2")]))

# --- A lone patch with a review. ------------------------------------------
lone = msgid("vfio-resched:1")
body, _ = patch_body(RAJ,
                     "Pinning the pages of a large DMA mapping can take several seconds\n"
                     "on a host under memory pressure, long enough to trigger soft lockup\n"
                     "warnings. Reschedule between pages.",
                     [("drivers/vfio/vfio_iommu_type1.c", VFIO_C, VFIO_C_V1)])
out.append(mail(RAJ, "[PATCH] vfio/type1: conditionally reschedule while pinning pages",
                lone, 30, body))
out.append(mail(MAINT, "Re: [PATCH] vfio/type1: conditionally reschedule while pinning pages",
                msgid("vfio-resched:1:ack"), 200,
                "On Fri, Nov 20, 2026, Rajesh Iyer wrote:\n"
                "> Pinning the pages of a large DMA mapping can take several seconds\n\n"
                "Acked-by: Paula Maintainer <paula@kernel.example.org>\n",
                irt=lone, refs=[lone]))

# --- An RFC series from someone whose name needs RFC 2047, sent QP. -------
rfc_cover = msgid("sparse-restricted:cover")
titles = ["sparse: warn on casts from restricted types",
          "validation: add a test for casts from restricted types"]
files = [[("evaluate.c", SPARSE_C, SPARSE_C_V1)],
         [("validation/cast-restricted.c", SPARSE_T, SPARSE_T_V1, "new")]]
msgs = ["A cast from a __bitwise type to a plain integer hides endianness\n"
        "bugs. Warn about it under -Wbitwise, unless the cast is __force.",
        "Cover the new warning."]
stats = []
parts = []
for i, (t, f, m) in enumerate(zip(titles, files, msgs), 1):
    body, stat = patch_body(ZOE, m, f)
    stats.append(stat)
    parts.append((t, body, i))
def qp(text):
    import quopri
    return quopri.encodestring(text.encode("utf-8")).decode("ascii")
cover_txt = cover_body(ZOE,
                       "Casts from restricted types are how endianness bugs hide. This RFC\n"
                       "adds a warning for them; is -Wbitwise the right switch, or should it\n"
                       "get its own, off by default?",
                       titles, stats)
out.append(mail(ZOE, "[RFC PATCH 0/2] sparse: warn on casts from restricted types",
                rfc_cover, 45, qp(cover_txt),
                extra=["Content-Type: text/plain; charset=utf-8",
                       "Content-Transfer-Encoding: quoted-printable"]))
for t, body, i in parts:
    out.append(mail(ZOE, "[RFC PATCH %d/2] %s" % (i, t),
                    msgid("sparse-restricted:%d" % i), 45 + i, qp(body),
                    irt=rfc_cover, refs=[rfc_cover],
                    extra=["Content-Type: text/plain; charset=utf-8",
                           "Content-Transfer-Encoding: quoted-printable"]))

# --- A net-next series with patch 2/3 not (yet) received. -----------------
net_cover = msgid("tun-hash:cover")
titles = ["tun: add an ioctl to set the virtio-net hash types",
          "tun: compute the hash for each packet",
          "Documentation: networking: describe TUNSETVNETHASH"]
files = [[("drivers/net/tun.c", NET_C, NET_C_V1),
          ("include/uapi/linux/if_tun.h", NET_H, NET_H_V1)],
         [("drivers/net/tun.c", NET_C_V1, NET_C_V2)],
         [("Documentation/networking/tuntap.rst", NET_DOC, NET_DOC_V1)]]
msgs = ["Add TUNSETVNETHASH so that userspace can choose which hash types the\n"
        "device computes. Unknown flags are refused so that they can be given\n"
        "a meaning later.",
        "Compute the hash of each packet with the types userspace chose and\n"
        "store it for the virtio-net header.",
        "Describe the new ioctl next to the others."]
stats = []
parts = []
for i, (t, f, m) in enumerate(zip(titles, files, msgs), 1):
    body, stat = patch_body(RAJ, m, f)
    stats.append(stat)
    if i != 2:  # 2/3 never reached the list
        parts.append((t, body, i))
out.append(mail(RAJ, "[PATCH net-next 0/3] tun: report virtio-net hashes",
                net_cover, 300,
                cover_body(RAJ,
                           "virtio-net can carry the packet hash to the guest. Let tun compute it\n"
                           "and report it, so that the guest steers flows without hashing again.",
                           titles, stats)))
for t, body, i in parts:
    out.append(mail(RAJ, "[PATCH net-next %d/3] %s" % (i, t),
                    msgid("tun-hash:%d" % i), 300 + i, body,
                    irt=net_cover, refs=[net_cover]))

# --- A pull request. ------------------------------------------------------
out.append(mail(MAINT, "[GIT PULL] KVM fixes for 6.19-rc2",
                msgid("kvm-fixes-pull"), 600,
                "Linus,\n\n"
                "The following changes since commit 1b2c3d4e5f60718293a4b5c6d7e8f90123456789:\n\n"
                "  Linux 6.19-rc1 (2026-11-15 14:02:11 -0800)\n\n"
                "are available in the Git repository at:\n\n"
                "  https://git.kernel.example.org/pub/scm/virt/kvm/kvm.git tags/kvm-6.19-2\n\n"
                "for you to fetch changes up to 9f8e7d6c5b4a39281706f5e4d3c2b1a098765432:\n\n"
                "  KVM: x86: Fix a use of an uninitialised MSR value (2026-11-21 10:11:12 +0100)\n\n"
                "----------------------------------------------------------------\n"
                "Two fixes for regressions from the merge window.\n\n"
                "----------------------------------------------------------------\n"
                "Paula Maintainer (2):\n"
                "      KVM: x86: Fix a use of an uninitialised MSR value\n"
                "      KVM: SVM: Do not leak the VMSA page on failure\n\n"
                " arch/x86/kvm/svm/sev.c | 4 +++-\n"
                " arch/x86/kvm/x86.c     | 2 +-\n"
                " 2 files changed, 4 insertions(+), 2 deletions(-)\n"))

sys.stdout.write("".join(out))
