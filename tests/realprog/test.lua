-- Workload for Debian's Lua 5.4 built natively and for riscv64: the output of
-- the two runs must be identical. It avoids what legitimately differs between
-- runs: addresses (tostring of tables), pairs() order over hashed keys (string
-- hashes are seeded per run), clocks and unseeded random numbers.

local function section(name) print(("== %s"):format(name)) end

local function sorted_keys(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  return keys
end

section("arithmetic")
print(7 // 2, -7 // 2, 7 % -3, -7 % 3, 7.5 // 2, 2 ^ 10, 10 / 4)
print(math.maxinteger + 1 == math.mininteger, math.mininteger // -1, math.maxinteger * 2)
print(1e308 * 10, -1e308 * 10, math.huge // 1, 0x7fffffff << 1, 1 << 63, -1 >> 1)
print(math.type(1), math.type(1.0), math.type("1"), 3 | 5, 3 & 5, 3 ~ 5, ~0)
print(string.format("%.17g %.17g %a", 0.1 + 0.2, 1 / 3, 1 / 3))
print(math.floor(-2.5), math.ceil(-2.5), math.fmod(-7, 3), math.abs(math.mininteger), math.ult(1, -1))
print(math.tointeger(3.0), math.tointeger(3.5), 3 == 3.0, 2^53 + 1 == 2^53, tostring(1e100))
print(string.format("%.6f %.6f %.6f", math.sin(1), math.exp(1), math.log(10)))
print(8 // 0.0, -8 // 0.0, pcall(function() return 1 // 0 end))

section("strings")
local s = "The quick brown fox jumps over the lazy dog"
print(#s, s:upper(), s:sub(5, 9), s:sub(-3), s:rep(2, "|"):len())
print(s:find("fox"), s:find("o", 20, true), s:match("(%a+) dog"), s:byte(1, 3))
print(s:gsub("%w+", function(w) return w:sub(1, 1):upper() end))
print(("a,b,,c"):gsub(",", ";"), ("hello world"):gsub("o", { o = "0" }), ("abc"):reverse())
local words = {}
for w in s:gmatch("%a+") do words[#words + 1] = w:lower() end
table.sort(words)
print(table.concat(words, " "))
print(string.format("[%5d] [%-5s] [%05.1f] [%x] [%X] [%q] [%s] [%c]", 42, "ab", 3.14159, 255, 255, "a\nb\0", nil, 65))
print(("%g %g %g %g"):format(1e20, 1e-5, 100, 2^63), tostring(2^63), math.tointeger(2^53))
print(utf8.char(72, 228, 8364, 128512), utf8.len("häll€"), #utf8.char(128512))
for p, c in utf8.codes("aé€") do io.write(p, ":", c, " ") end
print()
local packed = string.pack("<i4 >i8 z d s1", -2, 1 << 40, "zs", 1.5, "len")
print(#packed, string.unpack("<i4 >i8 z d s1", packed))
print(("%s"):rep(3, ","):format(1, 2.0, "x"), ("x"):rep(0), tostring(-0.0), 0.0 == -0.0)

section("tables")
local t = {}
for i = 1, 100 do t[i] = (i * 37) % 101 end
table.sort(t)
print(t[1], t[50], t[100], #t, select("#", table.unpack(t, 1, 10)))
table.sort(t, function(a, b) return a > b end)
print(table.concat(t, ",", 1, 10))
table.insert(t, 1, -1)
table.remove(t, 50)
print(#t, t[1], t[50], table.move({1, 2, 3}, 1, 3, 2)[3])
local counts = {}
for _, w in ipairs(words) do counts[w] = (counts[w] or 0) + 1 end
for _, k in ipairs(sorted_keys(counts)) do io.write(k, "=", counts[k], " ") end
print()

section("closures and varargs")
local function counter()
  local n = 0
  return function(step) n = n + (step or 1); return n end
end
local c1, c2 = counter(), counter()
c1(); c1(5); c2(10)
print(c1(), c2())
local function va(...) return select("#", ...), ... end
print(va(1, nil, 3, nil))
print(table.pack(1, nil, 3).n, (select(-1, "a", "b", "c")))

section("metatables")
local Vec = {}
Vec.__index = Vec
Vec.__add = function(a, b) return setmetatable({ x = a.x + b.x, y = a.y + b.y }, Vec) end
Vec.__eq = function(a, b) return a.x == b.x and a.y == b.y end
Vec.__tostring = function(v) return ("(%g, %g)"):format(v.x, v.y) end
Vec.__lt = function(a, b) return a.x < b.x end
Vec.__len = function() return 2 end
Vec.__call = function(v, k) return v.x * k end
function Vec.new(x, y) return setmetatable({ x = x, y = y }, Vec) end
function Vec:dot(o) return self.x * o.x + self.y * o.y end
local a, b = Vec.new(1, 2), Vec.new(3.5, -4)
print(tostring(a + b), a == Vec.new(1, 2), a < b, #a, a(10), a:dot(b))
local proxy = setmetatable({}, { __index = function(_, k) return k .. "!" end, __newindex = function(t2, k, v) rawset(t2, k, v * 2) end })
proxy.v = 21
print(proxy.anything, proxy.v, rawget(proxy, "missing"))

section("coroutines")
local gen = coroutine.wrap(function(n)
  for i = 1, n do coroutine.yield(i * i) end
  return "done"
end)
print(gen(5), gen(), gen(), gen(), gen(), gen())
local co = coroutine.create(function(x, y)
  local z = coroutine.yield(x + y)
  local w = coroutine.yield(z * 2)
  error("inside coroutine: " .. w)
end)
print(coroutine.resume(co, 1, 2))
print(coroutine.resume(co, 10))
print(coroutine.resume(co, "boom"))
print(coroutine.status(co), coroutine.isyieldable())

section("errors")
local ok42, e42 = pcall(error, { code = 42 })
print(ok42, type(e42), e42.code)
print(select(2, pcall(error, "msg", 0)), select(2, pcall(error)))
print(xpcall(function() local x = nil; return x.field end, function(m) return "handled: " .. m:gsub("^.-:%d+: ", "") end))
print(pcall(string.rep), pcall(setmetatable, 1, {}))
local ok, err = pcall(function() error(setmetatable({}, { __tostring = function() return "custom error" end })) end)
print(ok, tostring(err))
goto skip
print("not printed")
::skip::
print("goto ok")

section("load and environments")
local f = load("local a, b = ... return a * b + x", "chunk", "t", { x = 100 })
print(f(6, 7))
print(load("return 1 +")) 
local env = { print = print }
local g = load("y = 5; return y", "c2", "t", env)
print(g(), env.y, y)
print(string.dump ~= nil, #string.format("%099d", 1))

section("integer and float loops")
local acc = 0
for i = 10, 1, -3 do acc = acc * 10 + i end
print(acc)
local facc = 0
for x = 0, 1, 0.25 do facc = facc + x end
print(facc)
local fib = { [0] = 0, 1 }
for i = 2, 90 do fib[i] = fib[i - 1] + fib[i - 2] end
print(fib[90], fib[90] % 1000007)

section("algorithms")
local function queens(n)
  local count, cols, d1, d2 = 0, {}, {}, {}
  local function place(r)
    if r > n then count = count + 1; return end
    for c = 1, n do
      if not cols[c] and not d1[r + c] and not d2[r - c + n] then
        cols[c], d1[r + c], d2[r - c + n] = true, true, true
        place(r + 1)
        cols[c], d1[r + c], d2[r - c + n] = nil, nil, nil
      end
    end
  end
  place(1)
  return count
end
print("8 queens:", queens(8))
local sieve, primes = {}, 0
for i = 2, 30000 do
  if not sieve[i] then
    primes = primes + 1
    for j = i * i, 30000, i do sieve[j] = true end
  end
end
print("primes below 30000:", primes)
math.randomseed(42)
local r = {}
for i = 1, 5 do r[i] = math.random(1, 1000) end
print("seeded random:", table.concat(r, " "), math.random(0) ~= nil)
local parts = {}
for i = 1, 2000 do parts[#parts + 1] = string.format("%d:%x", i, i * i) end
local big = table.concat(parts, ";")
local h = 0
for i = 1, #big do h = (h * 31 + big:byte(i)) & 0xffffffff end
print("string hash:", #big, h)

section("io and os")
local fh = assert(io.open("lua-test.txt", "w"))
fh:write("line 1\n", 2, "\n", 3.5, "\n")
fh:close()
for line in io.lines("lua-test.txt") do io.write("[", line, "]") end
print()
fh = assert(io.open("lua-test.txt", "r"))
print(fh:read("l"), fh:read("n"), fh:read("n"), fh:read("a"), fh:seek("set", 2), fh:read(4))
fh:close()
print(os.rename("lua-test.txt", "lua-renamed.txt"), io.open("lua-test.txt") == nil)
print(os.remove("lua-renamed.txt"), select(2, os.remove("lua-renamed.txt")) ~= nil)
print(os.getenv("NO_SUCH_VARIABLE_HOPEFULLY"), type(os.time()), type(os.clock()))
print(os.date("!%Y-%m-%d %H:%M:%S", 1234567890), os.time({ year = 2000, month = 1, day = 1, hour = 12 }) ~= nil)
collectgarbage()
print("collectgarbage count is a number:", type(collectgarbage("count")) == "number")
print("all sections done")
