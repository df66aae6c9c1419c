/* SPDX-License-Identifier: MIT */
/*
 * opts.c - a command's options from its table (zp_opts_parse, cli.h):
 * getopt_long over the rows, the values stored where the rows say, the
 * numbers checked against their ranges, and --help.
 */
#include "cli.h"

#include <getopt.h>
#include <string.h>

/* The most rows a command's table has (tune's is the longest). */
#define OPTS_MAX 24

static bool takes_arg(const zp_opt *o)
{
	return o->kind != ZP_OPT_TRUE && o->kind != ZP_OPT_FALSE;
}

/* Two rows that are one option under two names (tune's --out and --out-dir). */
static bool same_option(const zp_opt *a, const zp_opt *b)
{
	return a->kind == b->kind && !memcmp(&a->to, &b->to, sizeof(a->to)) && a->min == b->min && a->max == b->max &&
	       a->set == b->set && a->call == b->call;
}

/*
 * What getopt_long answers for row i: its letter, else 256 + the first row
 * that is the same option, so that an abbreviation of both names is that
 * option, not an ambiguous one.
 */
static int row_key(const zp_opt *opts, size_t i)
{
	if (opts[i].letter)
		return opts[i].letter;
	for (size_t j = 0; j < i; j++)
		if (!opts[j].letter && same_option(&opts[j], &opts[i]))
			return 256 + (int)j;
	return 256 + (int)i;
}

/* Store one option's value: 0, or ZP_EXIT_USAGE after a one-line message. */
static int store(const char *prog, const zp_opt *o, const char *arg)
{
	char opt[64];
	int v;

	snprintf(opt, sizeof(opt), "--%s", o->name ? o->name : "");
	switch (o->kind) {
	case ZP_OPT_STR: *o->to.str = arg; break;
	case ZP_OPT_TRUE: *o->to.flag = true; break;
	case ZP_OPT_FALSE: *o->to.flag = false; break;
	case ZP_OPT_INT:
		if (zp_opt_int(prog, opt, arg, (long)o->min, (long)o->max, o->to.i))
			return ZP_EXIT_USAGE;
		break;
	case ZP_OPT_LONG:
		if (zp_opt_int(prog, opt, arg, (long)o->min, (long)o->max, &v))
			return ZP_EXIT_USAGE;
		*o->to.l = v;
		break;
	case ZP_OPT_DOUBLE:
		if (zp_opt_double(prog, opt, arg, o->min, o->max, o->to.d))
			return ZP_EXIT_USAGE;
		break;
	case ZP_OPT_TIME:
		if (zp_opt_time(prog, opt, arg, o->to.ms))
			return ZP_EXIT_USAGE;
		break;
	case ZP_OPT_CALL: {
		int rc = o->call(o->to.ctx, arg);

		if (rc)
			return rc;
		break;
	}
	}
	if (o->set)
		*o->set = true;
	return 0;
}

int zp_opts_parse(const char *prog, const zp_opt *opts, size_t n, void (*usage)(FILE *out), int argc, char **argv)
{
	struct option longopts[OPTS_MAX + 2];
	char shortopts[2 * OPTS_MAX + 2];
	size_t nlong = 0, nshort = 0;
	int c;

	if (n > OPTS_MAX) {
		fprintf(stderr, "%s: more than %d options\n", prog, OPTS_MAX);
		return ZP_EXIT_USAGE;
	}
	for (size_t i = 0; i < n; i++) {
		if (opts[i].name)
			longopts[nlong++] = (struct option){ opts[i].name,
							     takes_arg(&opts[i]) ? required_argument : no_argument, NULL,
							     row_key(opts, i) };
		if (opts[i].letter) {
			shortopts[nshort++] = opts[i].letter;
			if (takes_arg(&opts[i]))
				shortopts[nshort++] = ':';
		}
	}
	longopts[nlong++] = (struct option){ "help", no_argument, NULL, 'h' };
	longopts[nlong] = (struct option){ NULL, 0, NULL, 0 };
	shortopts[nshort++] = 'h';
	shortopts[nshort] = '\0';

	optind = 1;
	opterr = 1;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		const zp_opt *o = NULL;
		int rc;

		if (c == 'h') {
			usage(stdout);
			return -1;
		}
		if (c >= 256)
			o = &opts[c - 256];
		for (size_t i = 0; !o && c != '?' && i < n; i++)
			if (opts[i].letter == c)
				o = &opts[i];
		if (!o) {
			usage(stderr);
			return ZP_EXIT_USAGE;
		}
		rc = store(prog, o, optarg);
		if (rc)
			return rc;
	}
	return 0;
}
