/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The model of vmlab_fuzz (fuzz_model.c): what the kernel and the module
 * must do, held by the operations (fuzz_ops.h) against what they do.
 *
 * The object: which pages it holds (PST), their data (SHADOW), its memory
 * limit, shared by every process of the run.  The test's address space:
 * the regions (R), sorted, the private copies made of object pages (C),
 * the fds (F).  All mappings made with MAP_FIXED go into an arena that is
 * always entirely mapped (PROT_NONE placeholders fill every gap).  The
 * errno sets: what each call may give at all (S_*).  Reporting (note(),
 * die(), judge()) is the driver's, vmlab_fuzz.c.
 */
#ifndef FUZZ_MODEL_H
#define FUZZ_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmlab_util.h"

typedef unsigned __int128 eset;
#define E(x)	((eset)1 << (x))

extern const eset S_OPEN, S_CLOSE, S_READ, S_WRITE, S_LSEEK, S_MMAP, S_MUNMAP,
	S_MREMAP, S_MPROTECT, S_MADVISE, S_MSYNC, S_FSYNC, S_SFR, S_FALLOCATE,
	S_FTRUNCATE, S_FADVISE, S_FCNTL, S_STATS, S_RESET, S_INSPECT, S_IOCTL;

#define ARENA_PAGES	4096	/* where MAP_FIXED mappings go */
#define SCR_PAGES	32	/* the scratch buffer, then a PROT_NONE page */
#define MAXREG		(ARENA_PAGES + 1024)
#define MAXCOW		4096
#define MAXFD		8
#define MAXOUT		16	/* mappings made outside the arena */
#define MAXOUTREG	64	/* regions outside: more, and one goes */
#define NRING		48	/* operations remembered for a failure report */

/* Addresses no process can map, and ones outside user space. */
#define LOW_ADDR	0x1000UL
#define NONCANON	0x0000800000000000UL
#define KERNEL_ADDR	0xffff888000000000UL
#define KTEXT_ADDR	0xffffffff81000000UL

/* Object page state (shared by every process of the run) */
#define P_PRESENT	1	/* the object holds a page there */
#define P_UNKNOWN	2	/* its data is not known to the model */

struct shared {
	uint64_t seed, nops;
	volatile uint64_t progress;	/* operations done, all processes */
	volatile int failed;
	char msg[4096];
	uint64_t size, npages, limit;
	int64_t resident;
	uint64_t resets;
	uint64_t opno;
	int ring_pos;
	char ring[NRING][200];
	uint64_t counts[64];		/* operations by kind */
	uint64_t sigs[3];		/* deliberate: none, SEGV, BUS */
};

extern struct shared *SH;
extern uint8_t *PST;		/* per object page: P_* (shared) */
extern uint8_t *SHADOW;		/* the object's data (shared) */
extern size_t PS;
extern uintptr_t task_size_max;	/* the largest user address + 1 */
extern bool dev_noexec;		/* /dev is mounted noexec */
extern uintptr_t watch;		/* VMLAB_FUZZ_WATCH: log the model's events here */

/* The address space */

enum { RK_VMLAB, RK_ANON };

struct reg {
	uintptr_t start;
	uint64_t npages;
	int kind;
	bool shared;		/* MAP_SHARED (vmlab or anon) */
	int prot;
	bool maywrite;		/* a shared vmlab mapping of a writable fd */
	bool locked;		/* VM_LOCKED */
	bool dontfork;
	uint64_t pgoff;		/* vmlab, shared anon: file page of start */
	uint64_t anon_npages;	/* shared anon: size of its shmem file */
};

extern struct reg R[MAXREG];
extern int nreg;
extern uintptr_t A0, A1;	/* the arena */
extern char *SCR;		/* scratch buffer, SCR_PAGES then PROT_NONE */

/* Private copies of object pages (copy-on-write happened) by address. */
struct cow {
	uintptr_t va;
	bool unknown;
	uint8_t *snap;
};

extern struct cow C[MAXCOW];
extern int ncow;

struct fdm {
	int fd;
	int acc;		/* O_RDONLY, O_WRONLY, O_RDWR or 3 */
	bool path;		/* O_PATH */
};

extern struct fdm F[MAXFD];
extern int nfd;

/* Reporting (vmlab_fuzz.c) */
void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void judge(const char *call, long ret, int err, bool ok_expected, bool any_val,
	   long want, eset allow, eset doc);

/* Regions and private copies */
uintptr_t reg_end(const struct reg *r);
bool in_arena(uintptr_t a, uintptr_t b);
int reg_find(uintptr_t va);
void reg_insert(struct reg r);
void reg_split(uintptr_t va);
void reg_cut(uintptr_t a, uintptr_t b);
void reg_remove(uintptr_t a, uintptr_t b);
int cow_find(uintptr_t va);
void cow_drop(uintptr_t a, uintptr_t b);
void cow_move(uintptr_t a, uintptr_t len, uintptr_t to);
void arena_refill(void);
int n_outside(void);

/* The object */
void setup_model(int fd);
uint64_t obj_page(const struct reg *r, uintptr_t va);
void obj_reset(void);
void check_resident(const char *when);

/* Accesses: by the CPU, and by the kernel copying to or from user memory */
enum { AC_OK, AC_SEGV, AC_BUS };

int m_fault(uintptr_t va, bool write);
bool m_peek(uintptr_t va, size_t len, uint8_t *out);
void m_poke(uintptr_t va, size_t len, const uint8_t *in);
size_t m_uaccess(uintptr_t va, size_t n, bool write, const uint8_t *src,
		 uint8_t *dst, bool *known);
bool uaccess_ok(uintptr_t buf, uint64_t count);
bool uaccess_edge(uintptr_t buf, uint64_t count);

/* read() and write() as the module does them */
long sim_read(uintptr_t buf, uint64_t len, int64_t pos, uint8_t *want,
	      bool *wknown);
long sim_write(uintptr_t buf, uint64_t len, int64_t pos);

#endif /* FUZZ_MODEL_H */
