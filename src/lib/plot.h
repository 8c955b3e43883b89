/* lib/plot.h - the plot value: a figure made of series, drawn to PNG/SVG/PDF with PLplot
 * (plot_render.c) or in the terminal with Unicode braille (plot_term.c).
 *
 * A plot is immutable: builders (plot, hist, heatmap) make new ones, `p + q` and plot(p, ...) copy.
 * It holds plain C arrays (no DLT values), so it needs no traverse hook.
 *
 * Coordinates. Every series keeps its data as given. The axes of a plot are linear or log10;
 * both renderers work in "axis space" (log10 of the value on a log axis) and agree on the limits
 * through plot_limits(). A point is drawn only when both its coordinates are finite and, on a
 * log axis, > 0; the others are counted as skipped.
 */
#ifndef DLT_LIB_PLOT_H
#define DLT_LIB_PLOT_H

#include <stdbool.h>
#include <stddef.h>

#include "../value.h"

typedef enum { SER_LINE, SER_SCATTER, SER_LINESPOINTS, SER_BARS, SER_HEATMAP } SeriesKind;
typedef enum { SCALE_LINEAR, SCALE_LOGLOG, SCALE_SEMILOGX, SCALE_SEMILOGY } PlotScale;

typedef struct Series {
  SeriesKind kind;
  char *label;     /* legend entry (colour-bar label for a heat map), or NULL */
  bool auto_label; /* a default label (the y column's name): shown only beside other series */
  size_t n;        /* points; bars: bins; heat map: rows */
  double *x, *y;   /* n points; bars: x holds n + 1 edges, y n heights; heat map: unused */
  double *err;     /* error-bar half widths (n), or NULL */
  size_t cols;     /* heat map: columns */
  double *z;       /* heat map: n × cols entries, row-major (row 1 drawn at the top) */
} Series;

typedef struct Plot {
  Ext ext;
  int nseries;
  Series *s;
  char *title, *xlabel, *ylabel; /* NULL: none */
  int scale;                     /* PlotScale, or -1: not set (linear) */
  double xlim[2], ylim[2];       /* NaN: from the data */
  int grid;                      /* -1 not set, 0 or 1 */
  int width, height;             /* pixels of a PNG; 0: the default */
} Plot;

extern const ExtClass plot_class;
#define IS_PLOT(v) (IS_EXT(v) && AS_EXT(v)->cls == &plot_class)
#define AS_PLOT(v) ((Plot *)(v).u.o)

/* When true, plot(..., file=) and save() also draw the plot in the terminal (set by --plot=term). */
extern bool dlt_plot_term;

/* While a report is written (report.c), every plot the program shows (printed, or written with
 * save() or file=) is also handed to this sink, and a printed plot is not drawn in braille. */
extern void (*dlt_plot_sink)(void *ctx, const Plot *p);
extern void *dlt_plot_sink_ctx;

static inline bool plot_logx(const Plot *p) { return p->scale == SCALE_LOGLOG || p->scale == SCALE_SEMILOGX; }
static inline bool plot_logy(const Plot *p) { return p->scale == SCALE_LOGLOG || p->scale == SCALE_SEMILOGY; }
bool plot_is_heatmap(const Plot *p);

/* The axis-space limits lim = {xmin, xmax, ymin, ymax} both renderers use (padded, log axes in
 * log10 units widened to show at least two powers of ten); *skipped counts the points that cannot
 * be drawn. False when nothing can be drawn. For a heat map: column/row index limits. */
bool plot_limits(const Plot *p, double lim[4], size_t *skipped);
/* A value in axis space (log10 on a log axis); NaN when it cannot be drawn. */
double plot_ax(double v, bool logaxis);

/* Write the plot to path; the format comes from the extension (.png, .svg, .pdf, checked by the
 * caller). False with a message (static or in buf) after a failure. */
bool plot_render_file(const Plot *p, const char *path, int format, char *buf, size_t bufsize);
enum { PLOT_PNG, PLOT_SVG, PLOT_PDF };

/* The plot drawn with Unicode in cols × rows terminal cells (0, 0: the default 72 × 20). */
struct StrBuf;
void plot_term_draw(const Plot *p, struct StrBuf *out, int cols, int rows);

/* Tick positions for an axis from lo to hi (axis space), at most max; returns how many. On a log
 * axis the ticks are integer powers (of ten). *step gets the spacing. */
int plot_ticks(double lo, double hi, bool logaxis, int max, double *ticks, double *step);

/* The label of tick t (axis space) on an axis whose ticks are `step` apart and at most amax in
 * absolute value: "0.25", or "2e-4" when amax is >= 1e5 or < 1e-3; on a log axis a power of ten,
 * written "10⁻²" (style PLOT_TEXT_TERM) or with PLplot's superscript escapes (PLOT_TEXT_PLPLOT,
 * which also writes the minus sign as U+2212). */
enum { PLOT_TEXT_TERM, PLOT_TEXT_PLPLOT };
void plot_tick_label(double t, double step, double amax, bool logaxis, int style, char *buf, size_t size);
/* The largest |tick|. */
double plot_ticks_amax(const double *ticks, int n);

#endif
