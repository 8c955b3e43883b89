-- Twin of loop.dlt: the same 10^7-iteration scalar loop at the top level of a Lua 5.4 chunk
-- (a `local`, which is what loop.dlt's top-level `let` is: a name resolved before running;
-- s is a float, as DLT's numbers are). loop_global.lua is the same loop on a global.
local s = 0.0
for i = 1, 10000000 do
  s = s + i * 0.5
end
print(string.format("%.0f", s))
