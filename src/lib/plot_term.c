/* lib/plot_term.c - a plot drawn in the terminal with Unicode: what `print p` shows.
 *
 * Lines and error bars are braille dots (each character cell holds 2 × 4 dots), markers are one
 * glyph per series (● ■ ▲ ◆ ▼ ★), histogram bars are block elements (▁ … █) and heat maps shades
 * (░ ▒ ▓ █). Axes have tick labels at the same places as in the PLplot figure (plot_ticks,
 * plot_tick_label), log axes are labelled with powers of ten. The output is plain text with no
 * colour or terminal codes, so it is the same on every terminal and can be pinned in tests.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../index.h"
#include "../strbuf.h"
#include "plot.h"

enum { TERM_COLS = 72, TERM_ROWS = 20, MAXT = 16 };

static const char *const markers[] = {"●", "■", "▲", "◆", "▼", "★"};
enum { NMARK = sizeof markers / sizeof *markers };
static const char *const eighths[] = {" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
static const char *const shades[] = {" ", "░", "▒", "▓", "█"};

typedef struct TCell {
  uint8_t dots;      /* braille bits */
  const char *glyph; /* a marker (wins over dots) */
  const char *fill;  /* a bar's block (under dots and markers) */
} TCell;

typedef struct Canvas {
  int w, h; /* cells */
  TCell *c;
  double lim[4];
  bool lx, ly;
} Canvas;

static size_t text_cols(const char *s) { return utf8_len(s, strlen(s)); }

/* ------------------------------------------------------------------ dots */
static void dot(Canvas *cv, long px, long py) {
  if (px < 0 || py < 0 || px >= 2L * cv->w || py >= 4L * cv->h) return;
  static const uint8_t bit[4][2] = {{0x01, 0x08}, {0x02, 0x10}, {0x04, 0x20}, {0x40, 0x80}};
  cv->c[(py / 4) * cv->w + px / 2].dots |= bit[py % 4][px % 2];
}

/* Axis-space coordinates to dot coordinates (y downwards), unrounded. */
static double dot_x(const Canvas *cv, double x) { return (x - cv->lim[0]) / (cv->lim[1] - cv->lim[0]) * (2.0 * cv->w - 1); }
static double dot_y(const Canvas *cv, double y) { return (cv->lim[3] - y) / (cv->lim[3] - cv->lim[2]) * (4.0 * cv->h - 1); }

/* Clip the segment to the canvas (Liang-Barsky); false when none of it is inside. */
static bool clip(const Canvas *cv, double *x0, double *y0, double *x1, double *y1) {
  double t0 = 0, t1 = 1, dx = *x1 - *x0, dy = *y1 - *y0;
  double p[4] = {-dx, dx, -dy, dy};
  double q[4] = {*x0 + 0.5, 2.0 * cv->w - 0.5 - *x0, *y0 + 0.5, 4.0 * cv->h - 0.5 - *y0};
  for (int i = 0; i < 4; i++) {
    if (p[i] == 0) {
      if (q[i] < 0) return false;
      continue;
    }
    double r = q[i] / p[i];
    if (p[i] < 0) {
      if (r > t1) return false;
      if (r > t0) t0 = r;
    } else {
      if (r < t0) return false;
      if (r < t1) t1 = r;
    }
  }
  double ax = *x0 + t0 * dx, ay = *y0 + t0 * dy, bx = *x0 + t1 * dx, by = *y0 + t1 * dy;
  *x0 = ax, *y0 = ay, *x1 = bx, *y1 = by;
  return true;
}

static void line(Canvas *cv, double x0, double y0, double x1, double y1) {
  if (!clip(cv, &x0, &y0, &x1, &y1)) return;
  long ax = lround(x0), ay = lround(y0), bx = lround(x1), by = lround(y1);
  long dx = labs(bx - ax), dy = -labs(by - ay), sx = ax < bx ? 1 : -1, sy = ay < by ? 1 : -1, err = dx + dy;
  for (;;) {
    dot(cv, ax, ay);
    if (ax == bx && ay == by) break;
    long e2 = 2 * err;
    if (e2 >= dy) err += dy, ax += sx;
    if (e2 <= dx) err += dx, ay += sy;
  }
}

static void mark(Canvas *cv, double px, double py, const char *glyph) {
  long cx = lround(px) / 2, cy = lround(py) / 4;
  if (px < -0.5 || py < -0.5 || cx >= cv->w || cy >= cv->h) return;
  cv->c[cy * cv->w + cx].glyph = glyph;
}

/* ------------------------------------------------------------------ series */
static void draw_bars(Canvas *cv, const Series *s) {
  for (int cx = 0; cx < cv->w; cx++) {
    /* the bar under the cell's centre, in axis space */
    double x = cv->lim[0] + (cx + 0.5) / cv->w * (cv->lim[1] - cv->lim[0]);
    for (size_t i = 0; i < s->n; i++) {
      double x0 = plot_ax(s->x[i], cv->lx), x1 = plot_ax(s->x[i + 1], cv->lx), y = plot_ax(s->y[i], cv->ly);
      if (isnan(x0) || isnan(x1) || isnan(y) || x < x0 || x > x1) continue;
      double base = cv->ly ? cv->lim[2] : 0;
      double top = (y - cv->lim[2]) / (cv->lim[3] - cv->lim[2]) * cv->h * 8;
      double bot = (base - cv->lim[2]) / (cv->lim[3] - cv->lim[2]) * cv->h * 8;
      if (bot < 0) bot = 0;
      long t = lround(top), b = lround(bot);
      for (long e = b; e < t && e < 8L * cv->h; e += 8) {
        int row = cv->h - 1 - (int)(e / 8);
        long have = t - e >= 8 ? 8 : t - e;
        cv->c[row * cv->w + cx].fill = eighths[have];
      }
      break;
    }
  }
}

static void draw_series(Canvas *cv, const Plot *p, int k) {
  const Series *s = &p->s[k];
  if (s->kind == SER_BARS) return;
  /* markers: every point of scatter and linespoints; a few along a line when several series
   * share the axes, so each can be told by its glyph */
  size_t every = 0;
  if (s->kind != SER_LINE) every = 1;
  else if (p->nseries > 1) every = s->n / 8 > 1 ? s->n / 8 : 1;
  double ppx = NAN, ppy = NAN;
  for (size_t i = 0; i < s->n; i++) {
    double x = plot_ax(s->x[i], cv->lx), y = plot_ax(s->y[i], cv->ly);
    if (isnan(x) || isnan(y)) {
      ppx = NAN; /* a skipped point breaks the line */
      continue;
    }
    double px = dot_x(cv, x), py = dot_y(cv, y);
    if (s->err && isfinite(s->err[i])) {
      double e = fabs(s->err[i]), lo = plot_ax(s->y[i] - e, cv->ly), hi = plot_ax(s->y[i] + e, cv->ly);
      line(cv, px, isnan(lo) ? 4.0 * cv->h : dot_y(cv, lo), px, dot_y(cv, hi));
    }
    if (s->kind != SER_SCATTER) {
      if (!isnan(ppx)) line(cv, ppx, ppy, px, py);
      else line(cv, px, py, px, py);
    }
    ppx = px, ppy = py;
  }
  if (!every) return;
  for (size_t i = 0; i < s->n; i += every) {
    double x = plot_ax(s->x[i], cv->lx), y = plot_ax(s->y[i], cv->ly);
    if (!isnan(x) && !isnan(y)) mark(cv, dot_x(cv, x), dot_y(cv, y), markers[k % NMARK]);
  }
}

/* ------------------------------------------------------------------ text helpers */
static void pad(StrBuf *b, long n) {
  for (long i = 0; i < n; i++) sb_putc(b, ' ');
}

static void centred(StrBuf *out, const char *s, int width) {
  long w = (long)text_cols(s);
  pad(out, w < width ? (width - w) / 2 : 0);
  sb_puts(out, s);
  sb_putc(out, '\n');
}

static void fmt_value(char *buf, size_t n, double v) {
  snprintf(buf, n, "%.4g", v);
}

/* A row of labels centred at given columns; a label that would touch the previous one is left out. */
static void label_row(StrBuf *out, int indent, const int *cols, char labels[][48], int n, int width) {
  long used = 0; /* columns written so far, after the indent */
  pad(out, indent);
  for (int i = 0; i < n; i++) {
    long w = (long)text_cols(labels[i]);
    long at = cols[i] - w / 2;
    if (at < 0) at = 0;
    if (at + w > width - indent) at = width - indent - w;
    if (at < used + (used ? 1 : 0)) continue;
    pad(out, at - used);
    sb_puts(out, labels[i]);
    used = at + w;
  }
  sb_putc(out, '\n');
}

static int legend_entries(const Plot *p) {
  int n = 0;
  for (int k = 0; k < p->nseries; k++)
    if (p->s[k].label && *p->s[k].label && (!p->s[k].auto_label || p->nseries > 1)) n++;
  return n;
}

static void legend(StrBuf *out, const Plot *p, int width) {
  if (legend_entries(p) == 0) return;
  long used = 0;
  for (int k = 0; k < p->nseries; k++) {
    const Series *s = &p->s[k];
    if (!s->label || !*s->label || (s->auto_label && p->nseries == 1)) continue;
    const char *g = s->kind == SER_BARS ? "█" : s->kind == SER_LINE && p->nseries == 1 ? "⠤" : markers[k % NMARK];
    long w = 2 + (long)text_cols(s->label);
    if (used && used + 3 + w > width) {
      sb_putc(out, '\n');
      used = 0;
    }
    if (used) {
      sb_puts(out, "   ");
      used += 3;
    } else {
      sb_puts(out, "  ");
      used += 2;
    }
    sb_printf(out, "%s %s", g, s->label);
    used += w;
  }
  sb_putc(out, '\n');
}

/* ------------------------------------------------------------------ heat maps */
static void draw_heatmap(const Plot *p, StrBuf *out, int W, int H) {
  const Series *s = &p->s[0];
  size_t rows = s->n, cols = s->cols;
  double zmin = INFINITY, zmax = -INFINITY;
  if (s->x) zmin = s->x[0], zmax = s->x[1];
  else
    for (size_t i = 0; i < rows * cols; i++)
      if (isfinite(s->z[i])) zmin = fmin(zmin, s->z[i]), zmax = fmax(zmax, s->z[i]);
  char rl[2][48];
  snprintf(rl[0], sizeof rl[0], "1");
  snprintf(rl[1], sizeof rl[1], "%zu", rows);
  int lw = (int)strlen(rl[1]);
  int maxw = W - lw - 2, maxh = H - 2;
  /* blocks of b × b entries averaged when the matrix is larger than the space; each block (or
   * entry) rh rows × cw cells, about square (a cell is twice as tall as it is wide) */
  size_t b = 1;
  while ((rows + b - 1) / b > (size_t)maxh || (cols + b - 1) / b > (size_t)maxw) b++;
  size_t br = b, bc = b, nr = (rows + b - 1) / b, nc = (cols + b - 1) / b;
  int rh = maxh / (int)nr, cw = maxw / (int)nc;
  if (rh < 1) rh = 1;
  if (cw < 1) cw = 1;
  if (rh > 4) rh = 4; /* small matrices stay small */
  if (cw >= 2 * rh) cw = 2 * rh;
  else rh = cw / 2 > 1 ? cw / 2 : 1;
  if (p->title) centred(out, p->title, W);
  if (p->ylabel) sb_printf(out, "%s\n", p->ylabel);
  sb_printf(out, "%*s┌", lw, "");
  for (size_t j = 0; j < nc * (size_t)cw; j++) sb_puts(out, "─");
  sb_puts(out, "┐\n");
  for (size_t bi = 0; bi < nr; bi++) {
    /* the block row's shades, drawn rh times */
    StrBuf row = STRBUF_INIT;
    for (size_t bj = 0; bj < nc; bj++) {
      double sum = 0;
      size_t cnt = 0;
      for (size_t i = bi * br; i < (bi + 1) * br && i < rows; i++)
        for (size_t j = bj * bc; j < (bj + 1) * bc && j < cols; j++)
          if (isfinite(s->z[i * cols + j])) sum += s->z[i * cols + j], cnt++;
      const char *g;
      if (!cnt) g = "·";
      else {
        double f = zmax > zmin ? (sum / cnt - zmin) / (zmax - zmin) : 0.5;
        f = f < 0 ? 0 : f > 1 ? 1 : f;
        g = shades[lround(f * 4)];
      }
      for (int r = 0; r < cw; r++) sb_puts(&row, g);
    }
    for (int r = 0; r < rh; r++) {
      const char *lab = r == rh / 2 && (bi == 0 || bi == nr - 1) ? rl[bi == 0 ? 0 : 1] : "";
      sb_printf(out, "%*s│%s│\n", lw, lab, sb_cstr(&row));
    }
    sb_free(&row);
  }
  sb_printf(out, "%*s└", lw, "");
  for (size_t j = 0; j < nc * (size_t)cw; j++) sb_puts(out, "─");
  sb_puts(out, "┘\n");
  /* column numbers under the first and the last column of blocks */
  long inner = (long)nc * cw;
  char cl[2][48];
  int at[2] = {cw / 2, (int)inner - 1 - (cw - 1) / 2};
  snprintf(cl[0], sizeof cl[0], "1");
  snprintf(cl[1], sizeof cl[1], "%zu", cols);
  label_row(out, lw + 1, at, cl, cols > 1 ? 2 : 1, W);
  if (p->xlabel) {
    pad(out, lw + 1);
    centred(out, p->xlabel, (int)inner);
  }
  char lo[32], hi[32];
  fmt_value(lo, sizeof lo, zmin);
  fmt_value(hi, sizeof hi, zmax);
  sb_printf(out, "%s: ' ' = %s, ░ ▒ ▓, █ = %s", s->label ? s->label : "value", lo, hi);
  if (b > 1) sb_printf(out, "\n(a %zu×%zu matrix: each character is the mean of a %zu×%zu block)", rows, cols, b, b);
}

/* ------------------------------------------------------------------ the figure */
void plot_term_draw(const Plot *p, StrBuf *out, int W, int H) {
  if (W <= 0) W = TERM_COLS;
  if (H <= 0) H = TERM_ROWS;
  Canvas cv;
  size_t skipped, total = 0;
  bool ok = plot_limits(p, cv.lim, &skipped);
  if (plot_is_heatmap(p)) {
    draw_heatmap(p, out, W, H);
    return;
  }
  for (int k = 0; k < p->nseries; k++) total += p->s[k].n;
  const char *why = plot_logx(p) || plot_logy(p) ? "nan, inf, or <= 0 on a log axis" : "nan or inf";
  if (!ok) {
    sb_printf(out, "plot (%d series): nothing to draw, all %zu points are %s", p->nseries, skipped, why);
    return;
  }
  cv.lx = plot_logx(p);
  cv.ly = plot_logy(p);

  /* y ticks decide the left margin */
  double yt[MAXT], xt[MAXT], ystep, xstep;
  char yl[MAXT][48], xl[MAXT][48];
  int ch = H - 2;
  int nyt = plot_ticks(cv.lim[2], cv.lim[3], cv.ly, ch / 3 + 1 > 6 ? 6 : ch / 3 + 1, yt, &ystep);
  int lw = 0;
  for (int i = 0; i < nyt; i++) {
    plot_tick_label(yt[i], ystep, plot_ticks_amax(yt, nyt), cv.ly, PLOT_TEXT_TERM, yl[i], sizeof yl[i]);
    if ((int)text_cols(yl[i]) > lw) lw = (int)text_cols(yl[i]);
  }
  cv.w = W - lw - 1;
  cv.h = ch;
  int nxt = plot_ticks(cv.lim[0], cv.lim[1], cv.lx, cv.w / 10 > MAXT ? MAXT : cv.w / 10, xt, &xstep);
  for (int i = 0; i < nxt; i++) plot_tick_label(xt[i], xstep, plot_ticks_amax(xt, nxt), cv.lx, PLOT_TEXT_TERM, xl[i], sizeof xl[i]);
  cv.c = calloc((size_t)cv.w * (size_t)cv.h, sizeof(TCell));
  if (!cv.c) return;

  for (int k = 0; k < p->nseries; k++)
    if (p->s[k].kind == SER_BARS) draw_bars(&cv, &p->s[k]);
  for (int k = 0; k < p->nseries; k++) draw_series(&cv, p, k);

  /* rows of the canvas with their y tick labels */
  int ytrow[MAXT];
  for (int i = 0; i < nyt; i++) ytrow[i] = (int)(lround(dot_y(&cv, yt[i])) / 4);
  if (p->title) centred(out, p->title, W);
  if (p->ylabel) sb_printf(out, "%s\n", p->ylabel);
  for (int r = 0; r < cv.h; r++) {
    int t = -1;
    for (int i = 0; i < nyt; i++)
      if (ytrow[i] == r) t = i;
    pad(out, lw - (t >= 0 ? (long)text_cols(yl[t]) : 0));
    if (t >= 0) sb_puts(out, yl[t]);
    sb_puts(out, t >= 0 ? "┤" : "│");
    /* trailing blanks are left out */
    int last = cv.w - 1;
    while (last >= 0 && !cv.c[r * cv.w + last].dots && !cv.c[r * cv.w + last].glyph &&
           (!cv.c[r * cv.w + last].fill || cv.c[r * cv.w + last].fill == eighths[0]))
      last--;
    for (int x = 0; x <= last; x++) {
      TCell *c = &cv.c[r * cv.w + x];
      if (c->glyph) sb_puts(out, c->glyph);
      else if (c->dots) {
        unsigned cp = 0x2800 + c->dots; /* braille: three bytes of UTF-8 */
        sb_putc(out, (char)(0xE0 | (cp >> 12)));
        sb_putc(out, (char)(0x80 | ((cp >> 6) & 0x3F)));
        sb_putc(out, (char)(0x80 | (cp & 0x3F)));
      } else if (c->fill) sb_puts(out, c->fill);
      else sb_putc(out, ' ');
    }
    sb_putc(out, '\n');
  }
  /* the x axis with its ticks, then their labels */
  int xtcol[MAXT];
  for (int i = 0; i < nxt; i++) xtcol[i] = (int)(lround(dot_x(&cv, xt[i])) / 2);
  pad(out, lw);
  sb_puts(out, "└");
  for (int x = 0; x < cv.w; x++) {
    bool tick = false;
    for (int i = 0; i < nxt; i++) tick |= xtcol[i] == x;
    sb_puts(out, tick ? "┬" : "─");
  }
  sb_putc(out, '\n');
  label_row(out, lw + 1, xtcol, xl, nxt, W);
  if (p->xlabel) {
    pad(out, lw + 1);
    centred(out, p->xlabel, cv.w);
  }
  legend(out, p, W);
  if (skipped) sb_printf(out, "(%zu of %zu points not drawn: %s)\n", skipped, total, why);
  free(cv.c);
  /* no final newline: print adds one */
  if (out->len && out->s[out->len - 1] == '\n') sb_truncate(out, out->len - 1);
}
