/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmlab_fuzz's operations: each picks its arguments at random, asks the
 * model (fuzz_model.h) what must happen, makes the call and judges it.
 * The driver (vmlab_fuzz.c) draws them from one table, ops[], by weight.
 * A new operation: a function here, a row there.
 *
 *	fuzz_args.c	choosing fds, ranges, buffers, lengths, offsets
 *	fuzz_ops_fd.c	open, close, dup, the read and write family, lseek,
 *			fsync, the other file calls, reading the object back
 *	fuzz_ops_vm.c	mmap, munmap, mprotect, madvise, msync, mremap
 *	fuzz_ops_mem.c	loads and stores, filling the object, fork
 *	fuzz_ops_ioctl.c STATS, RESET, INSPECT, commands the device lacks
 */
#ifndef FUZZ_OPS_H
#define FUZZ_OPS_H

#include "fuzz_model.h"

#ifndef MADV_DONTNEED_LOCKED
#define MADV_DONTNEED_LOCKED	24
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE		25
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE	0x100000
#endif
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE	0x03
#endif
#ifndef MAP_SYNC
#define MAP_SYNC		0x80000
#endif
#ifndef MAP_UNINITIALIZED
#define MAP_UNINITIALIZED	0x4000000
#endif
#ifndef PROT_SEM
#define PROT_SEM		0x8
#endif
#ifndef RWF_HIPRI
#define RWF_HIPRI		0x1
#define RWF_DSYNC		0x2
#define RWF_SYNC		0x4
#define RWF_NOWAIT		0x8
#define RWF_APPEND		0x10
#endif

struct fuzz_op {
	const char *name;
	int weight;
	void (*fn)(void);
};

/* Random numbers: the sequence of a seed (the driver sets rng) */
extern uint64_t rng;

static inline uint64_t rnd64(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline uint64_t rnd(uint64_t n)
{
	return n ? rnd64() % n : 0;
}

static inline bool chance(int percent)
{
	return rnd(100) < (uint64_t)percent;
}

/* Choosing arguments (fuzz_args.c) */
enum buf_kind { B_SCRATCH, B_MAP, B_HOSTILE };

int pick_fd(struct fdm **m);
int pick_reg(void);
int pick_map(void);
void pick_range(uintptr_t *a, size_t *len);
void pick_hostile_range(uintptr_t *a, size_t *len);
uintptr_t pick_buf(size_t want, int *kind);
uint64_t pick_len(void);
int64_t pick_off(void);

/* The operations */
void op_open(void);
void op_close(void);
void op_dup(void);
void op_read(void);
void op_write(void);
void op_lseek(void);
void op_fsync(void);
void op_fileops(void);
void op_verify(void);
void op_mmap(void);
void op_munmap(void);
void op_mremap(void);
void op_mprotect(void);
void op_madvise(void);
void op_msync(void);
void unmap_outside(void);
void op_access(void);
void op_touch(void);
void op_fill(void);
void op_fork(void);
void op_stats(void);
void op_reset(void);
void op_inspect(void);
void op_ioctl(void);

/* The driver: n operations of the sequence (a forked child goes on) */
void run_ops(uint64_t n);

#endif /* FUZZ_OPS_H */
