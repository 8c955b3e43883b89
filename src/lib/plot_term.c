/* lib/plot_term.c - (being written) */
#include "plot.h"
