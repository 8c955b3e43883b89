-- Twin of fib.dlt: naive recursive fib(27) in Lua 5.4 (a local function, as a Lua programmer
-- would write it).
local function fib(n)
  if n < 2 then return n end
  return fib(n - 1) + fib(n - 2)
end
print(fib(27))
