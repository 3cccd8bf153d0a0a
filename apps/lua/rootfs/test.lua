-- SPDX-License-Identifier: MIT
-- Exercises the interpreter on Skiff: tables, strings, closures, coroutines, floats,
-- string.format, io.write/io.read on files, os.time/clock. Prints "lua-test: N passed, N failed".
local passed, failed = 0, 0
local function check(name, ok)
  if ok then passed = passed + 1; io.write("ok   ", name, "\n")
  else failed = failed + 1; io.write("FAIL ", name, "\n") end
end

-- tables
local t = {}
for i = 1, 1000 do t[i] = i * i end
local sum = 0
for _, v in ipairs(t) do sum = sum + v end
check("tables", sum == 333833500 and #t == 1000)
local m = { alpha = 1, beta = 2 }
m.gamma = m.alpha + m.beta
local keys = {}
for k in pairs(m) do keys[#keys + 1] = k end
table.sort(keys)
check("table.sort and pairs", table.concat(keys, ",") == "alpha,beta,gamma")

-- strings
local s = string.rep("ab", 3) .. "!"
check("string ops", s == "ababab!" and s:upper() == "ABABAB!" and #s == 7)
check("string.find/gsub", ("hello world"):find("wor") == 7 and ("a-b-c"):gsub("-", "+") == "a+b+c")
local words = {}
for w in ("the quick brown fox"):gmatch("%a+") do words[#words + 1] = w end
check("gmatch", #words == 4 and words[3] == "brown")

-- closures
local function counter()
  local n = 0
  return function() n = n + 1; return n end
end
local c1, c2 = counter(), counter()
c1(); c1()
check("closures", c1() == 3 and c2() == 1)

-- coroutines
local gen = coroutine.wrap(function()
  for i = 1, 3 do coroutine.yield(i * 10) end
  return "done"
end)
check("coroutines", gen() == 10 and gen() == 20 and gen() == 30 and gen() == "done")
local co = coroutine.create(function(a, b) local c = coroutine.yield(a + b); return c * 2 end)
local _, r1 = coroutine.resume(co, 2, 3)
local _, r2 = coroutine.resume(co, 21)
check("coroutine.resume", r1 == 5 and r2 == 42 and coroutine.status(co) == "dead")

-- floats and integers
check("floats", math.abs(math.sqrt(2) ^ 2 - 2) < 1e-12 and math.floor(-2.5) == -3)
check("integer division", 7 // 2 == 3 and 7 / 2 == 3.5 and math.type(7 // 2) == "integer")
check("math.pi", math.abs(math.pi - 3.141592653589793) < 1e-15 and math.huge > 1e308)

-- string.format
check("string.format", string.format("%5.2f|%d|%s|%x|%e", math.pi, 42, "x", 255, 12345.678)
      == " 3.14|42|x|ff|1.234568e+04")
check("tostring of floats", tostring(0.1) == "0.1" and tostring(1e100) == "1e+100")

-- files: write, read back, seek
local path = "/lua-test.txt"
local f = assert(io.open(path, "w"))
f:write("line one\n", 42, "\n", 3.5, "\n")
f:close()
f = assert(io.open(path, "r"))
local l1 = f:read("l")
local n1 = f:read("n")
local n2 = f:read("n")
f:close()
check("io.write/io.read", l1 == "line one" and n1 == 42 and n2 == 3.5)
f = assert(io.open(path, "a")); f:write("appended\n"); f:close()
local lines = 0
for _ in io.lines(path) do lines = lines + 1 end
check("io.lines and append", lines == 4)
check("os.remove", os.remove(path) and io.open(path, "r") == nil)
check("missing file", select(2, io.open("/no/such")) ~= nil)

-- the initrd
f = io.open("/initrd/data.txt", "r")
check("read from the initrd", f ~= nil and f:read("a") == "data in the initrd\n")
if f then f:close() end

-- errors and pcall
local ok, err = pcall(function() error("boom") end)
check("pcall", not ok and err:find("boom") ~= nil)

-- time
check("os.time and os.clock", os.time() > 1600000000 and os.clock() >= 0)
check("os.date", os.date("!%Y-%m-%d", 0) == "1970-01-01")

-- garbage collection
local before = collectgarbage("count")
do local big = {} for i = 1, 100000 do big[i] = tostring(i) end end
collectgarbage()
check("collectgarbage", collectgarbage("count") < before + 2000)

-- arguments
check("arg", arg[0] ~= nil)

io.write(string.format("lua-test: %d passed, %d failed\n", passed, failed))
os.exit(failed == 0 and 0 or 1)
