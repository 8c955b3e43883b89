-- loop.lua with s a global (a table lookup per use): for comparison only.
s = 0.0
for i = 1, 10000000 do
  s = s + i * 0.5
end
print(string.format("%.0f", s))
