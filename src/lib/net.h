/* lib/net.h - neural networks as DLT values (issue 5). The representation is defined by the
 * network module (net.c); other modules (training, kernels, the piecewise-linear engine) use the
 * accessors declared here. */
#ifndef DLT_LIB_NET_H
#define DLT_LIB_NET_H

#include "../builtin.h"

#endif
