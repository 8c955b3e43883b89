/* lib/plot.c - the plot value (plot.h) and the builtins that make, combine and save plots.
 *
 *   plot(y), plot(x, y)                       vectors (y may be a matrix: one series per column)
 *   plot(t, x="width", y="err", by="depth")   table columns, one series per group of `by`
 *   hist(x, bins=10), heatmap(M)              a histogram, a matrix as an image with a colour bar
 *   p + q, plot([p, q, ...])                  the series of several plots on one pair of axes
 *   plot(p, title=..., scale=...)             a copy of p with other options
 *   save(p, "fig.pdf"), plot(..., file=)      PNG, SVG or PDF by the file's extension
 *
 * Printing a plot draws it in the terminal (plot_term.c); files are drawn by PLplot
 * (plot_render.c). docs/library/plots.md is the user's page.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../arith.h"
#include "../builtin.h"
#include "../interp.h"
#include "../print.h"
#include "../strbuf.h"
#include "plot.h"
#include "table.h"

bool dlt_plot_term = false;
void (*dlt_plot_sink)(void *ctx, const Plot *p) = NULL;
void *dlt_plot_sink_ctx = NULL;

/* Series of a figure drawn with lines and markers by default up to this many points. */
enum { PLOT_MARKER_POINTS = 30, PLOT_MAX_GROUPS = 20 };

static const char *const kind_names[] = {"line", "scatter", "linespoints", "bars", "heatmap"};
static const char *const scale_names[] = {"linear", "loglog", "semilogx", "semilogy"};

/* ------------------------------------------------------------------ storage */
static double *dup_doubles(const double *src, size_t n) {
  double *d = dlt_xmalloc((n ? n : 1) * sizeof(double));
  if (n) memcpy(d, src, n * sizeof(double));
  return d;
}

static void series_free(Series *s) {
  free(s->label);
  free(s->x);
  free(s->y);
  free(s->err);
  free(s->z);
}

static void series_copy(Series *d, const Series *s) {
  *d = *s;
  d->label = s->label ? dlt_xstrdup(s->label) : NULL;
  d->x = s->x ? dup_doubles(s->x, s->kind == SER_BARS ? s->n + 1 : s->kind == SER_HEATMAP ? 2 : s->n) : NULL;
  d->y = s->y ? dup_doubles(s->y, s->n) : NULL;
  d->err = s->err ? dup_doubles(s->err, s->n) : NULL;
  d->z = s->z ? dup_doubles(s->z, s->n * s->cols) : NULL;
}

static void plot_free(Obj *o) {
  Plot *p = (Plot *)o;
  for (int i = 0; i < p->nseries; i++) series_free(&p->s[i]);
  free(p->s);
  free(p->title);
  free(p->xlabel);
  free(p->ylabel);
}

static Plot *plot_alloc(void) {
  Plot *p = obj_new(OBJ_EXT, sizeof(Plot));
  p->ext.cls = &plot_class;
  p->nseries = 0;
  p->s = NULL;
  p->title = p->xlabel = p->ylabel = NULL;
  p->scale = -1;
  p->xlim[0] = p->xlim[1] = p->ylim[0] = p->ylim[1] = NAN;
  p->grid = -1;
  p->width = p->height = 0;
  return p;
}

static Series *plot_add(Plot *p) {
  p->s = dlt_xrealloc(p->s, (size_t)(p->nseries + 1) * sizeof(Series));
  Series *s = &p->s[p->nseries++];
  memset(s, 0, sizeof *s);
  return s;
}

static void set_str(char **slot, const char *s) {
  free(*slot);
  *slot = s ? dlt_xstrdup(s) : NULL;
}

/* A copy of a's figure options and series, then b's series (b may be NULL). Options a leaves
 * unset come from b. */
static Plot *plot_merge(const Plot *a, const Plot *b) {
  Plot *p = plot_alloc();
  const Plot *src[2] = {a, b};
  for (int k = 0; k < 2; k++) {
    const Plot *q = src[k];
    if (!q) continue;
    for (int i = 0; i < q->nseries; i++) series_copy(plot_add(p), &q->s[i]);
    if (!p->title && q->title) set_str(&p->title, q->title);
    if (!p->xlabel && q->xlabel) set_str(&p->xlabel, q->xlabel);
    if (!p->ylabel && q->ylabel) set_str(&p->ylabel, q->ylabel);
    if (p->scale < 0) p->scale = q->scale;
    if (isnan(p->xlim[0])) memcpy(p->xlim, q->xlim, sizeof p->xlim);
    if (isnan(p->ylim[0])) memcpy(p->ylim, q->ylim, sizeof p->ylim);
    if (p->grid < 0) p->grid = q->grid;
    if (!p->width) p->width = q->width, p->height = q->height;
  }
  return p;
}

bool plot_is_heatmap(const Plot *p) { return p->nseries > 0 && p->s[0].kind == SER_HEATMAP; }

/* ------------------------------------------------------------------ axis space and limits */
double plot_ax(double v, bool logaxis) {
  if (!isfinite(v) || fabs(v) > 1e300) return NAN; /* beyond 1e300 the axis' span would overflow */
  if (logaxis) return v > 0 ? log10(v) : NAN;
  return v;
}

typedef struct {
  double lo, hi;
  bool any;
} Extent;

static void extent_add(Extent *e, double v) {
  if (isnan(v)) return;
  if (!e->any || v < e->lo) e->lo = v;
  if (!e->any || v > e->hi) e->hi = v;
  e->any = true;
}

/* The final limits of one axis from the data's extent (axis space): padded by 4% each side on a
 * linear axis; on a log axis padded too, and widened to the next power of ten below (and above)
 * when fewer than two powers of ten would be labelled. `user` are xlim=/ylim= in data units. */
static void axis_limits(Extent e, bool logaxis, const double user[2], bool pad_low, double out[2]) {
  double lo = e.lo, hi = e.hi;
  if (!e.any) lo = logaxis ? 0 : 0, hi = 1;
  if (lo == hi) {
    double d = logaxis ? 0.5 : (lo == 0 ? 0.5 : fabs(lo) * 0.1);
    lo -= d, hi += d;
  }
  /* differences below 1e-9 of the values themselves are rounding, not data: the axis shows them
   * flat (and neither PLplot's coordinates nor the tick labels could resolve them) */
  double minspan = 1e-9 * fmax(fabs(lo), fabs(hi));
  if (hi - lo < minspan) {
    double mid = lo / 2 + hi / 2;
    lo = mid - minspan / 2, hi = mid + minspan / 2;
  }
  double pad = 0.04 * (hi - lo);
  if (pad_low) lo -= pad;
  hi += pad;
  if (logaxis && floor(hi) - ceil(lo) < 1) { /* fewer than two powers of ten inside */
    lo = floor(lo);
    if (floor(hi) - lo < 1) hi = ceil(hi);
    if (hi == lo) hi += 1;
  }
  double ulo = plot_ax(user[0], logaxis), uhi = plot_ax(user[1], logaxis);
  if (!isnan(ulo) && !isnan(uhi) && ulo < uhi) lo = ulo, hi = uhi;
  out[0] = lo;
  out[1] = hi;
}

bool plot_limits(const Plot *p, double lim[4], size_t *skipped) {
  *skipped = 0;
  if (plot_is_heatmap(p)) {
    const Series *s = &p->s[0];
    lim[0] = 0.5, lim[1] = (double)s->cols + 0.5;
    lim[2] = 0.5, lim[3] = (double)s->n + 0.5;
    for (size_t i = 0; i < s->n * s->cols; i++)
      if (!isfinite(s->z[i])) ++*skipped;
    return *skipped < s->n * s->cols;
  }
  bool lx = plot_logx(p), ly = plot_logy(p);
  Extent ex = {0, 0, false}, ey = {0, 0, false};
  size_t drawn = 0;
  bool bars = false;
  for (int k = 0; k < p->nseries; k++) {
    const Series *s = &p->s[k];
    if (s->kind == SER_BARS) {
      bars = true;
      for (size_t i = 0; i < s->n; i++) {
        double x0 = plot_ax(s->x[i], lx), x1 = plot_ax(s->x[i + 1], lx), y = plot_ax(s->y[i], ly);
        if (isnan(x0) || isnan(x1) || (isnan(y) && !(ly && s->y[i] == 0))) {
          ++*skipped;
          continue;
        }
        drawn++;
        extent_add(&ex, x0);
        extent_add(&ex, x1);
        extent_add(&ey, y);
        if (!ly) extent_add(&ey, 0);
      }
      continue;
    }
    for (size_t i = 0; i < s->n; i++) {
      double x = plot_ax(s->x[i], lx), y = plot_ax(s->y[i], ly);
      if (isnan(x) || isnan(y)) {
        ++*skipped;
        continue;
      }
      drawn++;
      extent_add(&ex, x);
      extent_add(&ey, y);
      if (s->err && isfinite(s->err[i])) {
        extent_add(&ey, plot_ax(s->y[i] + fabs(s->err[i]), ly));
        extent_add(&ey, plot_ax(s->y[i] - fabs(s->err[i]), ly));
      }
    }
  }
  /* bars stand on zero: no padding below them on a linear axis */
  axis_limits(ex, lx, p->xlim, true, lim);
  axis_limits(ey, ly, p->ylim, !(bars && !ly && ey.any && ey.lo >= 0), lim + 2);
  return drawn > 0;
}

static double nice_step(double raw) {
  double e = floor(log10(raw)), f = raw / pow(10, e);
  double n = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
  return n * pow(10, e);
}

int plot_ticks(double lo, double hi, bool logaxis, int max, double *ticks, double *step) {
  double span = hi - lo;
  if (!(span > 0) || max < 2) {
    *step = 1;
    return 0;
  }
  double st;
  if (logaxis) {
    st = 1;
    while (floor(hi / st) - ceil(lo / st) + 1 > max) st = st == 1 ? 2 : st == 2 ? 5 : st * 2;
  } else {
    st = nice_step(span / (max - 1));
    while (floor(hi / st) - ceil(lo / st) + 1 > max) st = nice_step(st * 1.01);
  }
  int n = 0;
  for (double k = ceil(lo / st - 1e-9); k * st <= hi + 1e-9 * st && n < max; k++) {
    double t = k * st;
    if (fabs(t) < 1e-12 * st) t = 0; /* no -0 */
    ticks[n++] = t;
  }
  *step = st;
  return n;
}

double plot_ticks_amax(const double *ticks, int n) {
  double m = 0;
  for (int i = 0; i < n; i++) m = fmax(m, fabs(ticks[i]));
  return m;
}

/* Decimal digits needed to write multiples of step exactly (0.25 -> 2, 5 -> 0). */
static int step_decimals(double step) {
  int d = 0;
  double s = step;
  while (d < 15 && fabs(s - round(s)) > 1e-6 * s) s *= 10, d++;
  return d;
}

void plot_tick_label(double t, double step, double amax, bool logaxis, int style, char *buf, size_t size) {
  static const char *const sup[] = {"⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"};
  const char *minus = style == PLOT_TEXT_PLPLOT ? "−" : "-";
  if (logaxis) {
    long k = lround(t);
    if (style == PLOT_TEXT_PLPLOT) {
      snprintf(buf, size, "10#u%s%ld#d", k < 0 ? minus : "", labs(k));
      return;
    }
    char digits[24];
    snprintf(digits, sizeof digits, "%ld", labs(k));
    size_t o = (size_t)snprintf(buf, size, "10%s", k < 0 ? "⁻" : "");
    for (const char *c = digits; *c && o + 4 < size; c++) o += (size_t)snprintf(buf + o, size - o, "%s", sup[*c - '0']);
    return;
  }
  char tmp[64];
  if (t == 0 && (amax >= 1e5 || amax < 1e-3)) snprintf(tmp, sizeof tmp, "0");
  else if (amax >= 1e5 || amax < 1e-3) {
    double m = floor(log10(step)), dm = step_decimals(step / pow(10, m));
    int prec = (int)(floor(log10(fabs(t))) - m + dm);
    snprintf(tmp, sizeof tmp, "%.*e", prec < 0 ? 0 : prec, t);
    /* 2.5e-05 -> 2.5e-5, 1e+06 -> 1e6 */
    char *e = strchr(tmp, 'e');
    if (e) {
      char *q = e + 1, *w = e + 1;
      if (*q == '+') q++;
      else if (*q == '-') *w++ = *q++;
      while (*q == '0' && q[1]) q++;
      memmove(w, q, strlen(q) + 1);
    }
  } else snprintf(tmp, sizeof tmp, "%.*f", step_decimals(step), t);
  if (tmp[0] == '-') snprintf(buf, size, "%s%s", minus, tmp + 1);
  else snprintf(buf, size, "%s", tmp);
}

/* ------------------------------------------------------------------ printing, fields, operators */
static void plot_print(Obj *o, StrBuf *out) {
  if (dlt_plot_sink) dlt_plot_sink(dlt_plot_sink_ctx, (const Plot *)o);
  else plot_term_draw((const Plot *)o, out, 0, 0);
}

static size_t plot_points(const Plot *p) {
  size_t n = 0;
  for (int k = 0; k < p->nseries; k++) n += p->s[k].kind == SER_HEATMAP ? p->s[k].n * p->s[k].cols : p->s[k].n;
  return n;
}

static Value str_or_nil(const char *s) { return s ? str_from(s) : v_nil(); }

static Value plot_get_field(Interp *I, Obj *self, const char *name, const Span *where) {
  Plot *p = (Plot *)self;
  if (strcmp(name, "series") == 0) return v_num(p->nseries);
  if (strcmp(name, "title") == 0) return str_or_nil(p->title);
  if (strcmp(name, "xlabel") == 0) return str_or_nil(p->xlabel);
  if (strcmp(name, "ylabel") == 0) return str_or_nil(p->ylabel);
  if (strcmp(name, "scale") == 0) return str_from(plot_is_heatmap(p) ? "heatmap" : scale_names[p->scale < 0 ? 0 : p->scale]);
  if (strcmp(name, "points") == 0) return v_num((double)plot_points(p));
  if (strcmp(name, "skipped") == 0) {
    double lim[4];
    size_t skipped;
    plot_limits(p, lim, &skipped);
    return v_num((double)skipped);
  }
  if (strcmp(name, "labels") == 0 || strcmp(name, "kinds") == 0) {
    Value l = list_new((size_t)p->nseries);
    for (int k = 0; k < p->nseries; k++)
      list_push(AS_LIST(l), name[0] == 'l' ? str_or_nil(p->s[k].label) : str_from(kind_names[p->s[k].kind]));
    return l;
  }
  return dlt_error(I, where, "a plot has no field '%s' (fields: series, labels, kinds, points, skipped, title, xlabel, ylabel, scale)", name);
}

static Value plot_binop(Interp *I, OpCode op, Value a, Value b, const Span *where) {
  if (op == OP_EQ || op == OP_NE) return v_bool((IS_OBJ(a) && IS_OBJ(b) && a.u.o == b.u.o) == (op == OP_EQ));
  if (op == OP_ADD && IS_PLOT(a) && IS_PLOT(b)) {
    if (plot_is_heatmap(AS_PLOT(a)) || plot_is_heatmap(AS_PLOT(b)))
      return dlt_error(I, where, "a heat map cannot share its axes with other series");
    return v_obj(plot_merge(AS_PLOT(a), AS_PLOT(b)));
  }
  return dlt_error(I, where, "plots combine with p + q (the series of both on one pair of axes); got a %s and a %s",
                   val_type_name(a), val_type_name(b));
}

/* len(p) is its number of series */
static Value plot_method(Args *a, const char *builtin, bool *handled) {
  *handled = false;
  if (strcmp(builtin, "len") == 0 && a->n == 1) {
    *handled = true;
    return v_num(AS_PLOT(a->v[0])->nseries);
  }
  return v_nil();
}

const ExtClass plot_class = {
  .name = "plot",
  .free = plot_free,
  .print = plot_print,
  .get_field = plot_get_field,
  .binop = plot_binop,
  .method = plot_method,
};

/* ------------------------------------------------------------------ keyword helpers */
/* An error at any span, worded like arg_error's ("plot: ..."). */
static Value plot_error(Args *a, const Span *sp, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static Value plot_error(Args *a, const Span *sp, const char *fmt, ...) {
  StrBuf b = STRBUF_INIT;
  va_list ap;
  va_start(ap, fmt);
  sb_vprintf(&b, fmt, ap);
  va_end(ap);
  Value e = dlt_error(a->I, sp, "%s: %s", a->fname ? a->fname : "plot", sb_cstr(&b));
  sb_free(&b);
  return e;
}

/* Two numbers [a, b] with a < b, both finite. */
static bool kw_pair(Args *a, const char *name, double out[2], bool *present, bool increasing) {
  const Value *v = kw_get(a, name);
  *present = v != NULL;
  if (!v) return true;
  Value m = IS_MAT(*v) || IS_LIST(*v) || IS_RANGE(*v) ? val_as_mat(a->I, *v, kw_span(a, name), name) : v_nil();
  if (IS_ABRUPT(m)) return false;
  if (!IS_MAT(m) || mat_numel(AS_MAT(m)) != 2) {
    val_release(m);
    kw_error(a, name, "%s= must be [lo, hi], two numbers", name);
    return false;
  }
  out[0] = AS_MAT(m)->data[0];
  out[1] = AS_MAT(m)->data[1];
  val_release(m);
  if (!isfinite(out[0]) || !isfinite(out[1]) || (increasing && !(out[0] < out[1]))) {
    kw_error(a, name, "%s= must be [lo, hi] with finite lo < hi, got [%s, %s]", name, num_text(out[0]).s, num_text(out[1]).s);
    return false;
  }
  return true;
}

static bool kw_text(Args *a, const char *name, char **slot) {
  const char *s;
  bool present;
  if (!kw_str(a, name, &s, &present)) return false;
  if (present) set_str(slot, s);
  return true;
}

/* The figure options every builder takes: title= xlabel= ylabel= scale= xlim= ylim= grid= size=.
 * Keywords a builder does not list never reach here (the call machinery rejects them). */
static bool plot_options(Args *a, Plot *p) {
  if (!kw_text(a, "title", &p->title) || !kw_text(a, "xlabel", &p->xlabel) || !kw_text(a, "ylabel", &p->ylabel))
    return false;
  if (kw_get(a, "scale")) {
    if (plot_is_heatmap(p)) {
      kw_error(a, "scale", "a heat map has no scale= (its axes are row and column numbers)");
      return false;
    }
    if (!kw_choice(a, "scale", scale_names, 4, "linear", &p->scale)) return false;
  }
  bool present;
  double lim[2];
  if (!kw_pair(a, "xlim", lim, &present, true)) return false;
  if (present) memcpy(p->xlim, lim, sizeof lim);
  if (!kw_pair(a, "ylim", lim, &present, true)) return false;
  if (present) memcpy(p->ylim, lim, sizeof lim);
  if (kw_get(a, "grid")) {
    bool g;
    if (!kw_bool(a, "grid", false, &g)) return false;
    p->grid = g;
  }
  if (!kw_pair(a, "size", lim, &present, false)) return false;
  if (present) {
    for (int i = 0; i < 2; i++)
      if (lim[i] != floor(lim[i]) || lim[i] < 100 || lim[i] > 5000) {
        kw_error(a, "size", "size= must be [width, height] in pixels, whole numbers from 100 to 5000, got [%s, %s]",
                 num_text(lim[0]).s, num_text(lim[1]).s);
        return false;
      }
    p->width = (int)lim[0];
    p->height = (int)lim[1];
  }
  /* limits on a log axis must be positive */
  const char *names[2] = {"xlim", "ylim"};
  const double *lims[2] = {p->xlim, p->ylim};
  bool logs[2] = {plot_logx(p), plot_logy(p)};
  for (int i = 0; i < 2; i++)
    if (logs[i] && !isnan(lims[i][0]) && !(lims[i][0] > 0)) {
      Value e = kw_get(a, names[i]) ? kw_error(a, names[i], "%s= must be positive on a log axis, got [%s, %s]", names[i],
                                              num_text(lims[i][0]).s, num_text(lims[i][1]).s)
                                   : kw_error(a, "scale", "scale=\"%s\" needs positive %s, but it is [%s, %s]",
                                              scale_names[p->scale], names[i], num_text(lims[i][0]).s, num_text(lims[i][1]).s);
      (void)e;
      return false;
    }
  return true;
}

/* ------------------------------------------------------------------ writing files */
static int file_format(const char *path) {
  const char *dot = strrchr(path, '.');
  if (!dot || strchr(dot, '/')) return -1;
  if (strcasecmp(dot, ".png") == 0) return PLOT_PNG;
  if (strcasecmp(dot, ".svg") == 0) return PLOT_SVG;
  if (strcasecmp(dot, ".pdf") == 0) return PLOT_PDF;
  return -1;
}

/* A note on standard error, located like an error but not one: the plot was still written. */
static void plot_note(Interp *I, const Span *sp, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void plot_note(Interp *I, const Span *sp, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  if (sp && sp->file < (uint32_t)I->nsources) fprintf(stderr, "%s:%u:%u: note: ", I->sources[sp->file]->name, sp->line, sp->col);
  else fprintf(stderr, "dlt: note: ");
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

static const char *skip_reason(const Plot *p) {
  return plot_logx(p) || plot_logy(p) ? "nan, inf, or <= 0 on a log axis" : "nan or inf";
}

/* Write p to path (the error is located at sp). Only the primary process writes. */
static bool plot_write(Args *a, const Plot *p, const char *path, const Span *sp) {
  int fmt = file_format(path);
  if (fmt < 0) {
    plot_error(a, sp, "cannot tell the format of '%s': the file name must end in .png, .svg or .pdf", path);
    return false;
  }
  double lim[4];
  size_t skipped;
  if (!plot_limits(p, lim, &skipped)) {
    plot_error(a, sp, "nothing to draw in '%s': all %zu points are %s", path, skipped, skip_reason(p));
    return false;
  }
  if (strstr(path, "%n")) { /* PLplot would put a page number there (its "family" files) */
    plot_error(a, sp, "cannot write '%s': PLplot reads %%n in a file name as a page number", path);
    return false;
  }
  if (!dlt_primary_process()) return true;
  FILE *f = fopen(path, "wb"); /* PLplot would exit the process on a file it cannot open */
  if (!f) {
    plot_error(a, sp, "cannot open '%s' for writing: %s", path, strerror(errno));
    return false;
  }
  fclose(f);
  char buf[512];
  if (!plot_render_file(p, path, fmt, buf, sizeof buf)) {
    remove(path);
    plot_error(a, sp, "cannot draw '%s': %s", path, buf);
    return false;
  }
  if (skipped) plot_note(a->I, sp, "%zu of %zu points not drawn in '%s' (%s)", skipped, plot_points(p), path, skip_reason(p));
  if (dlt_plot_sink) dlt_plot_sink(dlt_plot_sink_ctx, p);
  if (dlt_plot_term) {
    StrBuf b = STRBUF_INIT;
    plot_term_draw(p, &b, 0, 0);
    sb_putc(&b, '\n');
    fwrite(b.s, 1, b.len, a->I->out);
    sb_free(&b);
  }
  return true;
}

/* The end of every builder: the figure options, then file= (write now), then hand the plot back.
 * Takes p; it is released on an error. */
static Value plot_finish(Args *a, Plot *p) {
  const char *path;
  bool present;
  if (!plot_options(a, p) || !kw_str(a, "file", &path, &present) ||
      (present && !plot_write(a, p, path, kw_span(a, "file")))) {
    val_release(v_obj(p));
    return v_abrupt();
  }
  return v_obj(p);
}

/* Builders: keywords, then the figure options; the plot is released on an error. */
static Value plot_fail(Plot *p) {
  val_release(v_obj(p));
  return v_abrupt();
}

/* ------------------------------------------------------------------ plot(): vectors */
/* A numeric value as a matrix (new reference in *out), else an error at sp naming `what`. */
static bool as_matrix(Args *a, Value v, const Span *sp, const char *what, Value *out) {
  if (!(IS_MAT(v) || IS_NUM(v) || IS_RANGE(v) || IS_LIST(v))) {
    plot_error(a, sp, "%s must be a vector or a matrix of numbers, got a %s", what, val_type_name(v));
    return false;
  }
  *out = val_as_mat(a->I, v, sp, what);
  return !IS_ABRUPT(*out);
}

/* The series of a matrix y: its columns (a row vector is one series), or its rows when `byrow`.
 * Entry i of series j. */
static double ser_get(const Mat *m, bool byrow, size_t i, size_t j) {
  if (byrow) return *mat_at((Mat *)m, j, i);
  if (mat_rows(m) == 1) return m->data[i];
  return *mat_at((Mat *)m, i, j);
}
static size_t ser_len(const Mat *m, bool byrow) { return byrow || mat_rows(m) == 1 ? mat_cols(m) : mat_rows(m); }
static size_t ser_count(const Mat *m, bool byrow) { return byrow ? mat_rows(m) : mat_rows(m) == 1 ? 1 : mat_cols(m); }

static int default_kind(size_t n) { return n > PLOT_MARKER_POINTS ? SER_LINE : SER_LINESPOINTS; }

static bool get_kind(Args *a, size_t n, int *kind) {
  return kw_choice(a, "kind", kind_names, 3, kind_names[default_kind(n)], kind);
}

/* label= as one string (for one series) or a list of strings (one per series) */
static bool get_labels(Args *a, int nser, const char **labels) {
  for (int k = 0; k < nser; k++) labels[k] = NULL;
  const Value *v = kw_get(a, "label");
  if (!v) return true;
  if (IS_STR(*v)) {
    if (nser != 1) {
      kw_error(a, "label", "label= is one name but there are %d series: give a list of %d names", nser, nser);
      return false;
    }
    labels[0] = AS_STR(*v)->s;
    return true;
  }
  if (IS_LIST(*v) && AS_LIST(*v)->n == (size_t)nser) {
    for (int k = 0; k < nser; k++) {
      Value it = AS_LIST(*v)->items[k];
      if (!IS_STR(it)) {
        kw_error(a, "label", "label= must hold strings, but item %d is a %s", k + 1, val_type_name(it));
        return false;
      }
      labels[k] = AS_STR(it)->s;
    }
    return true;
  }
  if (IS_LIST(*v))
    kw_error(a, "label", "label= has %zu name%s but there %s %d series", AS_LIST(*v)->n, AS_LIST(*v)->n == 1 ? "" : "s",
             nser == 1 ? "is" : "are", nser);
  else kw_error(a, "label", "label= must be a string or a list of strings, got a %s", val_type_name(*v));
  return false;
}

static Value plot_vectors(Args *a) {
  const char *nokw[] = {"by"};
  for (size_t i = 0; i < sizeof nokw / sizeof *nokw; i++)
    if (kw_get(a, nokw[i])) return kw_error(a, nokw[i], "%s= names a column: it applies when plotting a table, plot(t, ...)", nokw[i]);
  /* x and y: positional, or x=/y= given as vectors */
  const Value *xv = NULL, *yv = NULL;
  const Span *xs = NULL, *ys = NULL;
  if (a->n == 2) xv = &a->v[0], xs = arg_span(a, 0), yv = &a->v[1], ys = arg_span(a, 1);
  else if (a->n == 1) yv = &a->v[0], ys = arg_span(a, 0);
  const char *names[2] = {"x", "y"};
  for (int i = 0; i < 2; i++) {
    const Value *k = kw_get(a, names[i]);
    if (!k) continue;
    if (IS_STR(*k)) return kw_error(a, names[i], "%s=\"%s\" names a column, but the first argument is not a table", names[i], AS_STR(*k)->s);
    if ((i == 0 && xv) || (i == 1 && yv) || (i == 0 && a->n == 1))
      return kw_error(a, names[i], "%s is given twice (as an argument and as %s=)", names[i], names[i]);
    if (i == 0) xv = k, xs = kw_span(a, "x");
    else yv = k, ys = kw_span(a, "y");
  }
  if (!yv) return call_error(a, "nothing to plot: give y values, plot(y) or plot(x, y), or a table, plot(t, x=\"col\", y=\"col\")");
  Value ym, xm = v_nil(), em = v_nil();
  if (!as_matrix(a, *yv, ys, "y", &ym)) return v_abrupt();
  Mat *Y = AS_MAT(ym);
  bool byrow = false;
  Value r = v_abrupt();
  Plot *p = NULL;
  if (mat_numel(Y) == 0) {
    plot_error(a, ys, "nothing to plot: y is empty");
    goto done;
  }
  if (xv) {
    if (!as_matrix(a, *xv, xs, "x", &xm)) goto done;
    Mat *X = AS_MAT(xm);
    if (!mat_is_vector(X)) {
      plot_error(a, xs, "x must be a vector, got a %zu×%zu matrix", mat_rows(X), mat_cols(X));
      goto done;
    }
    /* a matrix y: its columns are the series, or its rows when they have x's length */
    size_t nx = mat_numel(X);
    if (mat_is_vector(Y) && mat_numel(Y) != nx) {
      plot_error(a, ys, "x has %zu entries but y has %zu: they must have the same length", nx, mat_numel(Y));
      goto done;
    }
    if (!mat_is_vector(Y) && mat_rows(Y) != nx) {
      if (mat_cols(Y) != nx) {
        plot_error(a, ys, "x has %zu entries but y is a %zu×%zu matrix: neither its columns nor its rows have %zu entries",
                   nx, mat_rows(Y), mat_cols(Y), nx);
        goto done;
      }
      byrow = true;
    }
  }
  size_t n = ser_len(Y, byrow), nser = ser_count(Y, byrow);
  if (nser > PLOT_MAX_GROUPS) {
    plot_error(a, ys, "y is a %zu×%zu matrix: one series per %s makes %zu series, at most %d%s", mat_rows(Y), mat_cols(Y),
               byrow ? "row" : "column", nser, PLOT_MAX_GROUPS, byrow || xv ? "" : " (plot(y') draws one per row)");
    goto done;
  }
  const Value *ev = kw_get(a, "yerr");
  if (ev) {
    if (IS_STR(*ev)) {
      kw_error(a, "yerr", "yerr=\"%s\" names a column, but the first argument is not a table", AS_STR(*ev)->s);
      goto done;
    }
    if (!as_matrix(a, *ev, kw_span(a, "yerr"), "yerr", &em)) goto done;
    Mat *E = AS_MAT(em);
    if (mat_rows(E) * mat_cols(E) != mat_rows(Y) * mat_cols(Y) || (!mat_is_vector(Y) && mat_rows(E) != mat_rows(Y))) {
      if (mat_is_vector(Y) && mat_is_vector(E))
        kw_error(a, "yerr", "yerr= has %zu entries but y has %zu: one error bar per point", mat_numel(E), mat_numel(Y));
      else
        kw_error(a, "yerr", "yerr= is %zu×%zu but y is %zu×%zu: they must have the same shape", mat_rows(E), mat_cols(E),
                 mat_rows(Y), mat_cols(Y));
      goto done;
    }
  }
  int kind;
  const char *labels[PLOT_MAX_GROUPS];
  if (!get_kind(a, n, &kind) || !get_labels(a, (int)nser, labels)) goto done;
  p = plot_alloc();
  for (size_t j = 0; j < nser; j++) {
    Series *s = plot_add(p);
    s->kind = kind;
    s->n = n;
    s->x = dlt_xmalloc(n * sizeof(double));
    s->y = dlt_xmalloc(n * sizeof(double));
    for (size_t i = 0; i < n; i++) {
      s->x[i] = xv ? AS_MAT(xm)->data[i] : (double)(i + 1);
      s->y[i] = ser_get(Y, byrow, i, j);
    }
    if (ev) {
      s->err = dlt_xmalloc(n * sizeof(double));
      for (size_t i = 0; i < n; i++) s->err[i] = ser_get(AS_MAT(em), byrow, i, j);
    }
    if (labels[j]) s->label = dlt_xstrdup(labels[j]);
  }
  r = plot_finish(a, p);
done:
  val_release(ym);
  val_release(xm);
  val_release(em);
  return r;
}

/* ------------------------------------------------------------------ plot(): table columns */
/* Column `name` of t as numbers (nrows entries, missing = NaN), else an error at keyword kw. */
static double *table_numbers(Args *a, const Table *t, const char *kw, const char *name) {
  int j = table_col(t, name);
  if (j < 0) {
    StrBuf b = STRBUF_INIT;
    for (int c = 0; c < t->ncols; c++) sb_printf(&b, "%s%s", c ? ", " : "", t->cols[c].name);
    kw_error(a, kw, "the table has no column '%s' (columns: %s)", name, t->ncols ? sb_cstr(&b) : "none");
    sb_free(&b);
    return NULL;
  }
  double *out = dlt_xmalloc((t->nrows ? t->nrows : 1) * sizeof(double));
  for (size_t i = 0; i < t->nrows; i++) {
    if (table_missing(t, i, j)) {
      out[i] = NAN;
      continue;
    }
    if (!table_num(t, i, j, &out[i])) {
      Value v = table_get(t, i, j);
      kw_error(a, kw, "column '%s' must hold numbers, but row %zu is a %s", name, i + 1, val_type_name(v));
      val_release(v);
      free(out);
      return NULL;
    }
  }
  return out;
}

typedef struct {
  char *text; /* how the key prints in the legend */
  double num; /* its value, when the by column holds numbers */
  size_t *rows, n;
} Group;

static int group_cmp(const void *pa, const void *pb) {
  double a = ((const Group *)pa)->num, b = ((const Group *)pb)->num;
  if (isnan(a) || isnan(b)) return isnan(a) - isnan(b);
  return (a > b) - (a < b);
}

static void groups_free(Group *g, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(g[i].text);
    free(g[i].rows);
  }
  free(g);
}

/* The rows of t grouped by the values of column `name`: numbers in increasing order, other
 * values in order of first appearance. NULL after an error. */
static Group *table_groups(Args *a, const Table *t, const char *name, size_t *ng) {
  int j = table_col(t, name);
  if (j < 0) {
    free(table_numbers(a, t, "by", name)); /* the error naming the columns */
    return NULL;
  }
  Group *g = NULL;
  size_t n = 0;
  bool numeric = t->cols[j].kind == COL_NUM;
  for (size_t i = 0; i < t->nrows; i++) {
    Value v = table_get(t, i, j);
    StrBuf b = STRBUF_INIT;
    val_print(&b, v, PRINT_DISPLAY | PRINT_INLINE);
    val_release(v);
    size_t k = 0;
    while (k < n && strcmp(g[k].text, sb_cstr(&b)) != 0) k++;
    if (k == n) {
      if (n == PLOT_MAX_GROUPS) {
        sb_free(&b);
        groups_free(g, n);
        kw_error(a, "by", "by=\"%s\" makes more than %d groups, too many series for one figure", name, PLOT_MAX_GROUPS);
        return NULL;
      }
      g = dlt_xrealloc(g, (n + 1) * sizeof(Group));
      g[n].text = sb_take(&b);
      g[n].num = numeric ? t->cols[j].num[i] : NAN;
      g[n].rows = dlt_xmalloc(t->nrows * sizeof(size_t));
      g[n].n = 0;
      n++;
    }
    sb_free(&b);
    g[k].rows[g[k].n++] = i;
  }
  if (numeric && n > 1) qsort(g, n, sizeof(Group), group_cmp);
  *ng = n;
  return g;
}

static const double *sort_x; /* qsort context: the x values rows are sorted by */
static int row_cmp(const void *pa, const void *pb) {
  size_t i = *(const size_t *)pa, j = *(const size_t *)pb;
  double x = sort_x[i], y = sort_x[j];
  if (x < y) return -1;
  if (x > y) return 1;
  return (i > j) - (i < j); /* stable: rows with equal x keep their order */
}

/* The names y= gives: one string or a list of strings. */
static int y_names(Args *a, const char **names) {
  const Value *v = kw_get(a, "y");
  if (!v) {
    call_error(a, "a table plot needs y= naming a column (and usually x=)");
    return -1;
  }
  if (IS_STR(*v)) {
    names[0] = AS_STR(*v)->s;
    return 1;
  }
  if (IS_LIST(*v) && AS_LIST(*v)->n >= 1 && AS_LIST(*v)->n <= PLOT_MAX_GROUPS) {
    for (size_t k = 0; k < AS_LIST(*v)->n; k++) {
      if (!IS_STR(AS_LIST(*v)->items[k])) {
        kw_error(a, "y", "y= must name columns, but item %zu is a %s", k + 1, val_type_name(AS_LIST(*v)->items[k]));
        return -1;
      }
      names[k] = AS_STR(AS_LIST(*v)->items[k])->s;
    }
    return (int)AS_LIST(*v)->n;
  }
  kw_error(a, "y", "y= must name a column (a string) or a list of at most %d columns, got a %s", PLOT_MAX_GROUPS,
           val_type_name(*v));
  return -1;
}

static Value plot_table(Args *a) {
  const Table *t = AS_TABLE(a->v[0]);
  if (a->n > 1) return arg_error(a, 1, "plot(t, ...) takes the columns as keywords: plot(t, x=\"col\", y=\"col\")");
  const char *xname = NULL, *by = NULL, *ename = NULL;
  const char *ynames[PLOT_MAX_GROUPS];
  int ny = y_names(a, ynames);
  if (ny < 0) return v_abrupt();
  const Value *xk = kw_get(a, "x"), *ek = kw_get(a, "yerr");
  if (xk && !IS_STR(*xk)) return kw_error(a, "x", "x= must name a column of the table, got a %s", val_type_name(*xk));
  if (ek && !IS_STR(*ek)) return kw_error(a, "yerr", "yerr= must name a column of the table, got a %s", val_type_name(*ek));
  if (xk) xname = AS_STR(*xk)->s;
  if (ek) ename = AS_STR(*ek)->s;
  if (!kw_str(a, "by", &by, NULL)) return v_abrupt();
  if (ename && ny > 1) return kw_error(a, "yerr", "yerr= goes with one y column; plot the columns separately and add them (p + q)");
  if (t->nrows == 0) return arg_error(a, 0, "nothing to plot: the table has no rows");
  /* with by=, label= names the groups' key (label="" shows the bare values); without, it names
   * the y columns: one string, or a list with one name per column */
  const char *lab = NULL, *labels[PLOT_MAX_GROUPS];
  if (by) {
    if (kw_get(a, "label") && !kw_str(a, "label", &lab, NULL)) return v_abrupt();
  } else if (!get_labels(a, ny, labels)) {
    return v_abrupt();
  }

  double *x = NULL, *e = NULL, *ys[PLOT_MAX_GROUPS] = {NULL};
  Group *g = NULL;
  size_t ng = 1;
  Plot *p = NULL;
  Value r = v_abrupt();
  if (xname && !(x = table_numbers(a, t, "x", xname))) goto done;
  for (int k = 0; k < ny; k++)
    if (!(ys[k] = table_numbers(a, t, "y", ynames[k]))) goto done;
  if (ename && !(e = table_numbers(a, t, "yerr", ename))) goto done;
  if (by && !(g = table_groups(a, t, by, &ng))) goto done;
  if (!x) {
    x = dlt_xmalloc(t->nrows * sizeof(double));
    for (size_t i = 0; i < t->nrows; i++) x[i] = (double)(i + 1);
  }
  if ((size_t)ny * ng > PLOT_MAX_GROUPS) {
    kw_error(a, "by", "%d columns × %zu groups make too many series for one figure (at most %d)", ny, ng, PLOT_MAX_GROUPS);
    goto done;
  }
  size_t maxn = by ? 0 : t->nrows;
  for (size_t k = 0; by && k < ng; k++)
    if (g[k].n > maxn) maxn = g[k].n;
  int kind;
  if (!get_kind(a, maxn, &kind)) goto done;
  p = plot_alloc();
  size_t *all = NULL;
  if (!by) {
    all = dlt_xmalloc(t->nrows * sizeof(size_t));
    for (size_t i = 0; i < t->nrows; i++) all[i] = i;
  }
  for (size_t gi = 0; gi < ng; gi++) {
    size_t *rows = by ? g[gi].rows : all, n = by ? g[gi].n : t->nrows;
    if (kind != SER_SCATTER) { /* lines join the points in order of x */
      sort_x = x;
      qsort(rows, n, sizeof(size_t), row_cmp);
    }
    for (int k = 0; k < ny; k++) {
      Series *s = plot_add(p);
      s->kind = kind;
      s->n = n;
      s->x = dlt_xmalloc(n * sizeof(double));
      s->y = dlt_xmalloc(n * sizeof(double));
      if (e) s->err = dlt_xmalloc(n * sizeof(double));
      for (size_t i = 0; i < n; i++) {
        s->x[i] = x[rows[i]];
        s->y[i] = ys[k][rows[i]];
        if (e) s->err[i] = e[rows[i]];
      }
      StrBuf b = STRBUF_INIT;
      if (by) {
        if (ny > 1) sb_printf(&b, "%s, ", ynames[k]);
        if (lab && !*lab) sb_puts(&b, g[gi].text);
        else sb_printf(&b, "%s = %s", lab ? lab : by, g[gi].text);
      } else {
        sb_puts(&b, labels[k] ? labels[k] : ynames[k]);
        s->auto_label = !labels[k];
      }
      s->label = sb_take(&b);
    }
  }
  free(all);
  if (xname) p->xlabel = dlt_xstrdup(xname);
  if (ny == 1) p->ylabel = dlt_xstrdup(ynames[0]);
  r = plot_finish(a, p);
done:
  free(x);
  free(e);
  for (int k = 0; k < ny; k++) free(ys[k]);
  if (g) groups_free(g, ng);
  return r;
}

/* ------------------------------------------------------------------ plot(): plots */
/* plot(p, ...) restyles a copy; plot([p, q, ...], ...) puts the series of several plots together */
static Value plot_plots(Args *a) {
  const char *nokw[] = {"x", "y", "by", "yerr"};
  for (size_t i = 0; i < sizeof nokw / sizeof *nokw; i++)
    if (kw_get(a, nokw[i])) return kw_error(a, nokw[i], "%s= makes no sense for an existing plot: it is for plot(t, ...) or plot(x, y)", nokw[i]);
  if (a->n > 1) return arg_error(a, 1, "plot(p, ...) takes one plot (or a list of plots); combine plots with p + q");
  Plot *p;
  Value v = a->v[0];
  if (IS_PLOT(v)) p = plot_merge(AS_PLOT(v), NULL);
  else {
    const List *l = AS_LIST(v);
    if (l->n == 0) return arg_error(a, 0, "nothing to plot: the list of plots is empty");
    p = NULL;
    for (size_t i = 0; i < l->n; i++) {
      if (!IS_PLOT(l->items[i]) || (l->n > 1 && plot_is_heatmap(AS_PLOT(l->items[i])))) {
        if (p) val_release(v_obj(p));
        if (!IS_PLOT(l->items[i]))
          return arg_error(a, 0, "a list given to plot() must hold plots, but item %zu is a %s", i + 1, val_type_name(l->items[i]));
        return arg_error(a, 0, "item %zu is a heat map, which cannot share its axes with other series", i + 1);
      }
      Plot *q = plot_merge(p ? p : AS_PLOT(l->items[i]), p ? AS_PLOT(l->items[i]) : NULL);
      if (p) val_release(v_obj(p));
      p = q;
    }
  }
  if (kw_get(a, "kind")) {
    int kind;
    if (!kw_choice(a, "kind", kind_names, 3, "line", &kind)) return plot_fail(p);
    for (int k = 0; k < p->nseries; k++)
      if (p->s[k].kind <= SER_LINESPOINTS) p->s[k].kind = kind;
  }
  if (kw_get(a, "label")) {
    const char *labels[PLOT_MAX_GROUPS];
    if (p->nseries > PLOT_MAX_GROUPS) {
      kw_error(a, "label", "label= cannot name %d series", p->nseries);
      return plot_fail(p);
    }
    if (!get_labels(a, p->nseries, labels)) return plot_fail(p);
    for (int k = 0; k < p->nseries; k++) {
      set_str(&p->s[k].label, labels[k]);
      p->s[k].auto_label = false;
    }
  }
  return plot_finish(a, p);
}

static Value bi_plot(Args *a) {
  if (a->n > 0 && IS_TABLE(a->v[0])) return plot_table(a);
  if (a->n > 0 && (IS_PLOT(a->v[0]) || (IS_LIST(a->v[0]) && AS_LIST(a->v[0])->n > 0 && IS_PLOT(AS_LIST(a->v[0])->items[0]))))
    return plot_plots(a);
  return plot_vectors(a);
}

/* ------------------------------------------------------------------ hist, heatmap, save */
static Value bi_hist(Args *a) {
  bool density;
  if (!kw_bool(a, "density", false, &density)) return v_abrupt();
  /* the bins are histogram()'s: the same bins=, range= and errors */
  const Builtin *h = builtin_find("histogram");
  Value rec = h->fn(a);
  if (IS_ABRUPT(rec)) return rec;
  Value *edges = record_find(AS_RECORD(rec), "edges"), *hv = record_find(AS_RECORD(rec), density ? "density" : "counts");
  Mat *E = AS_MAT(*edges), *H = AS_MAT(*hv);
  Plot *p = plot_alloc();
  Series *s = plot_add(p);
  s->kind = SER_BARS;
  s->n = mat_numel(H);
  s->x = dup_doubles(E->data, mat_numel(E));
  s->y = dup_doubles(H->data, mat_numel(H));
  val_release(rec);
  const char *lab;
  bool present;
  if (!kw_str(a, "label", &lab, &present)) return plot_fail(p);
  if (present) s->label = dlt_xstrdup(lab);
  p->ylabel = dlt_xstrdup(density ? "density" : "count");
  return plot_finish(a, p);
}

static Value bi_heatmap(Args *a) {
  Value m;
  if (!as_matrix(a, a->v[0], arg_span(a, 0), "the argument", &m)) return v_abrupt();
  Mat *M = AS_MAT(m);
  if (mat_numel(M) == 0) {
    val_release(m);
    return arg_error(a, 0, "nothing to draw: the matrix is empty");
  }
  Plot *p = plot_alloc();
  Series *s = plot_add(p);
  s->kind = SER_HEATMAP;
  s->n = mat_rows(M);
  s->cols = mat_cols(M);
  s->z = dlt_xmalloc(s->n * s->cols * sizeof(double));
  for (size_t i = 0; i < s->n; i++)
    for (size_t j = 0; j < s->cols; j++) s->z[i * s->cols + j] = *mat_at(M, i, j);
  val_release(m);
  /* range= fixes the colour scale (to compare several matrices); stored as the series' x */
  double range[2];
  bool present;
  if (!kw_pair(a, "range", range, &present, true)) return plot_fail(p);
  if (present) s->x = dup_doubles(range, 2);
  const char *lab;
  if (!kw_str(a, "label", &lab, &present)) return plot_fail(p);
  if (present) s->label = dlt_xstrdup(lab);
  return plot_finish(a, p);
}

/* save(p, "fig.png"); save("fig.png", p) works too, as write_csv(path, data) reads */
static Value bi_save(Args *a) {
  int ip = IS_PLOT(a->v[0]) ? 0 : 1, is = 1 - ip;
  if (!IS_PLOT(a->v[ip])) return arg_error(a, 0, "save(p, path) needs a plot and a path, got a %s and a %s", val_type_name(a->v[0]), val_type_name(a->v[1]));
  if (!IS_STR(a->v[is])) return arg_error(a, is, "the path must be a string, got a %s", val_type_name(a->v[is]));
  if (!plot_write(a, AS_PLOT(a->v[ip]), AS_STR(a->v[is])->s, arg_span(a, is))) return v_abrupt();
  return v_nil();
}

#define PLOT_OPTS "title xlabel ylabel scale xlim ylim grid size file"

static const Builtin plot_builtins[] = {
  {"plot", bi_plot, 0, 2, "x y by kind yerr label " PLOT_OPTS,
   "plot(x, y) / plot(t, x=\"col\", y=\"col\", by=, yerr=) / plot(p, ...)",
   "a plot of vectors, of table columns (one series per group of by=), or a restyled plot; kind= \"line\", \"scatter\", "
   "\"linespoints\"; scale= \"linear\", \"loglog\", \"semilogx\", \"semilogy\"; yerr= error bars; label=, title=, xlabel=, "
   "ylabel=, xlim=, ylim=, grid=, size=[w, h]; file= writes PNG/SVG/PDF",
   NULL},
  {"hist", bi_hist, 1, 2, "range density label " PLOT_OPTS, "hist(x, bins=10, range=, density=false)",
   "a histogram plot of x (bins= a count or the edges, as histogram()); density=true scales the bars to unit area", NULL},
  {"heatmap", bi_heatmap, 1, 1, "range label title xlabel ylabel size file", "heatmap(M, range=, label=)",
   "a matrix (a Gram matrix, say) drawn as an image, row 1 at the top, with a colour bar; range=[lo, hi] fixes the colours", NULL},
  {"save", bi_save, 2, 2, NULL, "save(p, path)", "write a plot to a .png, .svg or .pdf file (the format from the extension)", NULL},
  {NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

const Module dlt_module_plot = {"plot", plot_builtins};
