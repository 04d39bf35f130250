// SPDX-License-Identifier: GPL-2.0
/*
 * Chapter 10, execve: how a program is mapped.  The regions of a traced
 * program, classified from its maps (text, data, bss, heap, stack,
 * libraries) and counted page by page, before and after execve.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/user.h>

#include "tour.h"

enum seg { SEG_TEXT, SEG_RODATA, SEG_DATA, SEG_BSS, SEG_HEAP, SEG_STACK, SEG_LIB,
	   SEG_VDSO, SEG_VVAR, SEG_ANON, SEG_OTHER, SEG_RELRO, SEG_NR };
static const char *const seg_names[SEG_NR] = {
	"text", "rodata", "data", "bss", "heap", "stack", "library", "vdso", "vvar",
	"anonymous", "other", "relro",
};

struct region {
	struct vmlab_vma v;
	enum seg seg;
	long pages, present, copies, files, anons, zeros;
};

static enum seg classify(const struct vmlab_vma *v, const struct vmlab_vma *prev,
			 const char *prog)
{
	if (!strcmp(v->path, prog))
		return v->perms[2] == 'x' ? SEG_TEXT : v->perms[1] == 'w' ? SEG_DATA : SEG_RODATA;
	if (!strcmp(v->path, "[heap]"))
		return SEG_HEAP;
	if (!strcmp(v->path, "[stack]"))
		return SEG_STACK;
	if (!strcmp(v->path, "[vdso]"))
		return SEG_VDSO;
	if (!strncmp(v->path, "[vvar", 5))
		return SEG_VVAR;
	if (!v->path[0]) {
		/* Right after the program's data: its bss. */
		if (prev && !strcmp(prev->path, prog) && prev->end == v->start &&
		    v->perms[1] == 'w')
			return SEG_BSS;
		return SEG_ANON;
	}
	if (v->path[0] == '/')
		return SEG_LIB;
	return SEG_OTHER;
}

/* The regions of pid, classified and counted. */
static size_t regions(pid_t pid, const char *prog, struct region *r, size_t max)
{
	struct vmlab_vma *v;
	size_t n, i, k = 0, j;

	if (vmlab_maps_read(pid, &v, &n))
		return 0;
	for (i = 0; i < n && k < max; i++) {
		struct region *x = &r[k];

		if (!strcmp(v[i].path, "[vsyscall]"))
			continue;
		memset(x, 0, sizeof(*x));
		x->v = v[i];
		x->seg = classify(&v[i], i ? &v[i - 1] : NULL, prog);
		x->pages = (long)((v[i].end - v[i].start) / T.ps);
		if (x->pages <= 4096) {
			for (j = 0; j < (size_t)x->pages; j++) {
				struct pev e = pev(pid, (void *)(v[i].start + j * T.ps));

				if (!e.present)
					continue;
				x->present++;
				if (e.kzero || e.vzero)
					x->zeros++;
				else if (e.anon && v[i].inode)
					x->copies++;
				else if (e.anon)
					x->anons++;
				else if (e.file || e.obj)
					x->files++;
			}
			/* Written, then made read-only: relocated data (RELRO). */
			if (x->seg == SEG_RODATA && x->copies)
				x->seg = SEG_RELRO;
		} else {
			x->present = vmlab_count_present(pid, v[i].start, (size_t)x->pages);
		}
		k++;
	}
	free(v);
	return k;
}

static void print_regions(const struct region *r, size_t n)
{
	size_t i;

	out("    %-9s %-27s %-4s %6s %8s  %s", "region", "addresses", "perm", "pages",
	    "present", "of which: file pages, copies, anonymous, zero");
	for (i = 0; i < n; i++) {
		const char *p = strrchr(r[i].v.path, '/');

		out("    %-9s %12" PRIxPTR "-%-12" PRIxPTR "  %s %6ld %8ld  %ld F, %ld C, %ld A, "
		    "%ld 0  %s", seg_names[r[i].seg], r[i].v.start, r[i].v.end, r[i].v.perms,
		    r[i].pages, r[i].present, r[i].files, r[i].copies, r[i].anons, r[i].zeros,
		    p ? p + 1 : r[i].v.path);
	}
	for (i = 0; i < n; i++)
		if (r[i].seg == SEG_RELRO) {
			out("    relro: data written at start-up (relocations), then made read-only");
			break;
		}
}

static const struct region *find_seg(const struct region *r, size_t n, enum seg s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (r[i].seg == s)
			return &r[i];
	return NULL;
}

/*
 * The first page of r present in pid (and in also, if not -1; anonymous,
 * a copy, if anon); 0: none.
 */
static uintptr_t first_present(pid_t pid, const struct region *r, pid_t also, bool anon)
{
	long j;

	for (j = 0; r && r->pages <= 4096 && j < r->pages; j++) {
		uintptr_t a = r->v.start + (uintptr_t)j * T.ps;
		struct pev e = pev(pid, (void *)a);

		if (e.present && (!anon || e.anon) &&
		    (also < 0 || pev(also, (void *)a).present))
			return a;
	}
	return 0;
}

/*
 * The figure at the program's exit: a page of each of its regions, text,
 * data, bss, heap and stack, and the same of the tour (the same program
 * file, so text, data and bss at the same addresses), each page's frame
 * printed too.
 */
static void exec_fig(pid_t pid, const struct region *r, size_t n, const char *prog)
{
	static const enum seg segs[] = { SEG_TEXT, SEG_DATA, SEG_BSS, SEG_HEAP, SEG_STACK };
	struct region own[64];
	const void *addrs[2][5];
	const char *labels[2][5];
	size_t nown, i, k;

	if (!rec_on())
		return;
	nown = regions(0, prog, own, 64);
	for (i = 0; i < 5; i++) {
		const struct region *x = find_seg(r, n, segs[i]);
		const struct region *y = find_seg(own, nown, segs[i]);
		uintptr_t a = first_present(pid, x, segs[i] == SEG_TEXT ? 0 : -1,
					    segs[i] != SEG_TEXT), b;

		b = segs[i] >= SEG_HEAP ? first_present(0, y, -1, true) : y && a >= y->v.start &&
		    a < y->v.end ? a : 0;
		addrs[0][i] = (void *)a;
		addrs[1][i] = (void *)b;
		labels[0][i] = a ? seg_names[segs[i]] : NULL;
		labels[1][i] = b ? seg_names[segs[i]] : NULL;
		for (k = 0; k < 2; k++) {
			struct pev e = pev(k ? 0 : pid, addrs[k][i]);

			if (addrs[k][i])
				ev("  %-5s %-7s %p: %s", seg_names[segs[i]],
				   k ? "tour" : "program", addrs[k][i], pev_str(&e));
		}
	}
	fig_rows("At exit: a page of each region, the program's and the tour's", 2,
		 (const char *[]){ "the program", "the tour" }, (pid_t[]){ pid, 0 },
		 (const void *const *)addrs, (const char *const *)labels, 5);
}

/* The instruction pointer of a stopped tracee, and AT_ENTRY, AT_BASE of its auxv. */
static bool start_regs(pid_t pid, uint64_t *ip, uint64_t *entry, uint64_t *base)
{
	struct user_regs_struct regs;
	Elf64_auxv_t av;
	char path[64];
	int fd;

	*entry = *base = 0;
	if (ptrace(PTRACE_GETREGS, pid, 0, &regs))
		return false;
	*ip = regs.rip;
	snprintf(path, sizeof(path), "/proc/%d/auxv", (int)pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return false;
	while (read(fd, &av, sizeof(av)) == sizeof(av) && av.a_type != AT_NULL) {
		if (av.a_type == AT_ENTRY)
			*entry = av.a_un.a_val;
		else if (av.a_type == AT_BASE)
			*base = av.a_un.a_val;
	}
	close(fd);
	return *entry != 0;
}

static bool is_dynamic(const char *path)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	bool dyn = false;
	int fd = open(path, O_RDONLY | O_CLOEXEC), i;

	if (fd < 0)
		return false;
	if (pread(fd, &eh, sizeof(eh), 0) == sizeof(eh) && !memcmp(eh.e_ident, ELFMAG, SELFMAG) &&
	    eh.e_ident[EI_CLASS] == ELFCLASS64)
		for (i = 0; i < eh.e_phnum; i++)
			if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + (size_t)i * eh.e_phentsize))
			    == sizeof(ph) && ph.p_type == PT_INTERP)
				dyn = true;
	close(fd);
	return dyn;
}

/* A dynamically linked program to show shared libraries with. */
static const char *dynamic_program(char *buf, size_t len)
{
	static const char *const fixed[] = {
		"/usr/libexec/vmlab/vmlab-probe", "/usr/local/libexec/vmlab/vmlab-probe",
		"/usr/bin/true", "/bin/true",
	};
	const char *env = getenv("VMLAB_PROBE");
	char self[PATH_MAX];
	ssize_t n;
	size_t i;

	if (env && !access(env, X_OK) && is_dynamic(env)) {
		snprintf(buf, len, "%s", env);
		return buf;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		char *slash;

		self[n] = 0;
		slash = strrchr(self, '/');
		if (slash) {
			snprintf(slash + 1, sizeof(self) - (size_t)(slash + 1 - self), "vmlab-probe");
			if (!access(self, X_OK) && is_dynamic(self)) {
				snprintf(buf, len, "%s", self);
				return buf;
			}
		}
	}
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (!access(fixed[i], X_OK) && is_dynamic(fixed[i]) && realpath(fixed[i], buf))
			return buf;
	return NULL;
}

/*
 * Compare the frames of pages present in both pid a and pid b (the first
 * such pair into *ea, *eb): 1 all equal, 0 not, -1 none present in both,
 * -2 frame ids withheld (not root, a file's pages).
 */
static int shared_frames(pid_t pa, pid_t pb, uintptr_t sa, uintptr_t sb, long pages,
			 struct pev *ea, struct pev *eb)
{
	long j, both = 0, eq = 0, hidden = 0;

	for (j = 0; j < pages; j++) {
		struct pev x = pev(pa, (void *)(sa + (uintptr_t)j * T.ps));
		struct pev y = pev(pb, (void *)(sb + (uintptr_t)j * T.ps));

		if (!x.present || !y.present)
			continue;
		if (!both) {
			*ea = x;
			*eb = y;
		}
		both++;
		hidden += x.frame_hidden || y.frame_hidden;
		eq += same(&x, &y);
	}
	if (both && hidden == both)
		return -2;
	return both ? (eq == both ? 1 : 0) : -1;
}

void ch_exec(void)
{
	struct region r0[64], r1[64], r2[64];
	const struct region *tx, *da, *bss, *heap, *stack, *g;
	struct vmlab_stats a, b;
	struct traced t = { 0 };
	char prog[PATH_MAX], dyn[PATH_MAX];
	char *argv[] = { "vmlab", "__probe", NULL };
	struct pev ea, eb;
	struct timespec ts;
	size_t n0, n1;
	ssize_t len;
	char *m;
	int fd, same_text;
	bool ok, ok_map = false, ok_empty = false, ok46 = false;
	uint64_t ip = 0, entry = 0, base = 0;
	long stack0 = -1;
	size_t i;

	para("execve() throws the old program's memory away and maps the new one's: "
	     "text (the code) and data straight from the program file, private, so "
	     "that writes make copies; bss, heap and stack anonymous and demand-zero; "
	     "shared libraries from their files the same way. Nothing is read in yet: "
	     "the pages come as the program touches them. Here the tour runs a "
	     "program and stops it twice with ptrace: right after execve, and as it exits.");
	len = readlink("/proc/self/exe", prog, sizeof(prog) - 1);
	if (len <= 0) {
		check(false, "readlink /proc/self/exe: %s", strerror(errno));
		return;
	}
	prog[len] = 0;
	t.path = prog;
	fd = open_dev();
	if (fd < 0)
		return;
	m = map_dev(fd, T.ps, true);
	close(fd);
	if (!m)
		return;
	m[0] = 1;
	clock_gettime(CLOCK_MONOTONIC, &ts);	/* our vDSO pages, to compare with */

	step("fork(); the child (with the tour's mapping of %s) calls execve(\"%s\")",
	     VMLAB_DEVICE, prog);
	stats(&a);
	if (!traced_start(&t, argv))
		goto out;
	if (!traced_next(&t, PTRACE_EVENT_EXEC))
		goto out;
	stats(&b);
	ok = check(D(a, b, vma_opens) == 1 && D(a, b, vma_closes) == 1,
		   "module: %s: fork copied the tour's mapping of\n%s into the child, execve "
		   "threw it away with the old address space", diff_str(&a, &b), VMLAB_DEVICE);
	n0 = regions(t.pid, prog, r0, 64);
	for (i = 0; i < n0; i++)
		ok &= !strstr(r0[i].v.path, VMLAB_DEVICE);
	ev("the new program's maps, right after execve (pid %d):", (int)t.pid);
	print_regions(r0, n0);
	ev("F: page cache pages of a file, C: private copies, A: anonymous, 0: zero page");
	tx = find_seg(r0, n0, SEG_TEXT);
	da = find_seg(r0, n0, SEG_DATA);
	stack = find_seg(r0, n0, SEG_STACK);
	claim_end(41, ok, "the old address space went away whole: even the mapping of %s "
		  "that fork() had copied into the child was closed, and the new program's "
		  "maps have none of the old areas.", VMLAB_DEVICE);
	ok_map = check(tx && da && !strcmp(tx->v.perms, "r-xp") && !strcmp(da->v.perms, "rw-p") &&
		       tx->v.inode && tx->v.inode == da->v.inode,
		       "text (r-xp) and data (rw-p) are private mappings of the program file "
		       "(inode %" PRIu64 ")", tx ? tx->v.inode : 0);
	check(tx && tx->present == 0, "not one page of the text is in memory yet: %ld of %ld "
	      "present", tx ? tx->present : -1, tx ? tx->pages : -1);
	ok = check(stack && stack->present > 0 && !stack->v.inode,
		   "the stack is anonymous, with %ld page(s) present: the kernel wrote the\n"
		   "arguments and environment there", stack ? stack->present : -1);
	stack0 = stack ? stack->present : -1;
	claim_end(44, ok, "the stack is not empty when the program starts: execve() wrote "
		  "the arguments, the environment and the auxiliary vector at its top, so "
		  "%ld page(s) are present already. Only the rest of it is demand-zero.",
		  stack0);
	ok46 = start_regs(t.pid, &ip, &entry, &base);
	ev("stopped at execve: instruction pointer %#" PRIx64 "; auxv: AT_ENTRY %#" PRIx64
	   ", AT_BASE %#" PRIx64, ip, entry, base);
	ok46 = check(ok46 && !base && ip == entry, "a static program: it starts exactly at "
		     "its entry point, AT_ENTRY\n(no interpreter: AT_BASE 0)");
	g = find_seg(r0, n0, SEG_HEAP);
	bss = find_seg(r0, n0, SEG_BSS);
	ok_empty = check((!g || !g->present) && (!bss || !bss->present),
			 "no heap yet (%s) and no page of the bss present (%ld)",
			 g ? "an empty [heap] area" : "no [heap] line", bss ? bss->present : 0);

	step("let it run to its exit (it writes data, bss, heap and stack pages)");
	if (!traced_next(&t, PTRACE_EVENT_EXIT))
		goto out;
	n1 = regions(t.pid, prog, r1, 64);
	print_regions(r1, n1);
	tx = find_seg(r1, n1, SEG_TEXT);
	da = find_seg(r1, n1, SEG_DATA);
	bss = find_seg(r1, n1, SEG_BSS);
	heap = find_seg(r1, n1, SEG_HEAP);
	stack = find_seg(r1, n1, SEG_STACK);
	check(tx && tx->present > 0 && tx->files == tx->present,
	      "the text pages it ran are present now (%ld), all page cache pages of the file",
	      tx ? tx->present : -1);
	if (tx) {
		same_text = shared_frames(t.pid, 0, tx->v.start, tx->v.start, tx->pages, &ea, &eb);
		if (same_text >= 0)
			check(same_text == 1, "and the same frames as the tour's own text (it runs "
			      "the same file): %s", frame_name(&ea));
		else if (same_text == -2)
			ev("(whether they are the tour's own text frames needs root: frame ids of a "
			   "file's pages are withheld)");
	}
	ok = check(da && da->copies >= 1, "data: %ld page(s) written, each now a private copy "
		   "(C)", da ? da->copies : -1);
	claim_end(42, ok_map && ok, "text and data are private mappings of the program file: "
		  "the text pages it ran are the file's own page cache frames, and each data "
		  "page it wrote became a private copy; the file did not change.");
	ok = check(bss ? bss->anons >= 1 && !bss->v.inode : true,
		   "bss: anonymous, %ld page(s) touched of %ld, the rest never got a frame",
		   bss ? bss->anons : 0, bss ? bss->pages : 0);
	ok &= check(heap && heap->anons >= 1, "heap: grown by malloc() (brk), %ld anonymous "
		    "page(s)", heap ? heap->anons : -1);
	claim_end(43, ok_empty && ok, "bss and heap are anonymous and demand-zero: at execve "
		  "no page of them was present and there was no heap at all; at exit only "
		  "the pages the program touched have frames.");
	check(stack && stack->anons > 0, "stack: %ld anonymous page(s)", stack ? stack->anons : -1);
	ev("the pages of the figure, the program's and the tour's:");
	exec_fig(t.pid, r1, n1, prog);
	g = find_seg(r1, n1, SEG_VDSO);
	if (g) {
		struct vmlab_vma *own;
		size_t nown, i;

		if (!vmlab_maps_read(0, &own, &nown)) {
			for (i = 0; i < nown; i++) {
				if (strcmp(own[i].path, "[vdso]"))
					continue;
				same_text = shared_frames(t.pid, 0, g->v.start, own[i].start,
							  g->pages, &ea, &eb);
				if (same_text >= 0)
					check(same_text == 1, "the vDSO, code the kernel maps into "
					      "every process: the same frames as the tour's (%s)",
					      frame_name(&ea));
				else if (same_text == -2)
					ev("(the vDSO's frame ids are withheld: comparing them "
					   "needs root)");
			}
			free(own);
		}
	}
	traced_end(&t);

	step("shared libraries");
	if (!dynamic_program(dyn, sizeof(dyn))) {
		para("Every program here is statically linked (a busybox system?): no shared "
		     "libraries to show besides the vDSO above, which the kernel itself maps "
		     "into every process. Put a dynamically linked vmlab-probe next to vmlab "
		     "(make -C userspace) to see libc.");
		claim_end(46, ok46, "true for this static program; a dynamically linked one "
			  "starts in its interpreter, ld.so (AT_BASE), which maps the libraries "
			  "and only then jumps to AT_ENTRY: not shown here, no dynamic program.");
		observed("right after execve the program's text was mapped from its file with "
			 "no page present; at exit its text pages were the page cache's, "
			 "its written data pages private copies, bss/heap/stack anonymous");
		goto out;
	} else {
		struct traced t2 = { 0 };
		const struct region *lib = NULL, *lib2 = NULL;
		char *dargv[] = { dyn, NULL };
		size_t n2, i;

		t.path = dyn;
		t2.path = dyn;
		ev("%s is dynamically linked: stopped at its execve first", dyn);
		if (traced_start(&t, dargv) && traced_next(&t, PTRACE_EVENT_EXEC)) {
			bool okd = start_regs(t.pid, &ip, &entry, &base);
			struct vmlab_vma lv;

			memset(&lv, 0, sizeof(lv));
			vmlab_maps_find(t.pid, (uintptr_t)ip, &lv);
			ev("instruction pointer %#" PRIx64 "; AT_ENTRY %#" PRIx64 ", AT_BASE %#"
			   PRIx64, ip, entry, base);
			ev("  %s", maps_line(t.pid, (void *)(uintptr_t)ip));
			okd = check(okd && base && ip != entry && strstr(lv.path, "ld-"),
				    "it starts in the interpreter, %s, not at AT_ENTRY", lv.path);
			claim_end(46, ok46 && okd, "only for a static program. For a dynamically "
				  "linked one execve() also maps the interpreter named in the "
				  "program (ld.so, at AT_BASE) and starts there; ld.so maps the "
				  "libraries, relocates, and only then jumps to the program's "
				  "entry point, AT_ENTRY.");
		}
		traced_end(&t);
		ev("running %s twice, both stopped at exit", dyn);
		if (!traced_start(&t, dargv) || !traced_next(&t, PTRACE_EVENT_EXIT) ||
		    !traced_start(&t2, dargv) || !traced_next(&t2, PTRACE_EVENT_EXIT)) {
			traced_end(&t2);
			goto out;
		}
		n1 = regions(t.pid, dyn, r1, 64);
		n2 = regions(t2.pid, dyn, r2, 64);
		print_regions(r1, n1);
		for (i = 0; i < n1; i++)
			if (r1[i].seg == SEG_LIB && !strcmp(r1[i].v.perms, "r-xp") &&
			    strstr(r1[i].v.path, "libc")) {
				lib = &r1[i];
				break;
			}
		for (i = 0; lib && i < n2; i++)
			if (!strcmp(r2[i].v.path, lib->v.path) && !strcmp(r2[i].v.perms, "r-xp")) {
				lib2 = &r2[i];
				break;
			}
		ok = check(lib && lib->v.perms[3] == 'p' && lib->v.inode,
			   "libc's code is a private (r-xp) mapping of its file: %s",
			   lib ? lib->v.path : "(no libc mapping found)");
		ok_map = false;
		if (lib && lib2) {
			same_text = shared_frames(t.pid, t2.pid, lib->v.start, lib2->v.start,
						  lib->pages, &ea, &eb);
			if (same_text == -2)
				ok_map = check(ea.map_hidden && ea.mapcount >= 2 &&
					       eb.map_hidden && eb.mapcount >= 2,
					       "its first page present in both (pid %d and %d) is "
					       "mapped more than once in each\n(frame ids of a "
					       "file's pages are %s; smaps calls such pages "
					       "Shared):\none copy of libc in memory serves every "
					       "program", (int)t.pid, (int)t2.pid, VC_HIDDEN_WORDS);
			else
				ok_map = check(same_text == 1, "its pages are the same frames "
					       "in both processes (%s, pid %d and %d): one "
					       "copy\nof libc in memory serves every program",
					       frame_name(&ea), (int)t.pid, (int)t2.pid);
		}
		claim_end(45, ok && ok_map, "there is no shared region: each process maps libc "
			  "privately (the p of r-xp) from its file, at addresses of its own. "
			  "There is one copy in memory because both private mappings map the "
			  "same page cache frames; a write to one would make a private copy.");
		traced_end(&t2);
		observed("after execve text and data were private mappings of the file with no "
			 "page present; at exit text pages were shared page cache frames, written "
			 "data private copies, bss/heap/stack anonymous, libc one set of frames "
			 "for two processes");
	}
out:
	traced_end(&t);
	munmap(m, T.ps);
}
