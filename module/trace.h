/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmlab's tracepoints, the "vmlab" system in tracefs (events/vmlab/), for
 * perf, trace-cmd and bpftrace as well:
 *
 *   vmlab_fault		every call of .fault and what it did
 *   vmlab_page_mkwrite	first store to a clean page of a shared mapping
 *   vmlab_vma_open	a VMA of the device appeared, and why
 *   vmlab_vma_close	one went away, and why
 *   vmlab_writeback	fsync and msync(MS_SYNC) cleaned pages
 *   vmlab_reset		VMLAB_IOC_RESET freed pages
 *
 * Frames are shown by PFN and by frame id (see VMLAB_IOC_INSPECT), so a
 * trace can be matched with inspect's output as any user sees it.  The
 * outcome and reason fields are the UAPI header's enum vmlab_fault_outcome
 * and enum vmlab_vma_reason.  Hex numbers print as 0x%lx, not %#lx, so that
 * tracefs (the kernel's printf: "0x0") and trace-cmd or perf (the C
 * library's: "0") print a zero alike.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM vmlab

#if !defined(VMLAB_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define VMLAB_TRACE_H

#include <linux/mm.h>
#include <linux/tracepoint.h>

#include "internal.h"
#include <linux/vmlab.h>	/* UAPI: enum vmlab_fault_outcome, vmlab_vma_reason */

TRACE_DEFINE_ENUM(VMLAB_OUTCOME_ALLOCATED);
TRACE_DEFINE_ENUM(VMLAB_OUTCOME_EXISTING);
TRACE_DEFINE_ENUM(VMLAB_OUTCOME_ZERO);
TRACE_DEFINE_ENUM(VMLAB_OUTCOME_SIGBUS);
TRACE_DEFINE_ENUM(VMLAB_OUTCOME_ERROR);
TRACE_DEFINE_ENUM(VMLAB_OPEN_MMAP);
TRACE_DEFINE_ENUM(VMLAB_OPEN_FORK);
TRACE_DEFINE_ENUM(VMLAB_OPEN_COPY);
TRACE_DEFINE_ENUM(VMLAB_CLOSE_UNMAP);
TRACE_DEFINE_ENUM(VMLAB_CLOSE_EXIT);

#define vmlab_show_outcome(o)					\
	__print_symbolic(o,					\
		{ VMLAB_OUTCOME_ALLOCATED,	"allocated" },	\
		{ VMLAB_OUTCOME_EXISTING,	"existing" },	\
		{ VMLAB_OUTCOME_ZERO,		"zero" },	\
		{ VMLAB_OUTCOME_SIGBUS,		"sigbus" },	\
		{ VMLAB_OUTCOME_ERROR,		"error" })

#define vmlab_show_reason(r)					\
	__print_symbolic(r,					\
		{ VMLAB_OPEN_MMAP,		"mmap" },	\
		{ VMLAB_OPEN_FORK,		"fork" },	\
		{ VMLAB_OPEN_COPY,		"copy" },	\
		{ VMLAB_CLOSE_UNMAP,		"unmap" },	\
		{ VMLAB_CLOSE_EXIT,		"exit" })

TRACE_EVENT(vmlab_fault,
	    TP_PROTO(struct vm_fault *vmf, enum vmlab_fault_outcome outcome,
		     struct page *page),
	    TP_ARGS(vmf, outcome, page),
	    TP_STRUCT__entry(__field(unsigned long, address)
			     __field(unsigned long, pgoff)
			     __field(unsigned long, pfn)
			     __field(u64, frame_id)
			     __field(unsigned int, outcome)
			     __field(bool, write)
			     __field(bool, shared)),
	    TP_fast_assign(__entry->address = vmf->address;
			   __entry->pgoff = vmf->pgoff;
			   __entry->pfn = page ? page_to_pfn(page) : 0;
			   __entry->frame_id = page ? vmlab_frame_id(__entry->pfn) : 0;
			   __entry->outcome = outcome;
			   __entry->write = vmf->flags & FAULT_FLAG_WRITE;
			   __entry->shared = vmlab_vma_shared(vmf->vma);),
	    TP_printk("address=0x%lx pgoff=%lu %s %s outcome=%s pfn=0x%lx frame_id=0x%llx",
		      __entry->address, __entry->pgoff,
		      __entry->shared ? "shared" : "private",
		      __entry->write ? "write" : "read",
		      vmlab_show_outcome(__entry->outcome),
		      __entry->pfn, __entry->frame_id)
);

TRACE_EVENT(vmlab_page_mkwrite,
	    TP_PROTO(struct vm_fault *vmf, bool dirtied),
	    TP_ARGS(vmf, dirtied),
	    TP_STRUCT__entry(__field(unsigned long, address)
			     __field(unsigned long, pgoff)
			     __field(unsigned long, pfn)
			     __field(u64, frame_id)
			     __field(bool, dirtied)),
	    TP_fast_assign(__entry->address = vmf->address;
			   __entry->pgoff = vmf->pgoff;
			   __entry->pfn = page_to_pfn(vmf->page);
			   __entry->frame_id = vmlab_frame_id(__entry->pfn);
			   __entry->dirtied = dirtied;),
	    TP_printk("address=0x%lx pgoff=%lu pfn=0x%lx frame_id=0x%llx %s",
		      __entry->address, __entry->pgoff, __entry->pfn,
		      __entry->frame_id,
		      __entry->dirtied ? "dirtied" : "gone")
);

DECLARE_EVENT_CLASS(vmlab_vma,
		    TP_PROTO(struct vm_area_struct *vma,
			     enum vmlab_vma_reason reason),
		    TP_ARGS(vma, reason),
		    TP_STRUCT__entry(__field(unsigned long, start)
				     __field(unsigned long, end)
				     __field(unsigned long, pgoff)
				     __field(unsigned int, reason)
				     __field(bool, shared)),
		    TP_fast_assign(__entry->start = vma->vm_start;
				   __entry->end = vma->vm_end;
				   __entry->pgoff = vma->vm_pgoff;
				   __entry->reason = reason;
				   __entry->shared = vmlab_vma_shared(vma);),
		    TP_printk("start=0x%lx end=0x%lx pgoff=%lu %s reason=%s",
			      __entry->start, __entry->end, __entry->pgoff,
			      __entry->shared ? "shared" : "private",
			      vmlab_show_reason(__entry->reason))
);

DEFINE_EVENT(vmlab_vma, vmlab_vma_open,
	     TP_PROTO(struct vm_area_struct *vma, enum vmlab_vma_reason reason),
	     TP_ARGS(vma, reason)
);

DEFINE_EVENT(vmlab_vma, vmlab_vma_close,
	     TP_PROTO(struct vm_area_struct *vma, enum vmlab_vma_reason reason),
	     TP_ARGS(vma, reason)
);

TRACE_EVENT(vmlab_writeback,
	    TP_PROTO(pgoff_t first, pgoff_t last, unsigned long cleaned),
	    TP_ARGS(first, last, cleaned),
	    TP_STRUCT__entry(__field(unsigned long, first)
			     __field(unsigned long, last)
			     __field(unsigned long, cleaned)),
	    TP_fast_assign(__entry->first = first;
			   __entry->last = last;
			   __entry->cleaned = cleaned;),
	    TP_printk("first=%lu last=%lu cleaned=%lu",
		      __entry->first, __entry->last, __entry->cleaned)
);

TRACE_EVENT(vmlab_reset,
	    TP_PROTO(unsigned long freed),
	    TP_ARGS(freed),
	    TP_STRUCT__entry(__field(unsigned long, freed)),
	    TP_fast_assign(__entry->freed = freed;),
	    TP_printk("freed=%lu", __entry->freed)
);

#endif /* VMLAB_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
