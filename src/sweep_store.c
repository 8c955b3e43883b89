/* sweep_store.c - the run store: every finished sweep point in an SQLite database (--store FILE).
 *
 * A sweep is identified by the script's path and a hash of the sweep's own source text, so editing
 * the rest of the script keeps its stored points while editing the sweep starts it afresh. A point
 * is identified by its coordinates and its seed (which follows the global seed), and is written in
 * its own transaction as soon as it finishes: a sweep that is interrupted, killed or crashes
 * resumes where it stopped. Failed points are not stored; they run again. The database runs in
 * WAL mode with synchronous=NORMAL: a committed point survives the process being killed.
 *
 *   sweeps(id, script, source_hash, source, vars, line, created)
 *   points(sweep, point, seed, ord, coords, result, finished)     coords/result: codec.c bytes
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "dynlib.h"
#include "lib/table.h"
#include "sweep.h"

#ifdef DLT_SQLITE_SONAME
#include <sqlite3.h>

/* SQLite is opened on first use (dynlib.h): store_open and store_cli load it; every function used
 * here is listed below and called through a pointer with the header's own prototype. */
#define SQ_FUNCS(X) \
  X(sqlite3_bind_blob) \
  X(sqlite3_bind_int) \
  X(sqlite3_bind_int64) \
  X(sqlite3_bind_text) \
  X(sqlite3_busy_timeout) \
  X(sqlite3_close) \
  X(sqlite3_column_blob) \
  X(sqlite3_column_bytes) \
  X(sqlite3_column_int) \
  X(sqlite3_column_int64) \
  X(sqlite3_column_text) \
  X(sqlite3_errmsg) \
  X(sqlite3_errstr) \
  X(sqlite3_exec) \
  X(sqlite3_finalize) \
  X(sqlite3_open_v2) \
  X(sqlite3_prepare_v2) \
  X(sqlite3_reset) \
  X(sqlite3_step)
enum {
#define X(f) SQ_##f,
  SQ_FUNCS(X)
#undef X
  SQ__COUNT
};
static const char *const sq_names[] = {
#define X(f) #f,
    SQ_FUNCS(X)
#undef X
};
static void *sq_fn[SQ__COUNT];
static DynLib sq_lib = {"SQLite", DLT_SQLITE_SONAME, "libsqlite3-0", false, sq_names, sq_fn, SQ__COUNT, 0, ""};
#define sqlite3_bind_blob ((__typeof__(sqlite3_bind_blob) *)sq_fn[SQ_sqlite3_bind_blob])
#define sqlite3_bind_int ((__typeof__(sqlite3_bind_int) *)sq_fn[SQ_sqlite3_bind_int])
#define sqlite3_bind_int64 ((__typeof__(sqlite3_bind_int64) *)sq_fn[SQ_sqlite3_bind_int64])
#define sqlite3_bind_text ((__typeof__(sqlite3_bind_text) *)sq_fn[SQ_sqlite3_bind_text])
#define sqlite3_busy_timeout ((__typeof__(sqlite3_busy_timeout) *)sq_fn[SQ_sqlite3_busy_timeout])
#define sqlite3_close ((__typeof__(sqlite3_close) *)sq_fn[SQ_sqlite3_close])
#define sqlite3_column_blob ((__typeof__(sqlite3_column_blob) *)sq_fn[SQ_sqlite3_column_blob])
#define sqlite3_column_bytes ((__typeof__(sqlite3_column_bytes) *)sq_fn[SQ_sqlite3_column_bytes])
#define sqlite3_column_int ((__typeof__(sqlite3_column_int) *)sq_fn[SQ_sqlite3_column_int])
#define sqlite3_column_int64 ((__typeof__(sqlite3_column_int64) *)sq_fn[SQ_sqlite3_column_int64])
#define sqlite3_column_text ((__typeof__(sqlite3_column_text) *)sq_fn[SQ_sqlite3_column_text])
#define sqlite3_errmsg ((__typeof__(sqlite3_errmsg) *)sq_fn[SQ_sqlite3_errmsg])
#define sqlite3_errstr ((__typeof__(sqlite3_errstr) *)sq_fn[SQ_sqlite3_errstr])
#define sqlite3_exec ((__typeof__(sqlite3_exec) *)sq_fn[SQ_sqlite3_exec])
#define sqlite3_finalize ((__typeof__(sqlite3_finalize) *)sq_fn[SQ_sqlite3_finalize])
#define sqlite3_open_v2 ((__typeof__(sqlite3_open_v2) *)sq_fn[SQ_sqlite3_open_v2])
#define sqlite3_prepare_v2 ((__typeof__(sqlite3_prepare_v2) *)sq_fn[SQ_sqlite3_prepare_v2])
#define sqlite3_reset ((__typeof__(sqlite3_reset) *)sq_fn[SQ_sqlite3_reset])
#define sqlite3_step ((__typeof__(sqlite3_step) *)sq_fn[SQ_sqlite3_step])

struct SweepStore {
  Interp *I;
  sqlite3 *db;
  sqlite3_stmt *load, *save;
};

static const char *const schema =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=NORMAL;"
    "CREATE TABLE IF NOT EXISTS sweeps(id INTEGER PRIMARY KEY, script TEXT NOT NULL, source_hash TEXT NOT NULL,"
    " source TEXT NOT NULL, vars TEXT NOT NULL, line INTEGER, created TEXT DEFAULT CURRENT_TIMESTAMP,"
    " UNIQUE(script, source_hash));"
    "CREATE TABLE IF NOT EXISTS points(sweep INTEGER NOT NULL REFERENCES sweeps(id), point TEXT NOT NULL,"
    " seed INTEGER NOT NULL, ord INTEGER NOT NULL, coords BLOB NOT NULL, result BLOB NOT NULL,"
    " finished TEXT DEFAULT CURRENT_TIMESTAMP, PRIMARY KEY(sweep, point, seed));";

void store_close(SweepStore *s) {
  if (!s) return;
  sqlite3_finalize(s->load);
  sqlite3_finalize(s->save);
  sqlite3_close(s->db);
  free(s);
}

SweepStore *store_open(Interp *I, const char *path, const Span *where) {
  if (!dynlib_load(&sq_lib)) {
    dlt_error(I, where, "cannot use '%s' as a run store: %s", path, sq_lib.err);
    return NULL;
  }
  SweepStore *s = dlt_xcalloc(1, sizeof *s);
  s->I = I;
  int rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
  if (rc == SQLITE_OK) rc = sqlite3_busy_timeout(s->db, 10000);
  if (rc == SQLITE_OK) rc = sqlite3_exec(s->db, schema, NULL, NULL, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_prepare_v2(s->db, "SELECT result FROM points WHERE sweep = ?1 AND point = ?2 AND seed = ?3", -1,
                            &s->load, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_prepare_v2(s->db,
                            "INSERT OR REPLACE INTO points(sweep, point, seed, ord, coords, result) "
                            "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                            -1, &s->save, NULL);
  if (rc != SQLITE_OK) {
    dlt_error(I, where, "cannot use '%s' as a run store: %s", path, s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
    store_close(s);
    return NULL;
  }
  return s;
}

bool store_begin(SweepStore *s, SweepJob *job, const Span *where) {
  Interp *I = s->I;
  char *src = span_text(I, &job->node->span);
  /* FNV-1a of the sweep's text: the key that says "the same sweep" */
  uint64_t h = 14695981039346656037ULL;
  for (const char *p = src; *p; p++) h = (h ^ (unsigned char)*p) * 1099511628211ULL;
  char hash[17];
  snprintf(hash, sizeof hash, "%016llx", (unsigned long long)h);
  StrBuf vars = STRBUF_INIT;
  for (int j = 0; j < job->nvars; j++) sb_printf(&vars, "%s%s", j ? "\n" : "", job->vars[j]);
  const char *script = dlt_sweep_config.script ? dlt_sweep_config.script : "-";
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(s->db,
                              "INSERT INTO sweeps(script, source_hash, source, vars, line) VALUES (?1, ?2, ?3, ?4, ?5) "
                              "ON CONFLICT(script, source_hash) DO NOTHING",
                              -1, &st, NULL);
  if (rc == SQLITE_OK) {
    sqlite3_bind_text(st, 1, script, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, hash, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, src, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, sb_cstr(&vars), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 5, (int)job->node->span.line);
    rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
  }
  sqlite3_finalize(st);
  st = NULL;
  if (rc == SQLITE_OK) rc = sqlite3_prepare_v2(s->db, "SELECT id FROM sweeps WHERE script = ?1 AND source_hash = ?2", -1, &st, NULL);
  if (rc == SQLITE_OK) {
    sqlite3_bind_text(st, 1, script, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, hash, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW) job->store_id = sqlite3_column_int64(st, 0);
    else rc = SQLITE_ERROR;
  }
  sqlite3_finalize(st);
  free(src);
  sb_free(&vars);
  if (rc != SQLITE_OK) {
    dlt_error(I, where, "the run store failed: %s", sqlite3_errmsg(s->db));
    return false;
  }
  return true;
}

bool store_load(SweepStore *s, SweepJob *job, size_t k) {
  sqlite3_reset(s->load);
  sqlite3_bind_int64(s->load, 1, job->store_id);
  sqlite3_bind_text(s->load, 2, job->keys[k], -1, SQLITE_STATIC);
  sqlite3_bind_int64(s->load, 3, job->seeds[k]);
  bool found = false;
  if (sqlite3_step(s->load) == SQLITE_ROW) {
    const char *blob = sqlite3_column_blob(s->load, 0);
    int len = sqlite3_column_bytes(s->load, 0);
    PointResult r;
    if (blob && point_result_decode(blob, (size_t)len, &r) && r.status == POINT_OK) {
      point_result_clear(&job->results[k]);
      job->results[k] = r;
      found = true;
    } else if (blob) {
      point_result_clear(&r);
    }
  }
  sqlite3_reset(s->load);
  return found;
}

/* A point that cannot be encoded (it recorded a network) is simply not stored. A failed write
 * is said once on stderr and the sweep carries on: the results are still in the table. */
void store_save(SweepStore *s, SweepJob *job, size_t k) {
  StrBuf res = STRBUF_INIT, coords = STRBUF_INIT;
  const PointResult *r = &job->results[k];
  Value c = list_new((size_t)job->nvars);
  for (int j = 0; j < job->nvars; j++) list_push(AS_LIST(c), val_retain(job->coords[k * (size_t)job->nvars + (size_t)j]));
  if (point_result_encode(r, &res) && value_encode(c, &coords)) {
    sqlite3_reset(s->save);
    sqlite3_bind_int64(s->save, 1, job->store_id);
    sqlite3_bind_text(s->save, 2, job->keys[k], -1, SQLITE_STATIC);
    sqlite3_bind_int64(s->save, 3, job->seeds[k]);
    sqlite3_bind_int64(s->save, 4, (sqlite3_int64)k);
    sqlite3_bind_blob(s->save, 5, coords.s ? coords.s : "", (int)coords.len, SQLITE_STATIC);
    sqlite3_bind_blob(s->save, 6, res.s ? res.s : "", (int)res.len, SQLITE_STATIC);
    static bool warned;
    if (sqlite3_step(s->save) != SQLITE_DONE && !warned) {
      fprintf(stderr, "dlt: warning: the run store could not save a point: %s\n", sqlite3_errmsg(s->db));
      warned = true;
    }
    sqlite3_reset(s->save);
  }
  val_release(c);
  sb_free(&res);
  sb_free(&coords);
}

/* ------------------------------------------------------------------ dlt runs */
static int runs_list(sqlite3 *db) {
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(db,
                         "SELECT s.id, s.script, s.line, replace(s.vars, char(10), ', '), count(p.point), "
                         "coalesce(max(p.finished), s.created) FROM sweeps s LEFT JOIN points p ON p.sweep = s.id "
                         "GROUP BY s.id ORDER BY s.id",
                         -1, &st, NULL) != SQLITE_OK)
    return -1;
  printf("%4s  %-8s  %6s  %-19s  %s\n", "id", "vars", "points", "last point", "script:line");
  while (sqlite3_step(st) == SQLITE_ROW)
    printf("%4lld  %-8s  %6lld  %-19s  %s:%d\n", (long long)sqlite3_column_int64(st, 0),
           (const char *)sqlite3_column_text(st, 3), (long long)sqlite3_column_int64(st, 4),
           (const char *)sqlite3_column_text(st, 5), (const char *)sqlite3_column_text(st, 1), sqlite3_column_int(st, 2));
  sqlite3_finalize(st);
  return 0;
}

/* One sweep's stored points as a table, in grid order, written by write_csv or write_json. */
static int runs_export(sqlite3 *db, long long id, const char *writer) {
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(db, "SELECT vars FROM sweeps WHERE id = ?1", -1, &st, NULL) != SQLITE_OK) return -1;
  sqlite3_bind_int64(st, 1, id);
  if (sqlite3_step(st) != SQLITE_ROW) {
    sqlite3_finalize(st);
    fprintf(stderr, "dlt runs: there is no sweep %lld in this store (`dlt runs FILE` lists them)\n", id);
    return DLT_EXIT_USAGE;
  }
  Interp *I = interp_new();
  Table *t = table_new();
  int nvars = 0;
  for (const char *p = (const char *)sqlite3_column_text(st, 0); p && *p; nvars++) {
    const char *q = strchr(p, '\n');
    size_t n = q ? (size_t)(q - p) : strlen(p);
    char name[256];
    snprintf(name, sizeof name, "%.*s", (int)(n < 255 ? n : 255), p);
    table_add_col(t, name);
    p = q ? q + 1 : p + n;
  }
  sqlite3_finalize(st);
  sqlite3_prepare_v2(db, "SELECT coords, result FROM points WHERE sweep = ?1 ORDER BY ord", -1, &st, NULL);
  sqlite3_bind_int64(st, 1, id);
  while (sqlite3_step(st) == SQLITE_ROW) {
    bool ok;
    Value c = value_decode(sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0), &ok);
    PointResult r;
    if (ok && IS_LIST(c) && AS_LIST(c)->n == (size_t)nvars &&
        point_result_decode(sqlite3_column_blob(st, 1), (size_t)sqlite3_column_bytes(st, 1), &r)) {
      sweep_table_add_point(I, t, nvars, AS_LIST(c)->items, &r);
      point_result_clear(&r);
    }
    val_release(c);
  }
  sqlite3_finalize(st);
  Value args[2] = {str_from("/dev/stdout"), v_obj(t)};
  Value w = v_nil();
  const Builtin *b = builtin_find(writer);
  int g = b ? global_lookup(I, writer) : -1;
  if (g >= 0) w = dlt_call(I, I->globals[g], 2, args, NULL);
  int rc = IS_ABRUPT(w) ? DLT_EXIT_RUNTIME : DLT_EXIT_OK;
  diags_print(I, stderr);
  val_release(w);
  val_release(args[0]);
  val_release(args[1]);
  fflush(stdout);
  interp_free(I);
  return rc;
}

int store_cli(int argc, char **argv) {
  static const char usage[] = "usage: dlt runs STORE            list the sweeps in a run store\n"
                              "       dlt runs STORE ID [--json]  print one sweep's stored points as CSV (or JSON)\n";
  if (argc < 2 || argc > 4 || argv[1][0] == '-') {
    fputs(usage, stderr);
    return DLT_EXIT_USAGE;
  }
  if (!dynlib_load(&sq_lib)) {
    fprintf(stderr, "dlt runs: %s\n", sq_lib.err);
    return DLT_EXIT_USAGE;
  }
  sqlite3 *db = NULL;
  if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
    fprintf(stderr, "dlt runs: cannot open '%s': %s\n", argv[1], db ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_close(db);
    return DLT_EXIT_USAGE;
  }
  int rc;
  if (argc == 2) {
    rc = runs_list(db);
  } else {
    char *end;
    long long id = strtoll(argv[2], &end, 10);
    const char *fmt = argc == 4 ? argv[3] : "--csv";
    if (*end || (strcmp(fmt, "--csv") != 0 && strcmp(fmt, "--json") != 0)) {
      fputs(usage, stderr);
      sqlite3_close(db);
      return DLT_EXIT_USAGE;
    }
    rc = runs_export(db, id, strcmp(fmt, "--json") == 0 ? "write_json" : "write_csv");
  }
  if (rc < 0) {
    fprintf(stderr, "dlt runs: '%s' is not a DLT run store: %s\n", argv[1], sqlite3_errmsg(db));
    rc = DLT_EXIT_USAGE;
  }
  sqlite3_close(db);
  return rc;
}

#else /* built without SQLite: no run store */

static DynLib sq_lib = {"SQLite", NULL, "libsqlite3-dev", false, NULL, NULL, 0, 0, ""};

SweepStore *store_open(Interp *I, const char *path, const Span *where) {
  dynlib_load(&sq_lib);
  dlt_error(I, where, "cannot use '%s' as a run store: %s", path, sq_lib.err);
  return NULL;
}
bool store_begin(SweepStore *s, SweepJob *job, const Span *where) { return false; }
bool store_load(SweepStore *s, SweepJob *job, size_t k) { return false; }
void store_save(SweepStore *s, SweepJob *job, size_t k) {}
void store_close(SweepStore *s) {}
int store_cli(int argc, char **argv) {
  dynlib_load(&sq_lib);
  fprintf(stderr, "dlt runs: %s\n", sq_lib.err);
  return DLT_EXIT_USAGE;
}
#endif /* DLT_SQLITE_SONAME */
