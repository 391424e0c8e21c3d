-- wrk script: each request carries the next token of TOKENS_FILE (skipping the first line,
-- the "repeated" token), round robin per thread.
local tokens = {}
local i = 0

function init(args)
  local first = true
  for line in io.lines(os.getenv("TOKENS_FILE")) do
    if first then first = false else tokens[#tokens + 1] = line end
  end
  i = math.random(#tokens)
end

function request()
  i = i % #tokens + 1
  return wrk.format("GET", nil, { ["Authorization"] = "Bearer " .. tokens[i] })
end
