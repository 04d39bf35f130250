/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny JSON writer (json.c): compact, one document per call of
 * json_end().  Keys are the caller's own and are not escaped; keys are
 * NULL for the elements of arrays.
 */
#ifndef VMLAB_JSON_H
#define VMLAB_JSON_H

#include <stdbool.h>
#include <stdio.h>

struct json {
	FILE *f;
	int depth;
	bool need_comma[64];
};

void json_start(struct json *j, FILE *f);
void json_end(struct json *j);		/* newline after the document */
void json_obj(struct json *j, const char *key);	/* key NULL in arrays */
void json_obj_end(struct json *j);
void json_arr(struct json *j, const char *key);
void json_arr_end(struct json *j);
void json_str(struct json *j, const char *key, const char *v);
void json_int(struct json *j, const char *key, long long v);
void json_uint(struct json *j, const char *key, unsigned long long v);
void json_hex(struct json *j, const char *key, unsigned long long v);
void json_bool(struct json *j, const char *key, bool v);
void json_null(struct json *j, const char *key);
void json_double(struct json *j, const char *key, double v);

/* One document on stdout: an object with its schema first, then its end. */
void json_doc(struct json *j, const char *schema);
void json_doc_end(struct json *j);

#endif /* VMLAB_JSON_H */
