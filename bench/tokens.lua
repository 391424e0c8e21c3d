-- wrk script: each request carries the next token of TOKENS_FILE (skipping the first line,
-- the "repeated" token), round robin per thread. The requests are formatted once, in `init`,
-- so that the load generator, which shares the machine's cores with the API, spends per
-- request what a static header costs it (a table lookup), not a string build.
local requests = {}
local i = 0

function init(args)
  local first = true
  for line in io.lines(os.getenv("TOKENS_FILE")) do
    if first then
      first = false
    else
      requests[#requests + 1] = wrk.format("GET", nil, { ["Authorization"] = "Bearer " .. line })
    end
  end
  i = math.random(#requests)
end

function request()
  i = i % #requests + 1
  return requests[i]
end
