/* lib/plot.h - (being written) */
#ifndef DLT_LIB_PLOT_H
#define DLT_LIB_PLOT_H
#endif
