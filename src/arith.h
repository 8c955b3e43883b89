/* arith.h - operator dispatch: numbers, matrices (broadcasting), strings, lists, domain types.
 *
 * The evaluator handles number OP number inline; everything else comes here. Domain types join
 * through ExtClass.binop/unop, which is how dual numbers and network algebra (f + g, 2 * f, Δ^L)
 * plug in without touching this file. */
#ifndef DLT_ARITH_H
#define DLT_ARITH_H

#include "value.h"

Value arith_binop(Interp *I, OpCode op, Value a, Value b, const Span *where);
Value arith_unop(Interp *I, OpCode op, Value a, const Span *where);
double arith_num(OpCode op, double x, double y); /* the scalar semantics of every binary op */
const char *op_symbol(OpCode op);
const char *op_verb(OpCode op); /* "add", "multiply", ..., "compare": for messages */

/* Truth value for if/while/and/or/not: bools, numbers (0 is false), nil (false), a 1×1 matrix.
 * Returns -1 after raising an error for anything else. */
int val_truthy(Interp *I, Value v, const Span *where);

/* Numeric value as a matrix (new reference); NULL-valued v_abrupt on failure. Numbers become 1×1,
 * ranges and numeric lists column vectors. `what` names the value in the error. */
Value val_as_mat(Interp *I, Value v, const Span *where, const char *what);

#endif
