/* lib/plot_render.c - drawing a plot into a PNG, SVG or PDF file with PLplot's cairo drivers.
 *
 * Why PLplot: it is a C library linked into dlt, so a figure is drawn in-process (no gnuplot
 * process to find, start, feed and wait for), its cairo drivers give anti-aliased PNG and vector
 * SVG/PDF with real fonts, and errors come back to us as calls we can catch.
 *
 * PLplot keeps global state and, on a fatal error, calls exit(). So each figure gets a stream of
 * its own (plmkstrm ... plend1, then the caller's stream back), errors go to handlers installed
 * for the duration (plsexit longjmps out instead of letting PLplot exit; plsabort and plsError
 * keep the messages off stderr), and the caller checks every input first (plot_limits, the file
 * can be opened) so that the handlers are a safety net, not the usual path.
 *
 * Layout is computed in millimetres from the character height, which is a fixed fraction of the
 * figure's height: margins fit the tick labels we format ourselves (plot_tick_label, the same the
 * terminal drawing uses), so nothing is clipped whatever the numbers are.
 */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../dynlib.h"
#include "../strbuf.h"
#include "../utf8.h"
#include "../value.h"
#include "plot.h"

#ifdef DLT_PLPLOT_SONAME
#include <plplot.h>

/* ------------------------------------------------------------------ PLplot, opened on first use
 * PLplot is not linked into dlt (dynlib.h: it and the ten libraries it needs cost every start-up
 * about 1 ms). plot_render_file opens it; every PLplot function used here is listed below and
 * called through a pointer with the header's own prototype. Calling one not listed fails to link. */
#define PL_FUNCS(X) \
  X(pladv, c_pladv) \
  X(plbox, c_plbox) \
  X(plcol0, c_plcol0) \
  X(plcolorbar, c_plcolorbar) \
  X(plend1, c_plend1) \
  X(plerry, c_plerry) \
  X(plfill, c_plfill) \
  X(plgDevs, plgDevs) \
  X(plgspa, c_plgspa) \
  X(plgstrm, c_plgstrm) \
  X(plimagefr, c_plimagefr) \
  X(plinit, c_plinit) \
  X(pllegend, c_pllegend) \
  X(plline, c_plline) \
  X(plmkstrm, c_plmkstrm) \
  X(plmtex, c_plmtex) \
  X(plsError, plsError) \
  X(plsabort, plsabort) \
  X(plschr, c_plschr) \
  X(plscmap0n, c_plscmap0n) \
  X(plscmap1l, c_plscmap1l) \
  X(plscmap1n, c_plscmap1n) \
  X(plscol0, c_plscol0) \
  X(plscol0a, c_plscol0a) \
  X(plsdev, c_plsdev) \
  X(plsexit, plsexit) \
  X(plsfnam, c_plsfnam) \
  X(plsmaj, c_plsmaj) \
  X(plsmin, c_plsmin) \
  X(plspage, c_plspage) \
  X(plsstrm, c_plsstrm) \
  X(plstring, c_plstring) \
  X(plsvpa, c_plsvpa) \
  X(plwidth, c_plwidth) \
  X(plwind, c_plwind)
enum {
#define X(name, sym) PL_##name,
  PL_FUNCS(X)
#undef X
  PL__COUNT
};
static const char *const pl_names[] = {
#define X(name, sym) #sym,
    PL_FUNCS(X)
#undef X
};
static void *pl_fn[PL__COUNT];
static DynLib pl_lib = {"PLplot", DLT_PLPLOT_SONAME, "libplplot17 and plplot-driver-cairo", true, pl_names, pl_fn,
                        PL__COUNT, 0, ""};
#undef pladv
#define pladv ((__typeof__(c_pladv) *)pl_fn[PL_pladv])
#undef plbox
#define plbox ((__typeof__(c_plbox) *)pl_fn[PL_plbox])
#undef plcol0
#define plcol0 ((__typeof__(c_plcol0) *)pl_fn[PL_plcol0])
#undef plcolorbar
#define plcolorbar ((__typeof__(c_plcolorbar) *)pl_fn[PL_plcolorbar])
#undef plend1
#define plend1 ((__typeof__(c_plend1) *)pl_fn[PL_plend1])
#undef plerry
#define plerry ((__typeof__(c_plerry) *)pl_fn[PL_plerry])
#undef plfill
#define plfill ((__typeof__(c_plfill) *)pl_fn[PL_plfill])
#define plgDevs ((__typeof__(plgDevs) *)pl_fn[PL_plgDevs])
#undef plgspa
#define plgspa ((__typeof__(c_plgspa) *)pl_fn[PL_plgspa])
#undef plgstrm
#define plgstrm ((__typeof__(c_plgstrm) *)pl_fn[PL_plgstrm])
#undef plimagefr
#define plimagefr ((__typeof__(c_plimagefr) *)pl_fn[PL_plimagefr])
#undef plinit
#define plinit ((__typeof__(c_plinit) *)pl_fn[PL_plinit])
#undef pllegend
#define pllegend ((__typeof__(c_pllegend) *)pl_fn[PL_pllegend])
#undef plline
#define plline ((__typeof__(c_plline) *)pl_fn[PL_plline])
#undef plmkstrm
#define plmkstrm ((__typeof__(c_plmkstrm) *)pl_fn[PL_plmkstrm])
#undef plmtex
#define plmtex ((__typeof__(c_plmtex) *)pl_fn[PL_plmtex])
#define plsError ((__typeof__(plsError) *)pl_fn[PL_plsError])
#define plsabort ((__typeof__(plsabort) *)pl_fn[PL_plsabort])
#undef plschr
#define plschr ((__typeof__(c_plschr) *)pl_fn[PL_plschr])
#undef plscmap0n
#define plscmap0n ((__typeof__(c_plscmap0n) *)pl_fn[PL_plscmap0n])
#undef plscmap1l
#define plscmap1l ((__typeof__(c_plscmap1l) *)pl_fn[PL_plscmap1l])
#undef plscmap1n
#define plscmap1n ((__typeof__(c_plscmap1n) *)pl_fn[PL_plscmap1n])
#undef plscol0
#define plscol0 ((__typeof__(c_plscol0) *)pl_fn[PL_plscol0])
#undef plscol0a
#define plscol0a ((__typeof__(c_plscol0a) *)pl_fn[PL_plscol0a])
#undef plsdev
#define plsdev ((__typeof__(c_plsdev) *)pl_fn[PL_plsdev])
#define plsexit ((__typeof__(plsexit) *)pl_fn[PL_plsexit])
#undef plsfnam
#define plsfnam ((__typeof__(c_plsfnam) *)pl_fn[PL_plsfnam])
#undef plsmaj
#define plsmaj ((__typeof__(c_plsmaj) *)pl_fn[PL_plsmaj])
#undef plsmin
#define plsmin ((__typeof__(c_plsmin) *)pl_fn[PL_plsmin])
#undef plspage
#define plspage ((__typeof__(c_plspage) *)pl_fn[PL_plspage])
#undef plsstrm
#define plsstrm ((__typeof__(c_plsstrm) *)pl_fn[PL_plsstrm])
#undef plstring
#define plstring ((__typeof__(c_plstring) *)pl_fn[PL_plstring])
#undef plsvpa
#define plsvpa ((__typeof__(c_plsvpa) *)pl_fn[PL_plsvpa])
#undef plwidth
#define plwidth ((__typeof__(c_plwidth) *)pl_fn[PL_plwidth])
#undef plwind
#define plwind ((__typeof__(c_plwind) *)pl_fn[PL_plwind])

/* ------------------------------------------------------------------ colours */
enum {
  C_WHITE = 0,
  C_BLACK = 1,
  C_SERIES = 2, /* 2 .. 2 + NPAL - 1 */
  NPAL = 10,
  C_GRID = C_SERIES + NPAL,
  C_FILL = C_GRID + 1, /* translucent fills for bars, one per palette colour */
  NCOL0 = C_FILL + NPAL
};

/* Matplotlib's "tab10": distinct, readable on white, and familiar from papers */
static const unsigned char palette[NPAL][3] = {
  {31, 119, 180}, {255, 127, 14}, {44, 160, 44},  {214, 39, 40},  {148, 103, 189},
  {140, 86, 75},  {227, 119, 194}, {127, 127, 127}, {188, 189, 34}, {23, 190, 207},
};

/* filled marker glyphs (DejaVu Sans has them all), cycled per series */
static const char *const markers[] = {"●", "■", "▲", "◆", "▼", "⬟"};
enum { NMARK = sizeof markers / sizeof *markers };

/* viridis at five stops: perceptually uniform, readable in grey */
static void set_viridis(void) {
  PLFLT pos[5] = {0, 0.25, 0.5, 0.75, 1};
  PLFLT r[5] = {68 / 255., 59 / 255., 33 / 255., 94 / 255., 253 / 255.};
  PLFLT g[5] = {1 / 255., 82 / 255., 145 / 255., 201 / 255., 231 / 255.};
  PLFLT b[5] = {84 / 255., 139 / 255., 140 / 255., 98 / 255., 37 / 255.};
  plscmap1n(256);
  plscmap1l(1, 5, pos, r, g, b, NULL);
}

static void set_colours(void) {
  plscmap0n(NCOL0);
  plscol0(C_WHITE, 255, 255, 255);
  plscol0(C_BLACK, 0, 0, 0);
  for (int i = 0; i < NPAL; i++) {
    plscol0(C_SERIES + i, palette[i][0], palette[i][1], palette[i][2]);
    plscol0a(C_FILL + i, palette[i][0], palette[i][1], palette[i][2], 0.55);
  }
  plscol0(C_GRID, 222, 222, 222);
}

/* ------------------------------------------------------------------ text */
/* PLplot reads '#' as the start of an escape sequence: a literal one is "##". Bytes that are not
 * UTF-8 become U+FFFD: PLplot stops drawing a malformed string half-way through (plabort), and its
 * cairo drivers then lose the text buffer they began for it. */
static char *pl_text(const char *s) {
  StrBuf b = STRBUF_INIT;
  for (const unsigned char *p = (const unsigned char *)s; *p;) {
    int n = utf8_char_len(p, 4); /* bytes are read in order and a NUL stops the read */
    if (n == 0) {
      sb_puts(&b, "\xEF\xBF\xBD");
      p++;
      continue;
    }
    if (*p == '#') sb_putc(&b, '#');
    sb_putn(&b, (const char *)p, (size_t)n);
    p += n;
  }
  return sb_take(&b);
}

/* Width of a tick label in character heights (measured on DejaVu Sans as the cairo driver draws
 * it, rounded up: a digit is about 0.75, superscripts three quarters of that; PLplot's escapes are invisible). */
static double text_width_ch(const char *s) {
  double w = 0;
  bool sup = false;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '#' && p[1]) {
      if (p[1] == 'u') sup = true;
      if (p[1] == 'd') sup = false;
      p++;
      continue;
    }
    if ((*p & 0xC0) == 0x80) continue; /* continuation byte */
    double c = *p == '.' ? 0.4 : *p == '-' ? 0.5 : *p >= 0x80 ? 1.0 : 0.8; /* U+2212 minus is wide */
    w += sup ? 0.75 * c : c;
  }
  return w;
}

/* ------------------------------------------------------------------ the figure */
typedef struct Fig {
  const Plot *p;
  bool lx, ly;
  double lim[4];   /* axis-space window */
  double ch;       /* character height in mm */
  double unit;     /* line widths: 1 is a thin line, 2 pixels on the default PNG, 1 pt on a PDF */
  double vp[4];    /* viewport in mm: left, right, bottom, top */
  int nxt, nyt;    /* ticks */
  double xt[16], yt[16], xstep, ystep;
  char xl[16][48], yl[16][48];
} Fig;

/* Row or column numbers 1..n: every one, or the multiples of 2, 5, 10, 20, ... (at most max). */
static int int_ticks(size_t n, int max, double *ticks, double *step) {
  double st = 1;
  for (int k = 0; (double)n / st > max; k++) st = (k % 3 == 0 ? 2 : k % 3 == 1 ? 2.5 : 2) * st;
  int m = 0;
  for (double t = st; t <= (double)n && m < max; t += st) ticks[m++] = t;
  if (st == 1) {
    m = 0;
    for (size_t t = 1; t <= n && m < max; t++) ticks[m++] = (double)t;
  }
  *step = st;
  return m;
}

/* Ticks and their labels for both axes (heat maps: row and column numbers). */
static void fig_ticks(Fig *f, double width_mm, double height_mm) {
  const Plot *p = f->p;
  int maxx = width_mm / (f->ch * 5.5) > 10 ? 10 : (int)(width_mm / (f->ch * 5.5));
  int maxy = height_mm / (f->ch * 2.6) > 9 ? 9 : (int)(height_mm / (f->ch * 2.6));
  if (maxx < 3) maxx = 3;
  if (maxy < 3) maxy = 3;
  if (plot_is_heatmap(p)) {
    f->nxt = int_ticks(p->s[0].cols, maxx, f->xt, &f->xstep);
    f->nyt = int_ticks(p->s[0].n, maxy, f->yt, &f->ystep);
    for (int i = 0; i < f->nxt; i++) snprintf(f->xl[i], sizeof f->xl[i], "%.0f", f->xt[i]);
    for (int i = 0; i < f->nyt; i++) snprintf(f->yl[i], sizeof f->yl[i], "%.0f", f->yt[i]);
    return;
  }
  f->nxt = plot_ticks(f->lim[0], f->lim[1], f->lx, maxx, f->xt, &f->xstep);
  f->nyt = plot_ticks(f->lim[2], f->lim[3], f->ly, maxy, f->yt, &f->ystep);
  for (int i = 0; i < f->nxt; i++) plot_tick_label(f->xt[i], f->xstep, plot_ticks_amax(f->xt, f->nxt), f->lx, PLOT_TEXT_PLPLOT, f->xl[i], sizeof f->xl[i]);
  for (int i = 0; i < f->nyt; i++) plot_tick_label(f->yt[i], f->ystep, plot_ticks_amax(f->yt, f->nyt), f->ly, PLOT_TEXT_PLPLOT, f->yl[i], sizeof f->yl[i]);
}

/* The legend's entries: the labelled series (default labels only when there are several; an empty
 * label="" leaves a series out, such as a reference curve that needs no name). */
static int legend_entries(const Plot *p, int *which) {
  int n = 0;
  for (int k = 0; k < p->nseries; k++)
    if (p->s[k].label && *p->s[k].label && p->s[k].kind != SER_HEATMAP && (!p->s[k].auto_label || p->nseries > 1)) which[n++] = k;
  return n;
}

/* Normalised viewport coordinates of a point (axis space). */
static void to_unit(const Fig *f, double x, double y, double *u, double *v) {
  *u = (x - f->lim[0]) / (f->lim[1] - f->lim[0]);
  *v = (y - f->lim[2]) / (f->lim[3] - f->lim[2]);
}

/* The inside corner where a legend of w × h (viewport units) covers the fewest data: lines are
 * sampled between their points, so a legend does not sit on a curve either. */
static PLINT legend_corner(const Fig *f, double w, double h) {
  static const PLINT corners[4] = {PL_POSITION_TOP | PL_POSITION_RIGHT, PL_POSITION_TOP | PL_POSITION_LEFT,
                                   PL_POSITION_BOTTOM | PL_POSITION_RIGHT, PL_POSITION_BOTTOM | PL_POSITION_LEFT};
  double cost[4] = {0, 0, 0, 0};
  const Plot *p = f->p;
  for (int k = 0; k < p->nseries; k++) {
    const Series *s = &p->s[k];
    double pu = NAN, pv = NAN;
    for (size_t i = 0; i < s->n; i++) {
      double u, v;
      if (s->kind == SER_BARS) to_unit(f, plot_ax((s->x[i] + s->x[i + 1]) / 2, f->lx), plot_ax(s->y[i], f->ly), &u, &v);
      else to_unit(f, plot_ax(s->x[i], f->lx), plot_ax(s->y[i], f->ly), &u, &v);
      if (isnan(u) || isnan(v)) {
        pu = NAN;
        continue;
      }
      if (s->err && isfinite(s->err[i])) { /* an error bar is data too */
        double e = fabs(s->err[i]), ul, vl, uh, vh;
        to_unit(f, plot_ax(s->x[i], f->lx), plot_ax(s->y[i] - e, f->ly), &ul, &vl);
        to_unit(f, plot_ax(s->x[i], f->lx), plot_ax(s->y[i] + e, f->ly), &uh, &vh);
        if (isnan(vl)) vl = 0;
        for (int j = 0; j <= 8 && !isnan(vh); j++) {
          double sv = vl + j * (vh - vl) / 8;
          bool top = sv > 1 - h - 0.05, bottom = sv < h + 0.05, right = u > 1 - w - 0.05, left = u < w + 0.05;
          cost[0] += top && right;
          cost[1] += top && left;
          cost[2] += bottom && right;
          cost[3] += bottom && left;
        }
      }
      int steps = (s->kind == SER_LINE || s->kind == SER_LINESPOINTS) && !isnan(pu) ? 12 : 1;
      for (int j = 1; j <= steps; j++) {
        double t = (double)j / steps, su = isnan(pu) ? u : pu + t * (u - pu), sv = isnan(pv) ? v : pv + t * (v - pv);
        if (s->kind == SER_BARS) {
          /* a bar covers everything below its top */
          if (su > 1 - w - 0.05 && sv > 1 - h - 0.05) cost[0] += 3, cost[2] += 3;
          if (su < w + 0.05 && sv > 1 - h - 0.05) cost[1] += 3, cost[3] += 3;
          if (su > 1 - w - 0.05) cost[2] += 3;
          if (su < w + 0.05) cost[3] += 3;
          continue;
        }
        bool top = sv > 1 - h - 0.05, bottom = sv < h + 0.05, right = su > 1 - w - 0.05, left = su < w + 0.05;
        cost[0] += top && right;
        cost[1] += top && left;
        cost[2] += bottom && right;
        cost[3] += bottom && left;
      }
      pu = u, pv = v;
    }
  }
  int best = 0;
  for (int i = 1; i < 4; i++)
    if (cost[i] < cost[best]) best = i;
  return corners[best];
}

static void draw_legend(Fig *f) {
  const Plot *p = f->p;
  int which[64];
  int n = legend_entries(p, which);
  if (n == 0) return;
  PLINT opt[64], tcol[64], bcol[64], bpat[64], lcol[64], lsty[64], scol[64], snum[64];
  PLFLT bscale[64], bwid[64], lwid[64], sscale[64];
  char *text[64];
  const char *sym[64];
  double maxw = 0;
  for (int i = 0; i < n; i++) {
    const Series *s = &p->s[which[i]];
    int c = which[i] % NPAL;
    text[i] = pl_text(s->label);
    double w = text_width_ch(text[i]);
    if (w > maxw) maxw = w;
    opt[i] = s->kind == SER_BARS ? PL_LEGEND_COLOR_BOX
             : s->kind == SER_SCATTER ? PL_LEGEND_SYMBOL
             : s->kind == SER_LINE ? PL_LEGEND_LINE
                                   : PL_LEGEND_LINE | PL_LEGEND_SYMBOL;
    tcol[i] = C_BLACK;
    bcol[i] = C_FILL + c;
    bpat[i] = 0;
    bscale[i] = 0.9;
    bwid[i] = 0.5 * f->unit;
    lcol[i] = C_SERIES + c;
    lsty[i] = 1;
    lwid[i] = 1.2 * f->unit;
    scol[i] = C_SERIES + c;
    sscale[i] = 0.8;
    snum[i] = 1;
    sym[i] = markers[which[i] % NMARK];
  }
  double vw = f->vp[1] - f->vp[0], vh = f->vp[3] - f->vp[2];
  double w = (maxw + 5.5) * f->ch / vw, h = (n * 1.7 + 0.6) * f->ch / vh;
  PLINT pos = PL_POSITION_INSIDE | PL_POSITION_VIEWPORT | legend_corner(f, w, h);
  PLFLT lw, lh;
  pllegend(&lw, &lh, PL_LEGEND_BACKGROUND | PL_LEGEND_BOUNDING_BOX, pos, 0.025, 0.03, 0.08, C_WHITE, C_GRID, 1, 0, 0, n,
           opt, 1.0, 1.0, 1.7, 0.0, tcol, (const char *const *)text, bcol, bpat, bscale, bwid, lcol, lsty, lwid, scol,
           sscale, snum, sym);
  for (int i = 0; i < n; i++) free(text[i]);
}

/* x and y of a series in axis space, with NaN where a point cannot be drawn. */
static void series_points(const Fig *f, const Series *s, double *x, double *y) {
  for (size_t i = 0; i < s->n; i++) {
    x[i] = plot_ax(s->x[i], f->lx);
    y[i] = plot_ax(s->y[i], f->ly);
    if (isnan(x[i]) || isnan(y[i])) x[i] = y[i] = NAN;
  }
}

/* plline over each run of drawable points (a skipped point breaks the line). */
static void draw_runs(size_t n, const double *x, const double *y) {
  size_t i = 0;
  while (i < n) {
    while (i < n && isnan(x[i])) i++;
    size_t j = i;
    while (j < n && !isnan(x[j])) j++;
    if (j - i >= 2) plline((PLINT)(j - i), x + i, y + i);
    i = j;
  }
}

static void draw_series(Fig *f, int k) {
  const Series *s = &f->p->s[k];
  int c = k % NPAL;
  size_t n = s->n;
  if (s->kind == SER_BARS) {
    double base = f->ly ? f->lim[2] : 0;
    for (size_t i = 0; i < n; i++) {
      double x0 = plot_ax(s->x[i], f->lx), x1 = plot_ax(s->x[i + 1], f->lx), y = plot_ax(s->y[i], f->ly);
      if (isnan(x0) || isnan(x1) || isnan(y)) continue;
      PLFLT bx[4] = {x0, x0, x1, x1}, by[4] = {base, y, y, base};
      plcol0(C_FILL + c);
      plfill(4, bx, by);
      plcol0(C_SERIES + c);
      plwidth(0.5 * f->unit);
      plline(4, bx, by);
    }
    return;
  }
  double *x = malloc((n ? n : 1) * sizeof(double)), *y = malloc((n ? n : 1) * sizeof(double));
  if (!x || !y) {
    free(x);
    free(y);
    return;
  }
  series_points(f, s, x, y);
  plcol0(C_SERIES + c);
  if (s->err) {
    double *lo = malloc(n * sizeof(double)), *hi = malloc(n * sizeof(double)), *ex = malloc(n * sizeof(double));
    size_t m = 0;
    if (lo && hi && ex) {
      for (size_t i = 0; i < n; i++) {
        double e = fabs(s->err[i]);
        if (isnan(x[i]) || !isfinite(e)) continue;
        double a = plot_ax(s->y[i] - e, f->ly), b = plot_ax(s->y[i] + e, f->ly);
        ex[m] = x[i];
        lo[m] = isnan(a) ? f->lim[2] : a; /* below zero on a log axis: down to the frame */
        hi[m] = b;
        m++;
      }
      plwidth(0.8 * f->unit);
      if (m) plerry((PLINT)m, ex, lo, hi);
    }
    free(lo);
    free(hi);
    free(ex);
  }
  if (s->kind != SER_SCATTER) {
    plwidth(1.2 * f->unit);
    draw_runs(n, x, y);
  }
  if (s->kind != SER_LINE) {
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
      if (!isnan(x[i])) x[m] = x[i], y[m] = y[i], m++;
    plschr(0, 0.8);
    if (m) plstring((PLINT)m, x, y, markers[k % NMARK]);
    plschr(0, 1.0);
  }
  plwidth(0.6 * f->unit);
  free(x);
  free(y);
}

/* plimagefr's cells: the one of entry (i, j), 0-based, spans [i + 0.5, i + 1.5] (without a
 * transform PLplot puts the entries at the corners, one cell fewer each way). */
static void cell_corner(PLFLT i, PLFLT j, PLFLT *x, PLFLT *y, PLPointer data) {
  (void)data;
  *x = i + 0.5;
  *y = j + 0.5;
}

static void draw_heatmap(Fig *f) {
  const Series *s = &f->p->s[0];
  size_t rows = s->n, cols = s->cols;
  double zmin = INFINITY, zmax = -INFINITY;
  if (s->x) zmin = s->x[0], zmax = s->x[1];
  else
    for (size_t i = 0; i < rows * cols; i++)
      if (isfinite(s->z[i])) {
        if (s->z[i] < zmin) zmin = s->z[i];
        if (s->z[i] > zmax) zmax = s->z[i];
      }
  if (zmin == zmax) zmin -= 0.5, zmax += 0.5;
  /* PLplot's image is indexed [x][y]; the window's y axis runs downwards, so row 1 is on top */
  PLFLT **img = malloc(cols * sizeof(PLFLT *));
  PLFLT *store = malloc(rows * cols * sizeof(PLFLT));
  if (!img || !store) {
    free(img);
    free(store);
    return;
  }
  double below = zmin - (zmax - zmin); /* outside [zmin, zmax] is not drawn: nan stays white */
  for (size_t j = 0; j < cols; j++) {
    img[j] = store + j * rows;
    for (size_t i = 0; i < rows; i++) {
      double z = s->z[i * cols + j];
      img[j][i] = !isfinite(z) ? below : z < zmin ? zmin : z > zmax ? zmax : z; /* range= clamps */
    }
  }
  plimagefr((PLFLT_MATRIX)img, (PLINT)cols, (PLINT)rows, 0.5, cols + 0.5, 0.5, rows + 0.5, zmin, zmax, zmin, zmax,
            cell_corner, NULL);
  free(img);
  free(store);

  /* the colour bar, right of the image, as tall as it */
  PLINT opt = PL_COLORBAR_IMAGE | (s->label ? PL_COLORBAR_LABEL_RIGHT : 0);
  PLINT label_opts[1] = {PL_COLORBAR_LABEL_RIGHT};
  char *label = pl_text(s->label ? s->label : "");
  const char *labels[1] = {label};
  const char *axis_opts[1] = {"bcvtm"};
  PLFLT ticks[1] = {0}, values_row[2] = {zmin, zmax};
  PLINT sub_ticks[1] = {0}, n_values[1] = {2};
  const PLFLT *values[1] = {values_row};
  PLFLT cw, chh;
  plcol0(C_BLACK);
  plcolorbar(&cw, &chh, opt, PL_POSITION_RIGHT | PL_POSITION_OUTSIDE | PL_POSITION_VIEWPORT, 0.04, 0, 0.045, 1.0, C_WHITE,
             C_BLACK, 1, 0, 0, 0, 0, s->label ? 1 : 0, label_opts, (const char *const *)labels, 1,
             (const char *const *)axis_opts, ticks, sub_ticks, n_values, (const PLFLT *const *)values);
  free(label);
}

static void draw_figure(const Plot *p, double page_w) {
  Fig fig, *f = &fig;
  memset(f, 0, sizeof *f);
  f->p = p;
  f->lx = plot_logx(p);
  f->ly = plot_logy(p);
  size_t skipped;
  plot_limits(p, f->lim, &skipped);
  bool heat = plot_is_heatmap(p);

  pladv(0);
  PLFLT sx0, sx1, sy0, sy1; /* the page in mm */
  plgspa(&sx0, &sx1, &sy0, &sy1);
  double W = sx1 - sx0, H = sy1 - sy0;
  f->ch = H / 32.0; /* text height: a fixed fraction of the figure, as in a paper's figure */
  f->unit = page_w / 480.0;
  plschr(f->ch, 1.0);
  plsmaj(f->ch * 0.45, 1.0);
  plsmin(f->ch * 0.25, 1.0);

  fig_ticks(f, W * 0.8, H * 0.75);
  double ylw = 0;
  for (int i = 0; i < f->nyt; i++)
    if (text_width_ch(f->yl[i]) > ylw) ylw = text_width_ch(f->yl[i]);
  /* margins in character heights: tick labels, then the axis label */
  double left = 0.9 + ylw + (p->ylabel ? 2.3 : 0) + 0.5;
  double bottom = 2.0 + (p->xlabel ? 1.9 : 0) + 0.5;
  double top = (p->title ? 2.6 : 1.2) + (heat ? 0.5 : 0); /* a heat map's ticks point outwards */
  double right = heat ? 9.0 : 1.6;
  if (heat) { /* room for the colour bar's numbers and label */
    right = 2.2 + 4.5 + (p->s[0].label ? 2.0 : 0);
  }
  /* the first and last x labels stick out half their width */
  if (f->nxt > 0) {
    left = fmax(left, text_width_ch(f->xl[0]) / 2 + 0.4);
    if (!heat) right = fmax(right, text_width_ch(f->xl[f->nxt - 1]) / 2 + 0.4);
  }
  f->vp[0] = sx0 + left * f->ch;
  f->vp[1] = sx1 - right * f->ch;
  f->vp[2] = sy0 + bottom * f->ch;
  f->vp[3] = sy1 - top * f->ch;
  if (heat) { /* square cells where the page allows */
    double cols = p->s[0].cols, rows = p->s[0].n;
    double vw = f->vp[1] - f->vp[0], vh = f->vp[3] - f->vp[2];
    double cell = fmin(vw / cols, vh / rows);
    double dw = vw - cell * cols, dh = vh - cell * rows;
    f->vp[0] += dw / 2, f->vp[1] -= dw / 2;
    f->vp[2] += dh / 2, f->vp[3] -= dh / 2;
  }
  plsvpa(f->vp[0] - sx0, f->vp[1] - sx0, f->vp[2] - sy0, f->vp[3] - sy0);
  if (heat) plwind(f->lim[0], f->lim[1], f->lim[3], f->lim[2]); /* row 1 at the top */
  else plwind(f->lim[0], f->lim[1], f->lim[2], f->lim[3]);

  char xopt[16], yopt[16];
  if (heat) {
    draw_heatmap(f);
    plcol0(C_BLACK);
    plwidth(0.6 * f->unit);
    plbox("bcit", f->xstep, 1, "bcit", f->ystep, 1); /* outward ticks at the labelled rows and columns */
  } else {
    if (p->grid == 1) {
      plcol0(C_GRID);
      snprintf(xopt, sizeof xopt, "g%s", f->lx ? "l" : "");
      snprintf(yopt, sizeof yopt, "g%s", f->ly ? "l" : "");
      plbox(xopt, f->xstep, 0, yopt, f->ystep, 0);
    }
    for (int k = 0; k < p->nseries; k++)
      if (p->s[k].kind == SER_BARS) draw_series(f, k);
    for (int k = 0; k < p->nseries; k++)
      if (p->s[k].kind != SER_BARS) draw_series(f, k);
    plcol0(C_BLACK);
    plwidth(0.6 * f->unit);
    snprintf(xopt, sizeof xopt, "bcst%s", f->lx ? "l" : "");
    snprintf(yopt, sizeof yopt, "bcst%s", f->ly ? "l" : "");
    plbox(xopt, f->xstep, 0, yopt, f->ystep, 0);
  }

  /* tick labels, placed by us: the same numbers the terminal shows */
  plcol0(C_BLACK);
  for (int i = 0; i < f->nxt; i++) {
    double u = (f->xt[i] - f->lim[0]) / (f->lim[1] - f->lim[0]);
    plmtex("b", heat ? 1.5 : 1.45, u, 0.5, f->xl[i]);
  }
  for (int i = 0; i < f->nyt; i++) {
    double v = (f->yt[i] - f->lim[2]) / (f->lim[3] - f->lim[2]);
    if (heat) v = 1 - v;
    plmtex("lv", 0.6, v, 1.0, f->yl[i]);
  }
  if (p->xlabel) {
    char *t = pl_text(p->xlabel);
    plmtex("b", 3.3, 0.5, 0.5, t);
    free(t);
  }
  if (p->ylabel) {
    char *t = pl_text(p->ylabel);
    plmtex("l", 0.6 + ylw + 1.5, 0.5, 0.5, t);
    free(t);
  }
  if (p->title) {
    char *t = pl_text(p->title);
    plschr(0, 1.15);
    plmtex("t", 1.0, 0.5, 0.5, t);
    plschr(0, 1.0);
    free(t);
  }
  if (!heat) draw_legend(f);
}

/* ------------------------------------------------------------------ errors and streams */
static jmp_buf render_jmp;
static char render_msg[512];
static char pl_errmsg[1024]; /* plsError's buffer */

static int on_plexit(PLCHAR_VECTOR msg) {
  if (!render_msg[0]) snprintf(render_msg, sizeof render_msg, "%s", msg && *msg ? msg : "PLplot failed");
  longjmp(render_jmp, 1);
  return 0;
}

static void on_plabort(PLCHAR_VECTOR msg) {
  if (!render_msg[0]) snprintf(render_msg, sizeof render_msg, "%s", msg && *msg ? msg : "PLplot failed");
}

/* Whether PLplot has the device: given one it does not know, plinit would list its devices on
 * stdout and ask for one on stdin. */
static bool have_device(const char *name) {
  enum { MAXDEV = 64 };
  const char *menu[MAXDEV], *names[MAXDEV];
  const char **pm = menu, **pn = names;
  int n = MAXDEV;
  plgDevs(&pm, &pn, &n);
  for (int i = 0; i < n && i < MAXDEV; i++)
    if (names[i] && strcmp(names[i], name) == 0) return true;
  return false;
}

bool plot_render_file(const Plot *p, const char *path, int format, char *buf, size_t bufsize) {
  static const char *const devices[] = {"pngcairo", "svgcairo", "pdfcairo"};
  if (!dynlib_load(&pl_lib)) {
    snprintf(buf, bufsize, "%s", pl_lib.err);
    return false;
  }

  /* PNG in pixels (150 dpi); SVG and PDF in points: the same figure, 6.4 × 4.8 inches */
  int wpx = p->width ? p->width : 960, hpx = p->height ? p->height : 720;
  int w = format == PLOT_PNG ? wpx : (int)lround(wpx * 72.0 / 150), h = format == PLOT_PNG ? hpx : (int)lround(hpx * 72.0 / 150);
  render_msg[0] = pl_errmsg[0] = 0;
  static PLINT errcode;
  errcode = 0;
  PLINT old;
  plgstrm(&old);
  volatile PLINT strm = -1;
  volatile bool ok = true;
  plsexit(on_plexit);
  plsabort(on_plabort);
  if (setjmp(render_jmp) == 0) {
    PLINT s = -1;
    plmkstrm(&s);
    strm = s;
    if (s < 0) {
      ok = false;
      if (!render_msg[0]) snprintf(render_msg, sizeof render_msg, "PLplot has no free stream");
    } else {
      plsError(&errcode, pl_errmsg);
      if (!have_device(devices[format])) {
        ok = false;
        snprintf(render_msg, sizeof render_msg, "no %s device (on Debian, install plplot-driver-cairo)",
                 devices[format]);
        plend1();
        strm = -1;
      }
    }
    if (strm >= 0) {
      plsdev(devices[format]);
      plsfnam(path);
      plspage(0, 0, w, h, 0, 0);
      set_colours();
      plinit();
      set_viridis();
      draw_figure(p, w);
      plend1();
      strm = -1;
    }
  } else {
    ok = false; /* plexit: end the half-drawn stream, unless that fails too */
    if (strm >= 0 && setjmp(render_jmp) == 0) plend1();
  }
  plsstrm(old);
  plsexit(NULL);
  plsabort(NULL);
  if (errcode || render_msg[0]) ok = false;
  if (!ok) snprintf(buf, bufsize, "PLplot: %s", render_msg[0] ? render_msg : pl_errmsg[0] ? pl_errmsg : "failed");
  return ok;
}

#else /* built without PLplot */

bool plot_render_file(const Plot *p, const char *path, int format, char *buf, size_t bufsize) {
  static DynLib none = {"PLplot", NULL, "libplplot-dev and plplot-driver-cairo", false, NULL, NULL, 0, 0, ""};
  dynlib_load(&none);
  snprintf(buf, bufsize, "%s", none.err);
  return false;
}
#endif /* DLT_PLPLOT_SONAME */

/* gcc says __SANITIZE_ADDRESS__; clang (the fuzz build) says __has_feature(address_sanitizer) */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DLT_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(DLT_ASAN)
/* LeakSanitizer's built-in suppressions (it asks the program for them): fontconfig, which Pango
 * loads for the cairo drivers' text, loses blocks of its configuration parser once per process
 * (tests/valgrind.supp has the same entry for valgrind). Only leaks allocated inside fontconfig
 * itself match. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) { return "leak:libfontconfig.so\n"; }
/* ... and without a table of the suppressions used on stderr at exit */
const char *__lsan_default_options(void);
const char *__lsan_default_options(void) { return "print_suppressions=0"; }
#endif
