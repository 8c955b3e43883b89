/* lib/plot_render.c - (being written) */
#include "plot.h"
