/* SPDX-License-Identifier: MIT */
/*
 * qemu_icount.so - a QEMU TCG plugin: how many guest instructions each
 * translation block executed, written at exit to $ICOUNT_OUT (default
 * icount.txt) as "ADDRESS COUNT" lines, the address as 16 hex digits (so
 * that sort(1) orders it beside `nm -n`). Used by
 * scripts/count-instructions-aarch64 (qemu-aarch64 -plugin ...) to count the
 * detector's A64 instructions per function. Debian ships no qemu-plugin.h,
 * so the few calls of QEMU's plugin API (version 1, stable since QEMU 4.2)
 * are declared here. Single-threaded guests only.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
struct qemu_info_t;
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb, enum qemu_plugin_op op, void *ptr,
					      uint64_t imm);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb, void *userdata);

__attribute__((visibility("default"))) extern int qemu_plugin_version;
__attribute__((visibility("default"))) int qemu_plugin_version = 1;

/* One translated block: its address, its instructions, the instructions it executed. */
struct icount_tb {
	uint64_t vaddr, count;
};

/* QEMU hands the plugin no user data on translation: the table lives here. */
static struct {
	struct icount_tb *tbs;
	size_t n, cap;
	int full;
} icount;

static void icount_on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	struct icount_tb *e;

	(void)id;
	if (icount.n == icount.cap) {
		icount.full = 1;
		return;
	}
	e = &icount.tbs[icount.n++];
	e->vaddr = qemu_plugin_tb_vaddr(tb);
	qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &e->count, qemu_plugin_tb_n_insns(tb));
}

static void icount_at_exit(qemu_plugin_id_t id, void *userdata)
{
	const char *path = getenv("ICOUNT_OUT") ? getenv("ICOUNT_OUT") : "icount.txt";
	FILE *f = fopen(path, "w");

	(void)id;
	(void)userdata;
	if (!f) {
		fprintf(stderr, "qemu_icount: %s: cannot write\n", path);
		return;
	}
	if (icount.full)
		fprintf(stderr, "qemu_icount: more than %zu blocks translated; the rest not counted\n", icount.cap);
	for (size_t i = 0; i < icount.n; i++)
		if (icount.tbs[i].count)
			fprintf(f, "%016llx %llu\n", (unsigned long long)icount.tbs[i].vaddr,
				(unsigned long long)icount.tbs[i].count);
	fclose(f);
}

__attribute__((visibility("default"))) int qemu_plugin_install(qemu_plugin_id_t id, const struct qemu_info_t *info,
							       int argc, char **argv);

int qemu_plugin_install(qemu_plugin_id_t id, const struct qemu_info_t *info, int argc, char **argv)
{
	(void)info;
	(void)argc;
	(void)argv;
	icount.cap = (size_t)1 << 22;
	icount.tbs = calloc(icount.cap, sizeof(*icount.tbs));
	if (!icount.tbs)
		return -1;
	qemu_plugin_register_vcpu_tb_trans_cb(id, icount_on_translate);
	qemu_plugin_register_atexit_cb(id, icount_at_exit, NULL);
	return 0;
}
