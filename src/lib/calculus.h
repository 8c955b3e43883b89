/* lib/calculus.h - quadrature rules other modules reuse (kernels, measures). */
#ifndef DLT_LIB_CALCULUS_H
#define DLT_LIB_CALCULUS_H

#endif
