-- SPDX-License-Identifier: MIT
-- A compute workload for `make bench`: the same script in the image and in a Linux build of the
-- same Lua sources. Recursion, a table sort, string building and matching, floating point. Tables
-- stay under 4 MiB each: the kernel heap has no larger allocations yet.
local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
local f = fib(30)
local t = {}
for i = 1, 100000 do t[i] = (i * 7919) % 100003 end
table.sort(t)
local parts = {}
for i = 1, 50000 do parts[#parts + 1] = string.format("%d:%x", i, i * i) end
local s = table.concat(parts, ",")
local words = 0
for _ in s:gmatch("%d+:") do words = words + 1 end
local x = 0.0
for i = 1, 3000000 do x = x + math.sin(i) * math.sqrt(i) end
print(string.format("lua-bench: fib=%d first=%d words=%d x=%.3f", f, t[1], words, x))
