// SPDX-License-Identifier: GPL-2.0
/*
 * The tracepoints declared in trace.h, instantiated once here.  Kbuild
 * adds this directory to the include path of this file, where
 * <trace/define_trace.h> looks for trace.h (TRACE_INCLUDE_PATH).
 */
#define CREATE_TRACE_POINTS
#include "trace.h"
