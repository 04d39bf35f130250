// SPDX-License-Identifier: GPL-2.0
/*
 * libvmlab, units: the page size, and sizes and addresses as a user
 * writes them (see libvmlab.h).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "libvmlab.h"

size_t vmlab_page_size(void)
{
	static size_t ps;

	if (!ps)
		ps = (size_t)sysconf(_SC_PAGESIZE);
	return ps;
}

/*
 * The number at the start of s in base (0: C's prefixes), *end after it;
 * -1 with errno set for an empty string, a sign, leading white space or an
 * overflow.
 */
static int parse_ull(const char *s, int base, unsigned long long *v, char **end)
{
	if (!s || !*s || *s == '-' || isspace((unsigned char)*s)) {
		errno = EINVAL;
		return -1;
	}
	errno = 0;
	*v = strtoull(s, end, base);
	return errno ? -1 : 0;
}

int vmlab_parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (parse_ull(s, 0, &v, &end))
		return -1;
	switch (*end) {
	case 'k': case 'K':
		v <<= 10, end++;
		break;
	case 'm': case 'M':
		v <<= 20, end++;
		break;
	case 'g': case 'G':
		v <<= 30, end++;
		break;
	}
	if (*end == 'i' && end[1] == 'B')
		end += 2;
	else if (*end == 'B')
		end++;
	if (*end) {
		errno = EINVAL;
		return -1;
	}
	*out = v;
	return 0;
}

int vmlab_parse_addr(const char *s, uintptr_t *out)
{
	unsigned long long v;
	char *end;

	if (parse_ull(s, 16, &v, &end))
		return -1;
	if (*end || end == s) {
		errno = EINVAL;
		return -1;
	}
	*out = (uintptr_t)v;
	return 0;
}
