// SPDX-License-Identifier: GPL-2.0
/*
 * A tiny JSON writer: compact output, one document per json_end(), keys
 * the caller's own (not escaped), strings escaped.
 */
#include <stdio.h>
#include <string.h>

#include "json.h"

static void json_key(struct json *j, const char *key)
{
	if (j->need_comma[j->depth])
		fputc(',', j->f);
	j->need_comma[j->depth] = true;
	if (key) {
		fputc('"', j->f);
		fputs(key, j->f);	/* keys are ours: no escaping needed */
		fputs("\":", j->f);
	}
}

void json_start(struct json *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
}

void json_end(struct json *j)
{
	fputc('\n', j->f);
	fflush(j->f);
}

/* An object or array: open is '{' or '[', close '}' or ']'. */
static void json_open(struct json *j, const char *key, char open)
{
	json_key(j, key);
	fputc(open, j->f);
	j->need_comma[++j->depth] = false;
}

static void json_close(struct json *j, char close)
{
	j->depth--;
	fputc(close, j->f);
}

void json_obj(struct json *j, const char *key)
{
	json_open(j, key, '{');
}

void json_obj_end(struct json *j)
{
	json_close(j, '}');
}

void json_arr(struct json *j, const char *key)
{
	json_open(j, key, '[');
}

void json_arr_end(struct json *j)
{
	json_close(j, ']');
}

void json_str(struct json *j, const char *key, const char *v)
{
	const unsigned char *p;

	json_key(j, key);
	fputc('"', j->f);
	for (p = (const unsigned char *)v; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", j->f);
			break;
		case '\\':
			fputs("\\\\", j->f);
			break;
		case '\n':
			fputs("\\n", j->f);
			break;
		case '\t':
			fputs("\\t", j->f);
			break;
		default:
			if (*p < 0x20)
				fprintf(j->f, "\\u%04x", *p);
			else
				fputc(*p, j->f);
		}
	}
	fputc('"', j->f);
}

void json_int(struct json *j, const char *key, long long v)
{
	json_key(j, key);
	fprintf(j->f, "%lld", v);
}

void json_uint(struct json *j, const char *key, unsigned long long v)
{
	json_key(j, key);
	fprintf(j->f, "%llu", v);
}

void json_hex(struct json *j, const char *key, unsigned long long v)
{
	json_key(j, key);
	fprintf(j->f, "\"%#llx\"", v);
}

void json_bool(struct json *j, const char *key, bool v)
{
	json_key(j, key);
	fputs(v ? "true" : "false", j->f);
}

void json_null(struct json *j, const char *key)
{
	json_key(j, key);
	fputs("null", j->f);
}

void json_double(struct json *j, const char *key, double v)
{
	json_key(j, key);
	fprintf(j->f, "%.6f", v);
}

/* Start one JSON document on stdout: an object with its schema first. */
void json_doc(struct json *j, const char *schema)
{
	json_start(j, stdout);
	json_obj(j, NULL);
	json_str(j, "schema", schema);
}

void json_doc_end(struct json *j)
{
	json_obj_end(j);
	json_end(j);
}
