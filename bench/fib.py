# Twin of fib.dlt: naive recursive fib(27) in CPython.
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


print(fib(27))
